/**
 * The server side of a ping/pong heartbeat (assa.D5, envelope.D5), driven by the timer sweep.
 * The policy carries the choices the seeds leave open (choices.ts): how often to ping, whether a
 * ping may go out while one is unanswered, and from when the pong timeout runs.
 */
export interface HeartbeatPolicy {
  /** Time between two pings. */
  period: number;
  /** A connection is dropped this long after `dropFrom` without a pong. */
  pongTimeout: number;
  /** `last-pong`: from the last pong (or the start); `first-unanswered-ping`: from the first ping sent since then. */
  dropFrom: 'last-pong' | 'first-unanswered-ping';
  /** No ping while one is unanswered. */
  oneOutstanding: boolean;
  /** The sweep's period: pings go out this much early so none is ever late. */
  early: number;
}

export class Heartbeat {
  private lastPongAt: number;
  private lastPingAt: number;
  /** When the first ping since the last pong went out; undefined when none is unanswered. */
  private unansweredSince: number | undefined;

  constructor(private readonly policy: HeartbeatPolicy, now: number) {
    this.lastPongAt = now;
    this.lastPingAt = now;
  }

  pong(now: number): void {
    this.lastPongAt = now;
    this.unansweredSince = undefined;
  }

  /** What the connection must do now: drop it, send a ping, or nothing. */
  tick(now: number): 'drop' | 'ping' | undefined {
    const p = this.policy;
    const since = p.dropFrom === 'last-pong' ? this.lastPongAt : this.unansweredSince;
    if (since !== undefined && now - since >= p.pongTimeout) return 'drop';
    if (p.oneOutstanding && this.unansweredSince !== undefined) return undefined;
    if (now - this.lastPingAt < p.period - p.early) return undefined;
    this.lastPingAt = now;
    this.unansweredSince ??= now;
    return 'ping';
  }
}
