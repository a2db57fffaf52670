/**
 * The state one slice's parts share (the connection lifecycle, the limit probes, the hot loop):
 * its clients and rooms, its counters, recorders and integrity tracker, the timeline, and the few
 * things every part does the same way: send a request and await its reply, write a payload, send
 * a marked message, give up on a request.
 */
import { performance } from 'node:perf_hooks';
import type { Recorder } from '../metrics/recorder.js';
import { MetricsStore } from '../metrics/store.js';
import type { Profile } from '../profile/types.js';
import { transportDefaults, type TransportDefaults } from '../transport/profile-defaults.js';
import { ClientState, RequestKind, type RoomState, type VirtualClient } from './client.js';
import type { LoadTimers, SliceOptions } from './slice-types.js';
import { HealthMonitor } from './health.js';
import { IntegrityTracker, integrityMarker } from './integrity.js';
import { emptyTally } from './limits.js';
import { ENGINE_COUNTERS } from './metric-names.js';
import { stampPath } from './paths.js';
import type { LoadPlan } from './plan.js';
import type { LoadProtocol } from './protocol.js';
import { Scheduler } from './schedule.js';
import { isoNow } from './send-template.js';
import { ViolationLog } from './violations.js';

/** Counters kept as plain numbers on the hot path and flushed into the store as deltas. */
export type CounterName = (typeof ENGINE_COUNTERS)[number];

export type Recorders = Record<'connect' | 'auth' | 'reply' | 'replyScheduled' | 'delivery', Recorder>;

const NOOP = (): void => undefined;

export class SliceState {
  readonly store = new MetricsStore();
  readonly counts = Object.fromEntries(ENGINE_COUNTERS.map((n) => [n, 0])) as Record<CounterName, number>;
  readonly scheduler = new Scheduler();
  readonly tracker: IntegrityTracker;
  readonly violations: ViolationLog;
  readonly tally = emptyTally();
  readonly health = new HealthMonitor();
  /** The first message of each connection error code. */
  readonly errorSamples: Record<string, string> = {};
  readonly timers = new Set<NodeJS.Timeout>();
  readonly clients: VirtualClient[] = [];
  readonly rooms = new Map<number, RoomState>();
  /** Created up front so every report lists them, even when a run produced no value. */
  readonly rec: Recorders;
  /** Out-parameter of VirtualClient.take: when the request taken was scheduled and sent. */
  readonly taken = { scheduledAt: 0, sentAt: 0 };
  readonly plan: LoadPlan & { durationMs: number };
  readonly timersMs: LoadTimers;
  /** How every client connects: codec, framing, the connect deadline and the inbound size limit. */
  readonly connection: TransportDefaults['connect'];
  t0 = 0;
  sendStart = 0;
  sendEnd = 0;
  stopping = false;
  connected = 0;
  authenticated = 0;
  /** Markers naming no client of the run (corrupted text, a foreign run). */
  unknownMarkers = 0;
  readonly expired = (c: VirtualClient, kind: RequestKind): void => this.onExpired(c, kind);

  constructor(
    readonly options: SliceOptions,
    readonly profile: Profile,
    readonly protocol: LoadProtocol,
  ) {
    this.plan = options.plan;
    this.timersMs = options.timers;
    // The one rule for connection settings, with the run's timers and message size limit.
    this.connection = transportDefaults({
      ...profile,
      limits: { ...profile.limits, maxMessageBytes: options.limits.maxMessageBytes },
      timers: { ...profile.timers, ...options.timers },
    }).connect;
    this.tracker = new IntegrityTracker(protocol.senderCopy);
    this.violations = new ViolationLog(profile.decisionPolicy);
    this.rec = {
      connect: this.store.recorder('connect'),
      auth: this.store.recorder('auth'),
      reply: this.store.recorder('reply'),
      replyScheduled: this.store.recorder('reply_scheduled'),
      delivery: this.store.recorder('delivery'),
    };
  }

  /** Autofills, correlates, encodes and sends; the request is tracked for its reply. */
  request(c: VirtualClient, message: Record<string, unknown>, kind: RequestKind, scheduledAt: number): void {
    const id = c.nextId++;
    this.protocol.fill(message, c.prefix, id);
    this.track(c, id, kind, scheduledAt, performance.now());
    this.write(c, this.protocol.codec.encode(message));
  }

  /** Awaits the reply to request `id` (sends only when the profile answers them). */
  track(c: VirtualClient, id: number, kind: RequestKind, scheduledAt: number, sentAt: number): void {
    if (kind !== RequestKind.Send || this.protocol.sendExpectsReply) {
      this.counts.requests++;
      const evicted = c.track(id, kind, scheduledAt, sentAt);
      if (evicted !== RequestKind.None) this.onExpired(c, evicted);
    }
  }

  /** `bytes`: the payload's size when the caller knows it already. */
  write(c: VirtualClient, payload: string | Uint8Array, bytes?: number): void {
    const conn = c.conn;
    if (!conn || conn.closed) return;
    this.counts['messages.sent']++;
    this.counts['bytes.sent'] += bytes ?? (typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength);
    conn.sendRaw(payload).catch(NOOP);
  }

  /** Sends the client's message with an integrity marker in front of `suffix`. */
  sendMarked(c: VirtualClient, suffix: string, scheduledAt: number, kind: RequestKind): void {
    const room = c.room as RoomState;
    const seq = c.sendSeq++;
    const marker = integrityMarker(c.name, seq);
    c.sendHandle ??= this.tracker.sendHandle(room.label, c.name);
    c.sendHandle.send(seq, Math.max(0, room.active - (c.joined ? 1 : 0)));
    const template = c.sendTemplate;
    const echoIsReply = this.protocol.echoIsReply;
    if (template !== undefined && suffix === c.sendSuffix) {
      // The regular send: the pre-encoded message with this send's marker, id and time (see send-template.ts).
      const id = c.nextId++;
      const sentAt = performance.now();
      c.recordSendTime(seq, sentAt);
      if (echoIsReply) c.recordScheduledTime(seq, scheduledAt);
      this.track(c, id, kind, scheduledAt, sentAt);
      const text = template.render(marker, id, isoNow());
      this.write(c, text, template.byteLength(text));
      return;
    }
    const message = stampPath({ ...(c.sendProto as Record<string, unknown>) }, this.protocol.markerKeys, marker + suffix);
    c.recordSendTime(seq, performance.now());
    if (echoIsReply) c.recordScheduledTime(seq, scheduledAt);
    this.request(c, message, kind, scheduledAt);
  }

  /** A request that got no reply in time (or was pushed out of the ring by newer ones). */
  onExpired(c: VirtualClient, kind: RequestKind): void {
    this.counts.timeouts++;
    if (kind === RequestKind.TextOver) this.tally.textNoAnswer++;
    if (kind === RequestKind.Auth) c.conn?.destroy();
  }

  /** Every client has finished its setup: authenticated and joined, silent, lost (reconnecting) or given up. */
  allSettled(): boolean {
    for (const c of this.clients) {
      const s = c.state;
      if (s !== ClientState.Ready && s !== ClientState.Silent && s !== ClientState.Dead && s !== ClientState.Reconnecting) return false;
    }
    return true;
  }

  pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
