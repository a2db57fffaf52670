/**
 * A sliding one-second window over the last `max` accepted messages (envelope.D4): message number
 * max+1 inside any one second is refused. A ring of timestamps, no allocation per message.
 */
export class RateLimiter {
  private readonly ring: Float64Array;
  private next = 0;
  private count = 0;

  constructor(private readonly max: number, private readonly windowMs = 1000) {
    this.ring = new Float64Array(Math.max(1, max));
  }

  /** True if a message arriving at `now` is within the limit (and records it). */
  allow(now: number): boolean {
    if (this.count >= this.max && now - (this.ring[this.next] as number) < this.windowMs) return false;
    this.ring[this.next] = now;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.max) this.count++;
    return true;
  }
}

/**
 * The other reading of "20 messages per second": fixed one-second windows (from the first message
 * of each), so up to `max` pass in each window, however they bunch at its edges.
 */
export class FixedWindowLimiter {
  private windowStart = -Infinity;
  private count = 0;

  constructor(private readonly max: number, private readonly windowMs = 1000) {}

  allow(now: number): boolean {
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.count = 0;
    }
    if (this.count >= this.max) return false;
    this.count++;
    return true;
  }
}
