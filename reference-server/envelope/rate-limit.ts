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
