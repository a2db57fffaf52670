/**
 * A virtual client: plain state over one connection, no promise chain of its own. The engine
 * drives it from two callbacks made once per client (its listener and its timetable tick), so the
 * per-message path allocates no closures. Outstanding requests live in a small ring indexed by
 * the request's correlation counter.
 */
import type { Connection, InboundEvent } from '../transport/types.js';
import type { DeliveryHandle, SendHandle } from './integrity.js';
import type { SendTemplate } from './send-template.js';

export enum ClientState {
  Idle,
  Connecting,
  Authenticating,
  Joining,
  WaitingForRoom,
  Ready,
  Silent,
  Reconnecting,
  Dead,
  Stopped,
}

/** What an outstanding request was for. */
export enum RequestKind {
  None,
  Auth,
  Create,
  Join,
  Send,
  TextMax,
  TextOver,
  /** The profile's barrier after a join the protocol does not answer (its refusal confirms the join). */
  Barrier,
}

export const RING = 64;
const RING_MASK = RING - 1;

export interface RoomState {
  /** Global room index; its label in the report is `r<index>`. */
  index: number;
  label: string;
  /** The server's id for the room, once created (or the label when rooms are not created). */
  id: unknown;
  members: VirtualClient[];
  /** Members joined and connected now: the recipients a message is expected to reach. */
  active: number;
  waiting: VirtualClient[];
  /**
   * True once every member has joined (or given up): sends wait for it, so a member whose join is
   * still in flight is never sent a message it was not counted for.
   */
  settled: boolean;
}

export class VirtualClient {
  state = ClientState.Idle;
  conn: Connection | undefined;
  /** Correlation counter; the request value is `prefix + id` (string ids) or `id` (int32 ids). */
  nextId = 0;
  pending = 0;
  /** No outstanding request was sent before this time (a lower bound): sweeps skip the ring until it is due. */
  private oldestSentAt = Infinity;
  private ids: Int32Array | undefined;
  private kinds: Uint8Array | undefined;
  private scheduled: Float64Array | undefined;
  private sent: Float64Array | undefined;
  /** Messages sent with an integrity marker; their actual send times, by seq. */
  sendSeq = 0;
  sendTimes = new Float64Array(16);
  joined = false;
  connectStartedAt = 0;
  authAt = -1;
  lastPingAt = -1;
  /** Longest wait between two PINGs, or since the last one (the seed's cadence). */
  maxPingGap = 0;
  /** Longest wait from authentication to the first PING after it (assa.D5.heartbeat); -1 none yet. */
  firstPingGap = -1;
  /** Authenticated, and no PING since. */
  awaitingFirstPing = false;
  pings = 0;
  serverClosedAt = -1;
  reconnectAttempt = 0;
  /** The send message with room variables filled in; stamped per send. */
  sendProto: Record<string, unknown> | undefined;
  /** What follows the integrity marker in the content of a regular send (the original content). */
  sendSuffix = '';
  /** The regular send pre-encoded (JSON profiles), or undefined for the generic path. */
  sendTemplate: SendTemplate | undefined;
  /** The client's open-model send times (undefined for silent clients). */
  table: { next(): number | undefined } | undefined;
  /** The client number as text: its name in integrity markers. */
  readonly name: string;
  /** Integrity handles, resolved once: this client's sends. */
  sendHandle: SendHandle | undefined;
  /** Deliveries to this client, by the sender's position in their room: no hashing per delivery. */
  readonly fromRoom: (DeliveryHandle | undefined)[] = [];
  /** This client's position in its room's member list. */
  slot = 0;
  /** Minted once before the run and reused on reconnects. */
  token = '';
  /** The parsed answer of an HTTP login (http-login profiles), for templates that read `login`. */
  login: unknown = null;
  /** The outstanding join's request id, for a join acknowledged by a message with no correlation (`join.ack`). */
  joinId = -1;
  /** The barrier sent after the join, while its answer is awaited; -1 otherwise. */
  barrierId = -1;
  /** Scheduled send times by seq, kept only when the sender's own copy is its reply (`delivery.echo`). */
  sendScheduled: Float64Array | undefined;
  oversizeAnswered = false;
  oversizeSentAt = -1;
  /** The oversize message went over WebSocket (the reference closes with 1009 there, answers ERROR on a stream). */
  oversizeOverWs = false;
  readonly onEvent: (event: InboundEvent) => void;
  readonly onTick: (scheduledAt: number) => void;

  constructor(
    /** Global client number (unique across workers and shards). */
    readonly index: number,
    readonly userId: number,
    readonly room: RoomState | undefined,
    readonly prefix: string,
    readonly silent: boolean,
    readonly textProbe: boolean,
    readonly oversize: boolean,
    handlers: { event(c: VirtualClient, e: InboundEvent): void; tick(c: VirtualClient, at: number): void },
  ) {
    this.name = String(index);
    this.onEvent = (event) => handlers.event(this, event);
    this.onTick = (at) => handlers.tick(this, at);
  }

  /** The wait that ended now (a PING, or the end of observation): the first one after authentication or between PINGs. */
  notePingGap(gap: number, pinged: boolean): void {
    if (this.awaitingFirstPing) {
      if (gap > this.firstPingGap) this.firstPingGap = gap;
      if (pinged) this.awaitingFirstPing = false;
    } else if (gap > this.maxPingGap) this.maxPingGap = gap;
  }

  /** Reserves a ring slot for request `id`; returns the slot that was overwritten's kind (a lost reply) or None. */
  track(id: number, kind: RequestKind, scheduledAt: number, sentAt: number): RequestKind {
    if (!this.ids) {
      this.ids = new Int32Array(RING).fill(-1);
      this.kinds = new Uint8Array(RING);
      this.scheduled = new Float64Array(RING);
      this.sent = new Float64Array(RING);
    }
    const slot = id & RING_MASK;
    const evicted = this.ids[slot] !== -1 ? (this.kinds![slot] as RequestKind) : RequestKind.None;
    if (evicted === RequestKind.None) this.pending++;
    if (sentAt < this.oldestSentAt) this.oldestSentAt = sentAt;
    this.ids[slot] = id;
    this.kinds![slot] = kind;
    this.scheduled![slot] = scheduledAt;
    this.sent![slot] = sentAt;
    return evicted;
  }

  /** Takes the outstanding request `id`; kind None when it is not outstanding. */
  take(id: number, out: { scheduledAt: number; sentAt: number }): RequestKind {
    if (!this.ids || id < 0) return RequestKind.None;
    const slot = id & RING_MASK;
    if (this.ids[slot] !== id) return RequestKind.None;
    this.ids[slot] = -1;
    if (--this.pending === 0) this.oldestSentAt = Infinity;
    out.scheduledAt = this.scheduled![slot]!;
    out.sentAt = this.sent![slot]!;
    return this.kinds![slot] as RequestKind;
  }

  /** Expires requests sent before `deadline`; calls `expired(kind)` for each. */
  expire(deadline: number, expired: (c: VirtualClient, kind: RequestKind) => void): void {
    if (!this.ids || this.pending === 0 || this.oldestSentAt >= deadline) return;
    let oldest = Infinity;
    for (let slot = 0; slot < RING; slot++) {
      if (this.ids[slot] === -1) continue;
      const sent = this.sent![slot]!;
      if (sent < deadline) {
        this.ids[slot] = -1;
        this.pending--;
        expired(this, this.kinds![slot] as RequestKind);
      } else if (sent < oldest) oldest = sent;
    }
    this.oldestSentAt = oldest;
  }

  /** Forgets every outstanding request (the connection is gone); returns how many there were. */
  clearPending(expired: (c: VirtualClient, kind: RequestKind) => void): void {
    this.expire(Infinity, expired);
  }

  recordSendTime(seq: number, at: number): void {
    if (seq >= this.sendTimes.length) {
      const grown = new Float64Array(Math.max(this.sendTimes.length * 2, seq + 1));
      grown.set(this.sendTimes);
      this.sendTimes = grown;
    }
    this.sendTimes[seq] = at;
  }

  recordScheduledTime(seq: number, at: number): void {
    let times = this.sendScheduled ?? new Float64Array(16);
    if (seq >= times.length) {
      const grown = new Float64Array(Math.max(times.length * 2, seq + 1));
      grown.set(times);
      times = grown;
    }
    this.sendScheduled = times;
    times[seq] = at;
  }
}
