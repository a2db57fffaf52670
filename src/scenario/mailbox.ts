/**
 * The mailbox of a scenario client: its connection, an inbox of received messages that
 * expectations consume, the automatic heartbeat answer, the last request sent (what `reply: true`
 * correlates with), and the wait for a message that meets a step's criteria under a deadline.
 * Every event is handed to the case (transcript, validation) before it reaches the inbox.
 */
import type { Profile } from '../profile/types.js';
import type { CloseResult, Connection, InboundEvent } from '../transport/types.js';
import { readPath } from '../util/dotted-path.js';
import { formatDuration } from '../util/duration.js';
import type { ClientDef, HeartbeatMode } from './case-parts.js';
import { CorrelationIds, fillEnvelope } from './compose.js';
import type { Failure } from './failure.js';
import { deepEqual, match, type Mismatch } from './match.js';

export interface Received {
  value: unknown;
  /** Value of the naming field, when the message is an object that has one. */
  name: string | undefined;
  /** Milliseconds since the case started. */
  at: number;
  /** Index of its transcript entry (-1 past the transcript's cap). */
  transcriptIndex: number;
  /** Its number among the messages of the case, whatever the transcript kept. */
  seq: number;
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
export interface ClientHost {
  /** Records an inbound message (validating it); returns its transcript index and its number in the case. */
  inbound(client: string, value: unknown, bytes: number, heartbeat: boolean): { index: number; name: string | undefined; seq: number };
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
  /** Connections this client opened (a reconnect is one more). */
  connections = 0;

  constructor(
    readonly def: ClientDef,
    readonly profile: Profile,
    private readonly host: ClientHost,
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

  /** Milliseconds since the case started. */
  now(): number {
    return this.host.now();
  }

  /** `open`, or how the connection closed (code and reason). */
  closeText(): string {
    const closed = this.closed;
    if (!closed) return 'open';
    return `closed${closed.code === undefined ? '' : ` with ${closed.code}`}${closed.reason ? ` ${closed.reason}` : ''}`;
  }

  /** Takes a new connection (a reconnect replaces the previous one, which is torn down). */
  attach(conn: Connection): void {
    if (this.conn && this.conn !== conn) {
      this.conn.setListener(null);
      this.conn.destroy();
    }
    this.conn = conn;
    this.connections += 1;
    this.closed = undefined;
    conn.setListener((event) => this.onEvent(event));
  }

  private onEvent(event: InboundEvent): void {
    if (event.kind === 'message') {
      const ping = this.isPing(event.value);
      const { index, name, seq } = this.host.inbound(this.name, event.value, event.bytes, ping && this.heartbeat !== 'manual');
      if (ping && this.heartbeat === 'auto') {
        this.answerPing(event.value as Record<string, unknown>);
      } else if (!(ping && this.heartbeat === 'ignore')) {
        this.inbox.push({ value: event.value, name, at: this.host.now(), transcriptIndex: index, seq, consumed: false });
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

/**
 * Waits for a message that satisfies `criteria` and `spec`. A reply (correlated) or a `next`
 * message is unique: if it does not match, that is the verdict at once. A named message may
 * come after others of the same name, so the first one that does not match is kept as the
 * evidence in case nothing better arrives before the deadline.
 */
export async function awaitMessage(
  client: ScenarioClient,
  criteria: { reply: boolean; messages: string[]; next: boolean },
  spec: unknown,
  deadline: number,
  /** The step's deadline as written, for messages. */
  waited: number,
  /** True once the case is being stopped. */
  aborted: () => boolean,
): Promise<Received | Failure> {
  const name = client.name;
  const request = client.lastRequest;
  const correlation = client.profile.correlation;
  if (criteria.reply && !request) {
    return { code: 'CC_CASE_NO_REQUEST', message: `${name} has sent no request to expect a reply to`, evidence: { client: name }, verdict: 'ERROR' };
  }
  const awaited = criteria.reply
    ? `reply to ${request?.name} (${correlation.replyField} ${JSON.stringify(request?.correlation)})${criteria.messages.length ? ` as ${criteria.messages.join(' or ')}` : ''}`
    : criteria.messages.join(' or ');
  let closest: { r: Received; m: Mismatch } | undefined;
  const nameOk = (r: Received): boolean => criteria.messages.length === 0 || (r.name !== undefined && criteria.messages.includes(r.name));
  const correlates = (r: Received): boolean => {
    const echoed = readPath(r.value, correlation.replyField);
    return echoed.found && deepEqual(echoed.value, request?.correlation);
  };
  for (;;) {
    for (const r of client.inbox) {
      if (r.consumed) continue;
      const candidate = criteria.reply ? correlates(r) : nameOk(r);
      if (!candidate) {
        if (criteria.next) {
          r.consumed = true;
          return {
            code: 'CC_CHECK_NOT_NEXT',
            message: `${name} expected ${awaited} next, got ${r.name ?? 'an unnamed message'}`,
            evidence: { client: name, message: r.name, expected: awaited, actual: r.value, transcriptIndex: r.transcriptIndex },
            about: r.seq,
          };
        }
        continue;
      }
      if (criteria.reply && !nameOk(r)) {
        r.consumed = true;
        return {
          code: 'CC_CHECK_WRONG_MESSAGE',
          message: `${name} expected ${awaited}, got ${r.name ?? 'an unnamed message'}`,
          evidence: { client: name, message: r.name, pointer: `/${client.profile.namingField}`, expected: criteria.messages.length === 1 ? criteria.messages[0] : criteria.messages, actual: r.name, transcriptIndex: r.transcriptIndex },
          about: r.seq,
        };
      }
      const m = spec === undefined ? undefined : match(spec, r.value);
      if (!m) {
        r.consumed = true;
        return r;
      }
      if (criteria.reply || criteria.next) {
        r.consumed = true;
        return mismatchFailure(name, r, m);
      }
      closest ??= { r, m };
    }
    const left = deadline - client.now();
    if (aborted()) return { code: 'CC_CASE_ABORTED', message: 'the case was stopped', evidence: { client: name }, verdict: 'ERROR' };
    if (left <= 0) break;
    if (client.closed) {
      if (closest) break;
      return {
        code: 'CC_CHECK_CLOSED',
        message: `${name}'s connection closed (${client.closeText()}) while awaiting ${awaited}`,
        evidence: { client: name, expected: awaited, actual: client.closeText(), transcriptIndex: client.closed.transcriptIndex },
      };
    }
    await client.waitForEvent(left);
  }
  if (closest) {
    closest.r.consumed = true;
    return mismatchFailure(name, closest.r, closest.m);
  }
  return {
    code: 'CC_CHECK_TIMEOUT',
    message: `${name} received no ${awaited} within ${formatDuration(waited)}`,
    evidence: { client: name, ...(criteria.messages[0] ? { message: criteria.messages[0] } : {}), expected: awaited, actual: 'nothing' },
  };
}

function mismatchFailure(client: string, r: Received, m: Mismatch): Failure {
  return {
    code: 'CC_CHECK_MISMATCH',
    message: `${r.name ?? 'the message'} to ${client}: ${m.pointer || '/'} ${m.reason}`,
    evidence: { client, message: r.name, pointer: m.pointer, expected: m.expected, actual: m.actual, transcriptIndex: r.transcriptIndex },
    about: r.seq,
  };
}
