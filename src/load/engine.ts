/**
 * One slice of a load run in one thread: the virtual clients of whole rooms, one scheduler timer
 * for all of them, and the metrics they emit into one MetricsStore. Workers and shards each run a
 * slice; their results (encoded metrics, per-room integrity, limit tallies) add up exactly.
 *
 * Timeline (ms from t0): clients start spread over the ramp; sends run on each client's open-model
 * timetable from `ramp + SETTLE` for `duration`; then a drain waits for replies and deliveries
 * still in flight (at most `drain`), and every connection is closed.
 */
import { performance } from 'node:perf_hooks';
import { codecFor } from '../codec/index.js';
import type { Codec } from '../codec/types.js';
import { isCcError } from '../errors.js';
import { Snapshotter, type MetricsSnapshot } from '../metrics/snapshots.js';
import type { EncodedMetrics } from '../metrics/store.js';
import { MetricsStore } from '../metrics/store.js';
import type { Recorder } from '../metrics/recorder.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import type { GeneratorHealth, HistogramSummary } from '../report/model.js';
import { openClient } from '../auth/open-client.js';
import { splitPath } from '../util/dotted-path.js';
import { evaluate, type Template, type TemplateContext } from '../scenario/template.js';
import { mintVariant, resolveSigningKey, type JwtKeySources, type JwtSigningKey } from '../auth/tokens.js';
import { getValidator, warmValidator } from '../profile/validator.js';
import type { ProfileValidator } from '../spec/validator.js';
import { connect } from '../transport/connect.js';
import type { Connection, InboundEvent } from '../transport/types.js';
import { ClientState, readKeys, RequestKind, stampPath, VirtualClient, type RoomState } from './client.js';
import { HealthMonitor } from './health.js';
import { IntegrityTracker, integrityMarker, readIntegrityMarker, readNumericMarker, type DeliveryHandle, type RoomIntegrity } from './integrity.js';
import { addExample, emptyTally, type LimitTally } from './limits.js';
import type { LoadPlan, MessagePlan } from './plan.js';
import { roomOf } from './plan.js';
import { Scheduler, timetable } from './schedule.js';
import { isoNow, SendTemplate, type FillPlan } from './send-template.js';

/** Time between the end of the ramp and the first scheduled send, so the last joins complete. */
export const SETTLE_MS = 500;

export interface LoadTimers {
  connectTimeout: number;
  responseTimeout: number;
  pingInterval: number;
  pongTimeout: number;
}

export interface SliceOptions {
  plan: LoadPlan & { durationMs: number };
  /** Profile name or AsyncAPI path. */
  profile: string;
  targetUrl: string;
  jwt: JwtKeySources;
  timers: LoadTimers;
  limits: { maxTextChars: number; maxMessageBytes: number };
  /** Regular clients [from, to) (whole rooms) and silent clients [from, to), global numbering. */
  range: [number, number];
  silent: [number, number];
  /** Unique per run: correlation ids carry it. */
  runTag: string;
  /** Validate every inbound message (default true). */
  validate?: boolean;
  /** Slack on timer checks. */
  toleranceMs: number;
}

/**
 * Live figures, cheap to make every second: no histogram is encoded. `interval` holds the counter
 * deltas and percentiles since the previous call; `summaries` (when asked for) the running
 * percentiles, for thresholds judged during the run.
 */
export interface SliceProgress {
  connected: number;
  authenticated: number;
  counters: Record<string, number>;
  interval: MetricsSnapshot;
  summaries?: Record<string, HistogramSummary>;
}

export interface SliceResult {
  clients: number;
  metrics: EncodedMetrics;
  delivery: RoomIntegrity[];
  unknownDeliveries: number;
  limits: LimitTally;
  health: GeneratorHealth;
  /** Ms from t0 to the end of the steady phase, as run (shorter when stopped). */
  ranMs: number;
}

const NOOP = (): void => undefined;

/** Counters kept as plain numbers on the hot path and flushed into the store as deltas. */
const COUNTERS = [
  'messages.sent', 'messages.received', 'bytes.sent', 'bytes.received', 'schema.violations', 'timeouts', 'reconnects',
  'reconnect.attempts', 'reconnect.failed', 'drops', 'connections.opened', 'connections.closed', 'connect.errors',
  'sends.skipped', 'sends.waiting', 'delivery.unmarked', 'connections.current', 'messages.other', 'replies.lost_on_close', 'heartbeats.answered',
] as const;
type CounterName = (typeof COUNTERS)[number];

export class LoadSlice {
  readonly store = new MetricsStore();
  private readonly snapshots = new Snapshotter(this.store);
  private readonly counts: Record<CounterName, number> = Object.fromEntries(COUNTERS.map((n) => [n, 0])) as Record<CounterName, number>;
  private readonly flushed: Record<CounterName, number> = Object.fromEntries(COUNTERS.map((n) => [n, 0])) as Record<CounterName, number>;
  private readonly scheduler = new Scheduler();
  private readonly tracker = new IntegrityTracker();
  private readonly tally = emptyTally();
  private readonly profile: Profile;
  private readonly validator: ProfileValidator | undefined;
  private readonly codec: Codec;
  private readonly key: JwtSigningKey;
  private readonly clients: VirtualClient[] = [];
  private readonly rooms = new Map<number, RoomState>();
  private readonly plan: LoadPlan & { durationMs: number };
  private t0 = 0;
  private sendStart = 0;
  private sendEnd = 0;
  private readonly markerKeys: (string | number)[];
  private readonly textKeys: (string | number)[];
  /** Where a failure's error code sits (profile errorCodePath); undefined: `error_code` or `code`. */
  private readonly errorCodeKeys: (string | number)[] | undefined;
  private readonly replyKeys: (string | number)[];
  private readonly requestKeys: (string | number)[];
  private readonly autofill: [(string | number)[], 'now-iso' | 'correlation-id'][];
  /** What `fill()` writes, for the send templates. */
  private readonly fillPlan: FillPlan;
  private readonly sendExpectsReply: boolean;
  /** The sender's own copy of its message is its reply (delivery.echo and no correlated success reply). */
  private readonly echoIsReply: boolean;
  private readonly joinAck: string | undefined;
  private readonly rec: Record<'connect' | 'auth' | 'reply' | 'replyScheduled' | 'delivery', Recorder>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly health = new HealthMonitor();
  private stopping = false;
  private flushedOnce = false;
  private endResolve: (() => void) | undefined;
  private connected = 0;
  private authenticated = 0;
  private stoppedAt = 0;
  private readonly taken = { scheduledAt: 0, sentAt: 0 };
  /** Out-parameter of readNumericMarker. */
  private readonly markerSender = { sender: 0 };
  private readonly expired = (c: VirtualClient, kind: RequestKind): void => this.onExpired(c, kind);

  constructor(private readonly options: SliceOptions) {
    this.plan = options.plan;
    this.profile = loadProfile(options.profile);
    if (options.validate !== false) {
      warmValidator(this.profile);
      this.validator = getValidator(this.profile);
    }
    this.codec = codecFor(this.profile.codec);
    this.key = resolveSigningKey(options.jwt);
    this.markerKeys = splitPath(this.plan.send.markerPath);
    this.textKeys = splitPath(this.plan.delivery.textPath);
    this.errorCodeKeys = this.profile.errorCodePath === undefined ? undefined : splitPath(this.profile.errorCodePath);
    this.replyKeys = splitPath(this.profile.correlation.replyField);
    this.requestKeys = splitPath(this.profile.correlation.requestField);
    this.autofill = Object.entries(this.profile.autofill).map(([path, kind]) => [splitPath(path), kind]);
    this.fillPlan = { autofill: this.autofill, requestKeys: this.requestKeys };
    const sendId = this.profile.messages.find((m) => m.direction === 'client' && m.name === this.plan.send.message)?.id;
    // A reply the spec lists only as an error (envelope: chat.message is answered only when refused)
    // is not awaited: tracking it would time out every successful send.
    const errorId = this.profile.messages.find((m) => m.direction === 'server' && m.name === this.profile.errorMessage)?.id;
    this.sendExpectsReply = this.profile.operations.some((o) => o.request === sendId && o.replies.some((r) => r !== errorId));
    this.echoIsReply = this.plan.delivery.echo === true && !this.sendExpectsReply;
    this.joinAck = this.plan.join?.ack;
    // Created up front so every report lists them, even when a run produced no value; the hot path
    // keeps the recorders rather than looking names up per value.
    this.rec = {
      connect: this.store.recorder('connect'),
      auth: this.store.recorder('auth'),
      reply: this.store.recorder('reply'),
      replyScheduled: this.store.recorder('reply_scheduled'),
      delivery: this.store.recorder('delivery'),
    };
    const handlers = { event: (c: VirtualClient, e: InboundEvent) => this.onEvent(c, e), tick: (c: VirtualClient, at: number) => this.onTick(c, at) };
    const limits = this.plan.limits;
    const [from, to] = options.range;
    for (let i = from; i < to; i++) {
      const roomIndex = roomOf(this.plan, i);
      let room = this.rooms.get(roomIndex);
      if (!room) {
        room = { index: roomIndex, label: `r${roomIndex}`, id: this.plan.create ? undefined : `r${roomIndex}`, members: [], active: 0, waiting: [], settled: false };
        this.rooms.set(roomIndex, room);
      }
      const position = i % this.plan.roomSize;
      const textProbe = limits !== undefined && position === 0 && roomIndex < limits.textProbes;
      const oversize = limits !== undefined && position === this.plan.roomSize - 1 && this.plan.roomSize > 1 && roomIndex < limits.oversizeSenders;
      const c = new VirtualClient(i, this.plan.userIdBase + i, room, `${options.runTag}c${i}-`, false, textProbe, oversize, handlers);
      c.slot = room.members.length;
      room.members.push(c);
      this.clients.push(c);
    }
    for (let i = options.silent[0]; i < options.silent[1]; i++) {
      this.clients.push(new VirtualClient(i, this.plan.userIdBase + i, undefined, `${options.runTag}c${i}-`, true, false, false, handlers));
    }
    // Minted before the run: jsonwebtoken takes about a millisecond a token, too slow for the ramp.
    if (this.profile.auth.kind !== 'none') {
      for (const c of this.clients) c.token = mintVariant('valid', { sub: String(c.userId), nickname: `vu${c.index}` }, this.key);
    }
  }

  get clientCount(): number {
    return this.clients.length;
  }

  /** Live figures for progress lines and --abort-on-fail. */
  progress(withSummaries = false): SliceProgress {
    this.flushCounters();
    const progress: SliceProgress = {
      connected: this.connected,
      authenticated: this.authenticated,
      counters: this.store.counters(),
      interval: this.snapshots.take(Math.round(performance.now() - this.t0)),
    };
    if (withSummaries) {
      progress.summaries = {};
      for (const name of this.store.histogramNames()) {
        const h = this.store.histogram(name);
        const count = h.totalCount;
        const at = (p: number): number => (count === 0 ? 0 : h.getValueAtPercentile(p));
        progress.summaries[name] = { unit: 'us', count, min: at(0), mean: count ? h.mean : 0, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: at(100), encoded: '' };
      }
    }
    return progress;
  }

  /** Ends the run early (Ctrl-C, --abort-on-fail): no drain, connections closed, results kept. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.endResolve?.();
  }

  /** Runs the slice with t0 at `startEpochMs` (shared by every worker of the run, so they ramp together). */
  async run(startEpochMs: number): Promise<SliceResult> {
    this.t0 = performance.now() + (startEpochMs - Date.now());
    const total = Math.max(1, this.plan.clients);
    for (const c of this.clients) {
      this.scheduler.at(this.t0 + (this.plan.rampMs * c.index) / total, () => this.startClient(c));
    }
    const sweepEvery = Math.max(10, Math.min(250, this.options.timers.responseTimeout / 4));
    const sweep = setInterval(() => this.sweep(), sweepEvery);
    const endTimer = new Promise<void>((resolve) => {
      this.endResolve = resolve;
      if (this.stopping) resolve();
    });
    // Setup (connect, authenticate, join) is not measured against the timetable: the steady phase
    // starts once every client has settled (or the setup deadline passed), then runs its full length.
    const setupDeadline = this.t0 + this.plan.rampMs + SETTLE_MS + this.options.timers.connectTimeout + this.options.timers.responseTimeout;
    while (!this.stopping && !this.allSettled() && performance.now() < setupDeadline) await this.pause(10);
    this.sendStart = Math.max(this.t0 + this.plan.rampMs + SETTLE_MS, performance.now() + 20);
    this.sendEnd = this.sendStart + this.plan.durationMs;
    if (!this.stopping) {
      const t = setTimeout(() => this.endResolve?.(), Math.max(0, this.sendEnd - performance.now()));
      this.timers.add(t);
    }
    for (const c of this.clients) {
      if (c.silent) continue;
      // Spread clients over the interval with the golden ratio so they never fire together.
      // Rate 0 (no scenario can ask for it; bench/load.ts's idle clients do): connected, authenticated, answering PING only.
      const table = timetable(this.sendStart, this.sendEnd, this.plan.rate, (c.index * 0.6180339887) % 1);
      const first = this.plan.rate > 0 ? table.next() : undefined;
      if (first !== undefined) {
        c.table = table;
        this.scheduler.at(first, c.onTick);
      }
      if (c.textProbe) {
        this.scheduler.at(this.sendStart + this.plan.durationMs * 0.3, () => this.sendProbe(c, RequestKind.TextMax));
        this.scheduler.at(this.sendStart + this.plan.durationMs * 0.35, () => this.sendProbe(c, RequestKind.TextOver));
      }
      if (c.oversize) this.scheduler.at(this.sendStart + this.plan.durationMs * 0.5, () => this.sendOversize(c));
    }
    await endTimer;
    this.stoppedAt = performance.now();
    if (!this.stopping) this.scheduler.runBefore(this.sendEnd);
    this.scheduler.stop();
    if (!this.stopping) await this.drain();
    clearInterval(sweep);
    this.stopping = true;
    this.observeEnd();
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.clients.map((c) => this.closeClient(c)));
    this.flushCounters();
    const totals = this.tracker.totals();
    const delivery = this.tracker.report();
    this.tally.deliveryLost = totals.lost + totals.duplicated;
    return {
      clients: this.clients.length,
      metrics: this.store.encode(),
      delivery,
      unknownDeliveries: totals.unknown,
      limits: this.tally,
      health: this.health.stop(),
      ranMs: Math.max(0, Math.min(this.stoppedAt, this.sendEnd || this.stoppedAt) - this.t0),
    };
  }

  // ---- connection lifecycle -------------------------------------------------------------

  private startClient(c: VirtualClient): void {
    if (this.stopping || c.state !== ClientState.Idle) return;
    void this.connectClient(c);
  }

  private async connectClient(c: VirtualClient): Promise<void> {
    c.state = ClientState.Connecting;
    c.connectStartedAt = performance.now();
    const token = c.token;
    let conn: Connection;
    try {
      conn = await this.open(c, token);
    } catch (err) {
      this.counts['connect.errors']++;
      if (isCcError(err)) this.store.increment(`errors.${err.code}`);
      this.afterLoss(c);
      return;
    }
    if (this.stopping) {
      conn.destroy();
      return;
    }
    this.rec.connect.record((performance.now() - c.connectStartedAt) * 1000);
    this.counts['connections.opened']++;
    this.counts['connections.current']++;
    this.connected++;
    c.conn = conn;
    conn.setListener(c.onEvent);
    const auth = this.profile.auth;
    if (auth.kind === 'message') {
      c.state = ClientState.Authenticating;
      const message: Record<string, unknown> = { [this.profile.namingField]: auth.message };
      stampPath(message, splitPath(auth.tokenPath), token);
      this.request(c, message, RequestKind.Auth, performance.now());
    } else {
      // The token was checked while connecting (query: in the handshake; http-login: the login
      // POST before it): authentication took the whole open.
      if (auth.kind !== 'none') this.rec.auth.record((performance.now() - c.connectStartedAt) * 1000);
      this.onAuthenticated(c);
    }
  }

  private open(c: VirtualClient, token: string): Promise<Connection> {
    const auth = this.profile.auth;
    const maxInboundBytes = Math.max(4 * 1024 * 1024, this.options.limits.maxMessageBytes * 2);
    if (auth.kind === 'http-login') {
      // The login dance lives in the scenario runner's openClient; no transcript and no frame
      // observer under load (the engine reads neither).
      return openClient(this.profile, { url: this.options.targetUrl, token, connectTimeout: this.options.timers.connectTimeout, maxInboundBytes, insecure: false, lenient: false, record: false, observe: false })
        .then((r) => {
          if (r.kind === 'open') {
            c.login = r.login ?? null;
            return r.conn;
          }
          throw new Error(r.reason);
        });
    }
    return connect({
      url: this.options.targetUrl,
      codec: this.profile.codec,
      framing: this.profile.framing,
      connectTimeout: this.options.timers.connectTimeout,
      maxInboundBytes,
      record: false,
      observe: false,
      ...(auth.kind === 'query' && token ? { query: { [auth.param]: token } } : {}),
    });
  }

  private onAuthenticated(c: VirtualClient): void {
    const now = performance.now();
    const first = c.authAt < 0;
    if (first) c.authAt = now;
    c.lastPingAt = now;
    this.authenticated++;
    if (this.authenticated > this.tally.authenticatedPeak) this.tally.authenticatedPeak = this.authenticated;
    if (c.reconnectAttempt > 0) {
      this.counts.reconnects++;
      c.reconnectAttempt = 0;
    }
    if (c.silent) {
      c.state = ClientState.Silent;
      return;
    }
    const room = c.room;
    if (!room) return this.ready(c);
    if (c.sendProto !== undefined) {
      // Session recovery (assa.D12): membership survives a reconnect, no new join.
      this.becomeMember(c);
      return;
    }
    if (this.plan.create && room.members[0] === c) {
      c.state = ClientState.Joining;
      this.request(c, this.compose(c, this.plan.create), RequestKind.Create, now);
    } else if (room.id === undefined) {
      c.state = ClientState.WaitingForRoom;
      room.waiting.push(c);
    } else this.join(c);
  }

  private join(c: VirtualClient): void {
    if (!this.plan.join) return this.becomeMember(c);
    c.state = ClientState.Joining;
    c.joinId = c.nextId;
    this.request(c, this.compose(c, this.plan.join), RequestKind.Join, performance.now());
  }

  private becomeMember(c: VirtualClient): void {
    const room = c.room as RoomState;
    if (!c.joined) {
      c.joined = true;
      room.active++;
    }
    this.ready(c);
  }

  private ready(c: VirtualClient): void {
    c.state = ClientState.Ready;
    if (c.sendProto !== undefined) return;
    const proto = this.compose(c, this.plan.send);
    c.sendProto = proto;
    const original = readKeys(proto, this.markerKeys);
    c.sendSuffix = typeof original === 'string' && original ? ` ${original}` : '';
    if (this.profile.codec === 'json') {
      c.sendTemplate = SendTemplate.build(proto, this.markerKeys, c.sendSuffix, this.fillPlan, this.profile.correlation.generator === 'int32' ? undefined : c.prefix);
    }
  }

  /** Evaluates a message template for this client (once per client and message, never per send). */
  private compose(c: VirtualClient, spec: MessagePlan): Record<string, unknown> {
    const vars: Record<string, unknown> = {
      client: c.index, user_id: c.userId, nickname: `vu${c.index}`, room: c.room?.index ?? 0, room_id: c.room?.id ?? null, login: c.login,
    };
    const ctx: TemplateContext = {
      lookup: (name) => vars[name],
      has: (name) => name in vars,
      uid: (prefix) => `${prefix}${this.options.runTag}${c.index}`,
      now: () => Date.now(),
    };
    const message: Record<string, unknown> = {};
    if (spec.fields) Object.assign(message, evaluate(spec.fields as Template, ctx) as Record<string, unknown>);
    message[this.profile.namingField] = spec.message;
    if (spec.data) message.data = evaluate(spec.data as Template, ctx);
    return message;
  }

  /** Autofills, correlates, encodes and sends; the request is tracked for its reply. */
  private request(c: VirtualClient, message: Record<string, unknown>, kind: RequestKind, scheduledAt: number): void {
    const id = c.nextId++;
    this.fill(c, message, id);
    this.track(c, id, kind, scheduledAt, performance.now());
    this.write(c, this.codec.encode(message));
  }

  /** Awaits the reply to request `id` (sends only when the profile answers them). */
  private track(c: VirtualClient, id: number, kind: RequestKind, scheduledAt: number, sentAt: number): void {
    if (kind !== RequestKind.Send || this.sendExpectsReply) {
      const evicted = c.track(id, kind, scheduledAt, sentAt);
      if (evicted !== RequestKind.None) this.onExpired(c, evicted);
    }
  }

  private fill(c: VirtualClient, message: Record<string, unknown>, id: number): void {
    for (const [keys, kind] of this.autofill) {
      if (readKeys(message, keys) !== undefined) continue;
      stampPath(message, keys, kind === 'now-iso' ? isoNow() : this.profile.correlation.generator === 'int32' ? id : c.prefix + id);
    }
    // A correlation field the profile does not autofill is still set: replies need it.
    if (readKeys(message, this.requestKeys) === undefined) {
      stampPath(message, this.requestKeys, this.profile.correlation.generator === 'int32' ? id : c.prefix + id);
    }
  }

  /** `bytes`: the payload's size when the caller knows it already. */
  private write(c: VirtualClient, payload: string | Uint8Array, bytes?: number): void {
    const conn = c.conn;
    if (!conn || conn.closed) return;
    this.counts['messages.sent']++;
    this.counts['bytes.sent'] += bytes ?? (typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
    conn.sendRaw(payload).catch(NOOP);
  }

  // ---- sending ---------------------------------------------------------------------------

  private onTick(c: VirtualClient, scheduledAt: number): void {
    const next = c.table?.next();
    if (next !== undefined) this.scheduler.at(next, c.onTick);
    if (c.state !== ClientState.Ready || !c.sendProto) {
      this.counts['sends.skipped']++;
      return;
    }
    if (!this.settled(c.room as RoomState)) {
      this.counts['sends.waiting']++;
      return;
    }
    this.sendMarked(c, c.sendSuffix, scheduledAt, RequestKind.Send);
  }

  /** Every client has finished its setup: authenticated and joined, silent, lost (reconnecting) or given up. */
  private allSettled(): boolean {
    for (const c of this.clients) {
      const s = c.state;
      if (s !== ClientState.Ready && s !== ClientState.Silent && s !== ClientState.Dead && s !== ClientState.Reconnecting) return false;
    }
    return true;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private settled(room: RoomState): boolean {
    if (room.settled) return true;
    for (const m of room.members) {
      if (m.state !== ClientState.Ready && m.state !== ClientState.Dead && m.state !== ClientState.Reconnecting) return false;
    }
    room.settled = true;
    return true;
  }

  /** Sends the client's message with an integrity marker in front of `suffix`. */
  private sendMarked(c: VirtualClient, suffix: string, scheduledAt: number, kind: RequestKind): void {
    const room = c.room as RoomState;
    const seq = c.sendSeq++;
    const marker = integrityMarker(c.name, seq);
    c.sendHandle ??= this.tracker.sendHandle(room.label, c.name);
    c.sendHandle.send(seq, Math.max(0, room.active - (c.joined && this.plan.delivery.echo !== true ? 1 : 0)));
    const template = c.sendTemplate;
    if (template !== undefined && suffix === c.sendSuffix) {
      // The regular send: the pre-encoded message with this send's marker, id and time (see send-template.ts).
      const id = c.nextId++;
      const sentAt = performance.now();
      c.recordSendTime(seq, sentAt);
      if (this.echoIsReply) c.recordScheduledTime(seq, scheduledAt);
      this.track(c, id, kind, scheduledAt, sentAt);
      const text = template.render(marker, id, isoNow());
      this.write(c, text, template.byteLength(text));
      return;
    }
    const message = stampPath({ ...(c.sendProto as Record<string, unknown>) }, this.markerKeys, marker + suffix);
    c.recordSendTime(seq, performance.now());
    if (this.echoIsReply) c.recordScheduledTime(seq, scheduledAt);
    this.request(c, message, kind, scheduledAt);
  }

  private sendProbe(c: VirtualClient, kind: RequestKind.TextMax | RequestKind.TextOver): void {
    if (c.state !== ClientState.Ready || !c.sendProto) {
      this.counts['sends.skipped']++;
      return;
    }
    const max = this.options.limits.maxTextChars;
    if (kind === RequestKind.TextMax) {
      this.tally.textMaxSent++;
      const marker = integrityMarker(c.name, c.sendSeq);
      this.sendMarked(c, ' '.padEnd(max - marker.length, 'x'), performance.now(), kind);
    } else {
      this.tally.textOverSent++;
      const message = stampPath({ ...c.sendProto }, this.markerKeys, 'y'.repeat(max + 1));
      this.request(c, message, kind, performance.now());
    }
  }

  /** One message of exactly maxMessageBytes + 1 bytes (JSON), sent raw. */
  private sendOversize(c: VirtualClient): void {
    if (c.state !== ClientState.Ready || !c.sendProto || this.profile.codec !== 'json') return;
    const message = stampPath({ ...c.sendProto }, this.markerKeys, '');
    this.fill(c, message, c.nextId++);
    const empty = Buffer.byteLength(JSON.stringify(message));
    const size = this.options.limits.maxMessageBytes + 1;
    stampPath(message, this.markerKeys, 'z'.repeat(Math.max(0, size - empty)));
    this.tally.oversizeSent++;
    c.oversizeSentAt = performance.now();
    this.write(c, JSON.stringify(message));
  }

  // ---- receiving --------------------------------------------------------------------------

  private onEvent(c: VirtualClient, event: InboundEvent): void {
    if (event.kind === 'message') this.onMessage(c, event.value, event.bytes, event.at);
    else if (event.kind === 'close') this.onClose(c, event.code);
  }

  /** `at`: when the transport decoded it (performance.now()), the receive time of every figure. */
  private onMessage(c: VirtualClient, value: unknown, bytes: number, at: number): void {
    this.counts['messages.received']++;
    this.counts['bytes.received'] += bytes;
    if (this.validator && this.validator.validate('server', value).kind !== 'valid') this.counts['schema.violations']++;
    if (value === null || typeof value !== 'object') return;
    const msg = value as Record<string, unknown>;
    const name = msg[this.profile.namingField];
    const hb = this.profile.heartbeat;
    if (hb && hb.initiator === 'server' && name === hb.ping) return this.onPing(c, msg, hb.pong, hb.echoField);
    if (name === this.plan.delivery.message) return this.onDelivery(c, msg, at);
    if (name === this.joinAck && c.state === ClientState.Joining && c.take(c.joinId, this.taken) === RequestKind.Join) return this.becomeMember(c);
    const correlation = readKeys(msg, this.replyKeys);
    const id = this.idOf(c, correlation);
    const kind = id < 0 ? RequestKind.None : c.take(id, this.taken);
    const failed = name === this.profile.errorMessage || msg.success === false;
    const code = failed ? String((this.errorCodeKeys ? readKeys(msg, this.errorCodeKeys) : (msg.error_code ?? msg.code)) ?? 'UNKNOWN') : '';
    if (kind === RequestKind.None) {
      if (failed && c.oversize && c.oversizeSentAt >= 0 && !c.oversizeAnswered && code === 'MESSAGE_TOO_LONG') {
        c.oversizeAnswered = true;
        this.tally.oversizeRefused++;
        this.store.increment('refusals.MESSAGE_TOO_LONG');
        return;
      }
      if (failed) this.store.increment(`errors.${code}`);
      else this.counts['messages.other']++;
      return;
    }
    const now = at;
    switch (kind) {
      case RequestKind.Auth:
        this.rec.auth.record((now - this.taken.sentAt) * 1000);
        if (failed) {
          this.store.increment(`errors.${code}`);
          this.tally.authFailed++;
          c.state = ClientState.Dead;
          c.conn?.destroy();
        } else this.onAuthenticated(c);
        return;
      case RequestKind.Create: {
        if (failed) {
          this.store.increment(`errors.${code}`);
          return;
        }
        const room = c.room as RoomState;
        room.id = readKeys(msg, splitPath((this.plan.create as { idPath: string }).idPath));
        this.becomeMember(c);
        for (const w of room.waiting.splice(0)) if (w.state === ClientState.WaitingForRoom) this.join(w);
        return;
      }
      case RequestKind.Join:
        if (failed) this.store.increment(`errors.${code}`);
        else this.becomeMember(c);
        return;
      case RequestKind.Send:
      case RequestKind.TextMax:
        this.rec.reply.record((now - this.taken.sentAt) * 1000);
        this.rec.replyScheduled.record((now - this.taken.scheduledAt) * 1000);
        if (kind === RequestKind.TextMax) {
          if (failed) this.tally.textMaxRefused++;
          else this.tally.textMaxAccepted++;
        }
        if (failed) this.store.increment(`errors.${code}`);
        return;
      case RequestKind.TextOver:
        if (failed && code === 'MESSAGE_TOO_LONG') {
          this.tally.textOverRefused++;
          this.store.increment('refusals.MESSAGE_TOO_LONG');
        } else {
          this.tally.textOverAccepted++;
          addExample(this.tally, `client ${c.index}: a ${this.options.limits.maxTextChars + 1}-character message was answered ${failed ? `with ${code}` : 'with success'}`);
        }
        return;
      default:
        return;
    }
  }

  private idOf(c: VirtualClient, correlation: unknown): number {
    if (typeof correlation === 'number') return Number.isInteger(correlation) ? correlation : -1;
    if (typeof correlation !== 'string' || !correlation.startsWith(c.prefix)) return -1;
    const n = Number(correlation.slice(c.prefix.length));
    return Number.isInteger(n) ? n : -1;
  }

  private onPing(c: VirtualClient, ping: Record<string, unknown>, pongName: string, echoField: string | undefined): void {
    const now = performance.now();
    if (c.authAt >= 0) {
      const gap = now - c.lastPingAt;
      if (gap > c.maxPingGap) c.maxPingGap = gap;
      c.lastPingAt = now;
      c.pings++;
    }
    if (c.silent) return;
    const pong: Record<string, unknown> = { [this.profile.namingField]: pongName };
    if (echoField && ping[echoField] !== undefined) pong[echoField] = ping[echoField];
    if ('data' in ping) pong.data = {};
    for (const [keys, kind] of this.autofill) {
      if (readKeys(pong, keys) === undefined) stampPath(pong, keys, kind === 'now-iso' ? isoNow() : c.prefix + c.nextId++);
    }
    this.counts['heartbeats.answered']++;
    this.write(c, this.codec.encode(pong));
  }

  private onDelivery(c: VirtualClient, msg: Record<string, unknown>, at: number): void {
    const text = readKeys(msg, this.textKeys);
    if (typeof text !== 'string') {
      this.counts['delivery.unmarked']++;
      return;
    }
    const seq = readNumericMarker(text, this.markerSender);
    if (seq >= 0) {
      const sender = this.clients[this.markerSender.sender - this.options.range[0]];
      if (sender !== undefined && sender.room !== undefined && sender.room === c.room && sender.index === this.markerSender.sender) {
        const handle = (c.fromRoom[sender.slot] ??= this.tracker.deliveryHandle(sender.room.label, sender.name, c.name));
        return this.delivered(c, sender, seq, handle.deliver(seq), at);
      }
    }
    const marker = readIntegrityMarker(text);
    if (!marker) {
      if (text.length > this.options.limits.maxTextChars && [...text].length > this.options.limits.maxTextChars) {
        this.tally.textOverDelivered++;
        addExample(this.tally, `client ${c.index} received a message of ${[...text].length} characters`);
      } else this.counts['delivery.unmarked']++;
      return;
    }
    const senderIndex = Number(marker.sender);
    const sender = this.clients[senderIndex - this.options.range[0]];
    if (!sender || sender.index !== senderIndex || !sender.room) {
      this.tracker.recordDelivery('(foreign)', marker.sender, marker.seq, c.name);
      return;
    }
    let handle = c.from.get(senderIndex);
    if (!handle) {
      handle = this.tracker.deliveryHandle(sender.room.label, sender.name, c.name);
      c.from.set(senderIndex, handle);
    }
    this.delivered(c, sender, marker.seq, handle.deliver(marker.seq), at);
  }

  /** Fan-out latency (and the echo's reply latency) of a first delivery. */
  private delivered(c: VirtualClient, sender: VirtualClient, seq: number, outcome: ReturnType<DeliveryHandle['deliver']>, at: number): void {
    if (outcome === 'ok' || outcome === 'reordered') {
      const sentAt = sender.sendTimes[seq]!;
      this.rec.delivery.record((at - sentAt) * 1000);
      if (sender === c && this.echoIsReply) {
        this.rec.reply.record((at - sentAt) * 1000);
        this.rec.replyScheduled.record((at - c.sendScheduled![seq]!) * 1000);
      }
    }
  }

  private onClose(c: VirtualClient, code: number | undefined): void {
    const now = performance.now();
    c.conn = undefined;
    this.connected--;
    this.counts['connections.closed']++;
    this.counts['connections.current']--;
    if (c.room && c.joined) {
      c.joined = false;
      c.room.active--;
    }
    const wasAuthenticated = c.state === ClientState.Ready || c.state === ClientState.Silent || c.state === ClientState.Joining || c.state === ClientState.WaitingForRoom;
    if (wasAuthenticated) {
      this.authenticated--;
      const gap = now - c.lastPingAt;
      if (gap > c.maxPingGap) c.maxPingGap = gap;
    }
    if (c.pending > 0) c.clearPending((_c, kind) => {
      if (kind === RequestKind.Send) this.counts['replies.lost_on_close']++;
      else this.onExpired(c, kind);
    });
    if (this.stopping || c.state === ClientState.Stopped) {
      c.state = ClientState.Stopped;
      return;
    }
    if (c.state === ClientState.Dead) return;
    this.counts.drops++;
    if (c.serverClosedAt < 0) c.serverClosedAt = now;
    if (c.silent) {
      c.state = ClientState.Dead;
      return;
    }
    const expectedClose = c.oversize && c.oversizeSentAt >= 0 && !c.oversizeAnswered && code === 1009;
    if (expectedClose) {
      c.oversizeAnswered = true;
      this.tally.oversizeRefused++;
    } else if (this.plan.limits) {
      this.tally.unexpectedDrops++;
      addExample(this.tally, `client ${c.index} was disconnected${code !== undefined ? ` (close ${code})` : ''} after ${Math.round(now - this.t0)}ms`);
    }
    this.afterLoss(c);
  }

  /** The reconnection policy (ASSA §10.3): a few attempts with growing backoff, then give up. */
  private afterLoss(c: VirtualClient): void {
    const backoff = this.plan.reconnectBackoffMs;
    if (this.stopping) return;
    if (c.reconnectAttempt >= backoff.length) {
      c.state = ClientState.Dead;
      this.counts['reconnect.failed']++;
      return;
    }
    c.state = ClientState.Reconnecting;
    const delay = backoff[c.reconnectAttempt++] as number;
    this.counts['reconnect.attempts']++;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopping) void this.connectClient(c);
    }, delay);
    this.timers.add(t);
  }

  private onExpired(c: VirtualClient, kind: RequestKind): void {
    this.counts.timeouts++;
    if (kind === RequestKind.TextOver) this.tally.textNoAnswer++;
    if (kind === RequestKind.Auth) c.conn?.destroy();
  }

  private sweep(): void {
    const now = performance.now();
    const deadline = now - this.options.timers.responseTimeout;
    for (const c of this.clients) {
      if (c.pending > 0) c.expire(deadline, this.expired);
      if (c.oversize && c.oversizeSentAt >= 0 && !c.oversizeAnswered && now - c.oversizeSentAt > this.options.timers.responseTimeout) {
        c.oversizeAnswered = true;
        this.tally.oversizeNoAnswer++;
        addExample(this.tally, `client ${c.index}: no refusal of a ${this.options.limits.maxMessageBytes + 1}-byte message within ${this.options.timers.responseTimeout}ms`);
      }
    }
  }

  /** Waits for replies and deliveries in flight, at most `drain` ms. */
  private async drain(): Promise<void> {
    const until = performance.now() + this.plan.drainMs;
    while (!this.stopping && performance.now() < until) {
      let pending = 0;
      for (const c of this.clients) pending += c.pending;
      const totals = this.tracker.totals();
      if (pending === 0 && totals.delivered >= totals.expected) return;
      await this.pause(20);
      this.sweep();
    }
  }

  /** The timer checks need the state of every client at the end of observation. */
  private observeEnd(): void {
    const end = Math.min(this.stoppedAt, this.sendEnd);
    // A late event may be the generator's own stall: allow the longest event-loop delay it measured
    // (a saturated generator is flagged untrustworthy in the report anyway).
    const lag = Math.ceil(this.health.read().eventLoopLagMaxMs);
    this.tally.lagAllowanceMs = Math.max(this.tally.lagAllowanceMs, lag);
    const tol = this.options.toleranceMs + lag;
    const { pingInterval, pongTimeout } = this.options.timers;
    const limits = this.plan.limits;
    for (const c of this.clients) {
      this.tally.clients++;
      if (c.authAt < 0) continue;
      if (c.conn && (c.state === ClientState.Ready || c.state === ClientState.Silent)) {
        const gap = end - c.lastPingAt;
        if (gap > c.maxPingGap) c.maxPingGap = gap;
      }
      const observedUntil = c.serverClosedAt >= 0 ? c.serverClosedAt : end;
      if (observedUntil - c.authAt >= pingInterval + tol || c.pings > 0) {
        this.tally.pingChecked++;
        if (c.maxPingGap > this.tally.pingWorstGapMs) this.tally.pingWorstGapMs = Math.round(c.maxPingGap);
        if (c.maxPingGap > pingInterval + tol) {
          this.tally.pingLate++;
          addExample(this.tally, `client ${c.index} went ${Math.round(c.maxPingGap)}ms without a PING`);
        }
      }
      if (!limits) continue;
      if (c.silent) {
        this.tally.silentChecked++;
        if (c.serverClosedAt < 0) {
          this.tally.silentNever++;
          addExample(this.tally, `silent client ${c.index} was still connected ${Math.round(end - c.authAt)}ms after authenticating`);
        } else {
          const after = c.serverClosedAt - c.authAt;
          if (after > this.tally.silentWorstMs) this.tally.silentWorstMs = Math.round(after);
          if (after < pongTimeout - this.options.toleranceMs) {
            this.tally.silentEarly++;
            addExample(this.tally, `silent client ${c.index} was dropped after ${Math.round(after)}ms, before the ${pongTimeout}ms timeout`);
          } else if (after > pongTimeout + tol) {
            this.tally.silentNever++;
            addExample(this.tally, `silent client ${c.index} was dropped only after ${Math.round(after)}ms`);
          } else this.tally.silentDroppedInWindow++;
        }
      } else if (!c.oversize) {
        if (end - c.authAt > pongTimeout + tol) {
          this.tally.keepaliveChecked++;
          if (c.serverClosedAt >= 0) this.tally.keepaliveDropped++;
        } else this.tally.keepaliveShort++;
      }
    }
  }

  private async closeClient(c: VirtualClient): Promise<void> {
    const conn = c.conn;
    if (c.state !== ClientState.Dead) c.state = ClientState.Stopped;
    if (!conn || conn.closed) return;
    try {
      await conn.close(1000, 'load test finished', 1000);
    } catch {
      conn.destroy();
    }
  }

  private flushCounters(): void {
    for (const name of COUNTERS) {
      const delta = this.counts[name] - this.flushed[name];
      // The first flush writes every counter, zeros too: a threshold on a counter must find it.
      if (delta !== 0 || !this.flushedOnce) this.store.increment(name, delta);
      this.flushed[name] = this.counts[name];
    }
    this.flushedOnce = true;
  }
}
