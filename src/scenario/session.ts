/**
 * One scenario client on one connection: an inbox of received messages that expectations consume,
 * the automatic heartbeat answer, and the last request sent (what `reply: true` correlates with).
 * Every event is handed to the case (transcript, validation) before it reaches the inbox.
 */
import type { Profile } from '../profile/types.js';
import type { CloseResult, Connection, InboundEvent } from '../transport/types.js';
import { CorrelationIds, fillEnvelope } from './compose.js';
import type { ClientDef, HeartbeatMode } from './model.js';

export interface Received {
  value: unknown;
  /** Value of the naming field, when the message is an object that has one. */
  name: string | undefined;
  /** Milliseconds since the case started. */
  at: number;
  /** Index of its transcript entry. */
  transcriptIndex: number;
  consumed: boolean;
}

export interface CloseInfo {
  code?: number;
  reason?: string;
  clean: boolean;
  at: number;
  transcriptIndex: number;
}

/** What a client reports to its case. */
export interface SessionHost {
  /** Records an inbound message (validating it); returns its transcript index. */
  inbound(client: string, value: unknown, bytes: number, heartbeat: boolean): { index: number; name: string | undefined };
  /** Records an outbound message; returns its transcript index. */
  outbound(client: string, value: unknown, raw: string | Uint8Array | undefined, heartbeat: boolean): number;
  event(client: string, event: Exclude<InboundEvent, { kind: 'message' }>): number;
  /** Milliseconds since the case started. */
  now(): number;
}

export class ScenarioClient {
  conn: Connection | undefined;
  readonly inbox: Received[] = [];
  closed: CloseInfo | undefined;
  lastRequest: { correlation: unknown; name: string; at: number } | undefined;
  readonly ids: CorrelationIds;
  private wakers = new Set<() => void>();
  heartbeatsAnswered = 0;

  constructor(
    readonly def: ClientDef,
    private readonly profile: Profile,
    private readonly host: SessionHost,
    runId: string,
  ) {
    this.ids = new CorrelationIds(profile.correlation.generator, `${runId}-${def.name}`);
  }

  get name(): string {
    return this.def.name;
  }

  get heartbeat(): HeartbeatMode {
    return this.def.heartbeat;
  }

  /** Takes a new connection (a reconnect replaces the previous one, which is torn down). */
  attach(conn: Connection): void {
    if (this.conn && this.conn !== conn) {
      this.conn.setListener(null);
      this.conn.destroy();
    }
    this.conn = conn;
    this.closed = undefined;
    conn.setListener((event) => this.onEvent(event));
  }

  private onEvent(event: InboundEvent): void {
    if (event.kind === 'message') {
      const ping = this.isPing(event.value);
      const { index, name } = this.host.inbound(this.name, event.value, event.bytes, ping && this.heartbeat !== 'manual');
      if (ping && this.heartbeat === 'auto') {
        this.answerPing(event.value as Record<string, unknown>);
      } else if (!(ping && this.heartbeat === 'ignore')) {
        this.inbox.push({ value: event.value, name, at: this.host.now(), transcriptIndex: index, consumed: false });
      }
    } else {
      const index = this.host.event(this.name, event);
      if (event.kind === 'close') {
        this.closed = { code: event.code, reason: event.reason, clean: event.clean, at: this.host.now(), transcriptIndex: index };
      }
    }
    this.wake();
  }

  private isPing(value: unknown): boolean {
    const hb = this.profile.heartbeat;
    if (!hb || hb.initiator !== 'server' || value === null || typeof value !== 'object') return false;
    return (value as Record<string, unknown>)[this.profile.namingField] === hb.ping;
  }

  /** The pong echoes the ping's echo field; `data: {}` mirrors a ping that carries `data`. */
  private answerPing(ping: Record<string, unknown>): void {
    const hb = this.profile.heartbeat;
    if (!hb || !this.conn || this.conn.closed) return;
    const pong: Record<string, unknown> = { [this.profile.namingField]: hb.pong };
    if (hb.echoField && ping[hb.echoField] !== undefined) pong[hb.echoField] = ping[hb.echoField];
    if ('data' in ping) pong.data = {};
    fillEnvelope(this.profile, pong, this.ids);
    this.heartbeatsAnswered += 1;
    this.host.outbound(this.name, pong, undefined, true);
    this.conn.send(pong).catch(() => {
      // The connection went away; its close event says so.
    });
  }

  async send(value: unknown): Promise<void> {
    if (!this.conn) throw new Error(`${this.name} is not connected`);
    this.host.outbound(this.name, value, undefined, false);
    await this.conn.send(value);
  }

  async sendRaw(data: string | Uint8Array): Promise<void> {
    if (!this.conn) throw new Error(`${this.name} is not connected`);
    this.host.outbound(this.name, undefined, data, false);
    await this.conn.sendRaw(data);
  }

  /** Resolves on the next event or when `ms` passes (whichever first). */
  waitForEvent(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Wakes every waiter (also used when the case is aborted). */
  wake(): void {
    for (const w of [...this.wakers]) w();
  }

  async close(code?: number): Promise<CloseResult | undefined> {
    if (!this.conn || this.conn.closed) return undefined;
    return this.conn.close(code, undefined, 2000);
  }

  destroy(): void {
    this.conn?.destroy();
    this.wake();
  }
}
