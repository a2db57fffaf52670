/**
 * Delivery integrity, exact for each (sender, recipient) pair. Every message a virtual client
 * sends carries (sender, seq), seq counting up from 0 per sender; every recipient reports what it
 * got. Membership is kept as intervals: a recipient is a member of its room from the moment it
 * joined (or came back after a reconnect) until its connection ended.
 *
 * - expected: a message sent while both its sender and the recipient were members;
 * - lost: expected, and never received by that recipient by the end of the drain;
 * - self copies: copies that reached their own sender, counted apart (they never fill another
 *   recipient's gap); `self missing` counts the sender's own copies that never came, when the
 *   profile says they are expected (`x-chat-conform.load.senderCopy`);
 * - leaked: copies that reached a client outside the room (another room's member, a client in no
 *   room): a failure;
 * - offline copies: copies of messages sent while the recipient was not connected (session
 *   recovery may deliver them): neither expected nor lost;
 * - duplicated and reordered: per pair, as received.
 *
 * A membership interval is kept as each sender's next seq when it opened and when it closed, so
 * "sent while a member" is a range of seqs per (sender, recipient): exact, whatever the timing.
 * Memory: a bitmap per pair (a bit per seq), and two small arrays per interval.
 */
import type { DeliveryRow } from '../report/model.js';

export type SenderCopy = 'expected' | 'allowed';

/** One room's row of the report (kept under this name for the library's users). */
export type RoomIntegrity = DeliveryRow;

/** What one copy was: `offline` is a first copy of a message sent outside the recipient's current interval. */
export type DeliveryOutcome = 'ok' | 'duplicate' | 'reordered' | 'unknown' | 'offline';

/** One sender in one room: the highest seq it has sent, and its position among the room's senders. */
interface SentCell {
  upTo: number;
  readonly index: number;
  readonly name: string;
}

/** A membership interval: each sender's next seq when it opened, and when it closed (open: undefined). */
interface Interval {
  from: Int32Array;
  to: Int32Array | undefined;
}

interface Recipient {
  readonly name: string;
  intervals: Interval[];
  /** The open interval, while a member. */
  current: Interval | undefined;
}

interface PairState {
  seen: Uint8Array;
  /** Highest seq seen so far, -1 before the first. */
  highest: number;
}

interface RoomState {
  readonly label: string;
  readonly senders: SentCell[];
  readonly byName: Map<string, SentCell>;
  readonly recipients: Map<string, Recipient>;
  readonly pairs: Map<string, PairState>;
  /** Counted as copies arrive. */
  duplicated: number;
  reordered: number;
  leaked: number;
  /** Deliveries of a seq the sender never reported sending (corruption or a foreign sender). */
  unknown: number;
  /** For the drain only: expected at send time, and first copies to current members. */
  liveExpected: number;
  liveDelivered: number;
}

/** Records one sender's sends to one room without building keys per message. */
export interface SendHandle {
  /** `recipients`: the other members now (a live estimate the drain waits for). */
  send(seq: number, recipients: number): void;
}

/** Records deliveries from one sender to one recipient in one room without building keys per message. */
export interface DeliveryHandle {
  deliver(seq: number): DeliveryOutcome;
}

/** The seq a sender will send next, as of an interval's snapshot (senders that came later: 0). */
function at(snapshot: Int32Array, cell: SentCell): number {
  return cell.index < snapshot.length ? (snapshot[cell.index] as number) : 0;
}

/** Bits set in `seen` for seqs [from, to). */
function countSeen(seen: Uint8Array, from: number, to: number): number {
  let n = 0;
  const end = Math.min(to, seen.length * 8);
  for (let seq = from; seq < end; seq++) if ((seen[seq >> 3]! & (1 << (seq & 7))) !== 0) n++;
  return n;
}

export class IntegrityTracker {
  private readonly rooms = new Map<string, RoomState>();

  constructor(private readonly senderCopy: SenderCopy = 'allowed') {}

  /** `recipient` is a member of `room` from now on (joined, or back after a reconnect). */
  member(room: string, recipient: string): void {
    const r = this.recipient(this.room(room), recipient);
    if (r.current) return;
    r.current = { from: this.snapshot(this.room(room)), to: undefined };
    r.intervals.push(r.current);
  }

  /** `recipient` stopped being a member of `room` now (its connection ended). */
  left(room: string, recipient: string): void {
    const state = this.room(room);
    const r = state.recipients.get(recipient);
    if (!r?.current) return;
    r.current.to = this.snapshot(state);
    r.current = undefined;
  }

  /** Records that `sender` sent `seq` to `room`, expected by `recipients` other members. */
  recordSend(room: string, sender: string, seq: number, recipients: number): void {
    this.sendHandle(room, sender).send(seq, recipients);
  }

  /** Records that `recipient` received `sender`'s message `seq` in `room`. */
  recordDelivery(room: string, sender: string, seq: number, recipient: string): DeliveryOutcome {
    return this.deliveryHandle(room, sender, recipient).deliver(seq);
  }

  /** The hot path's form of recordSend: resolve once per (room, sender), then call per message. */
  sendHandle(room: string, sender: string): SendHandle {
    const state = this.room(room);
    const cell = this.cell(state, sender);
    return {
      send(seq: number, recipients: number): void {
        state.liveExpected += recipients;
        if (seq > cell.upTo) cell.upTo = seq;
      },
    };
  }

  /** The hot path's form of recordDelivery: resolve once per (room, sender, recipient). */
  deliveryHandle(room: string, sender: string, recipient: string): DeliveryHandle {
    const state = this.room(room);
    const cell = this.cell(state, sender);
    const self = sender === recipient;
    const r = this.recipient(state, recipient);
    const key = `${sender}\u0000${recipient}`;
    let pair = state.pairs.get(key);
    if (!pair) {
      pair = { seen: new Uint8Array(64), highest: -1 };
      state.pairs.set(key, pair);
    }
    const p = pair;
    return {
      deliver(seq: number): DeliveryOutcome {
        if (seq > cell.upTo || seq < 0 || !Number.isInteger(seq)) {
          state.unknown++;
          return 'unknown';
        }
        const byte = seq >> 3;
        if (byte >= p.seen.length) {
          const grown = new Uint8Array(Math.max(p.seen.length * 2, byte + 1));
          grown.set(p.seen);
          p.seen = grown;
        }
        const bit = 1 << (seq & 7);
        if ((p.seen[byte]! & bit) !== 0) {
          state.duplicated++;
          return 'duplicate';
        }
        p.seen[byte]! |= bit;
        const reordered = seq < p.highest;
        if (reordered) state.reordered++;
        else p.highest = seq;
        if (!self) {
          // Not a member now, or sent before its current interval began: a copy it was not counted for.
          if (!r.current || seq < at(r.current.from, cell)) return 'offline';
          state.liveDelivered++;
        }
        return reordered ? 'reordered' : 'ok';
      },
    };
  }

  /**
   * A copy of a message of `room` reached a client outside it (another room's member, or a client
   * in no room). The caller knows the rooms: a recipient of the same room that is not a member at
   * the moment (joining, reconnecting) gets an `offline` copy instead, never a leak.
   */
  leak(room: string): void {
    this.room(room).leaked++;
  }

  /** For the drain: copies still awaited by current members, as counted when they were sent. */
  awaited(): number {
    let n = 0;
    for (const s of this.rooms.values()) n += Math.max(0, s.liveExpected - s.liveDelivered);
    return n;
  }

  /** The per-room result. Call after the drain period, when nothing is in flight any more. */
  report(): DeliveryRow[] {
    return [...this.rooms.values()]
      .sort((a, b) => a.label.localeCompare(b.label, 'en', { numeric: true }))
      .map((s) => this.roomRow(s));
  }

  totals(): Omit<DeliveryRow, 'room'> & { unknown: number } {
    const rows = this.report();
    const sum = (k: Exclude<keyof DeliveryRow, 'room'>): number => rows.reduce((t, r) => t + (r[k] ?? 0), 0);
    let unknown = 0;
    for (const s of this.rooms.values()) unknown += s.unknown;
    return {
      expected: sum('expected'), delivered: sum('delivered'), lost: sum('lost'), duplicated: sum('duplicated'), reordered: sum('reordered'),
      selfCopies: sum('selfCopies'), selfMissing: sum('selfMissing'), leaked: sum('leaked'), offlineCopies: sum('offlineCopies'), unknown,
    };
  }

  private roomRow(s: RoomState): DeliveryRow {
    let expected = 0;
    let delivered = 0;
    let offlineCopies = 0;
    let selfCopies = 0;
    let selfMissing = 0;
    for (const cell of s.senders) {
      const sent = cell.upTo + 1;
      const own = s.pairs.get(`${cell.name}\u0000${cell.name}`);
      const copies = own ? countSeen(own.seen, 0, sent) : 0;
      selfCopies += copies;
      if (this.senderCopy === 'expected') selfMissing += sent - copies;
      for (const r of s.recipients.values()) {
        if (r.name === cell.name) continue;
        const pair = s.pairs.get(`${cell.name}\u0000${r.name}`);
        let inIntervals = 0;
        for (const i of r.intervals) {
          const from = at(i.from, cell);
          const to = i.to ? at(i.to, cell) : sent;
          expected += Math.max(0, to - from);
          if (pair) inIntervals += countSeen(pair.seen, from, to);
        }
        delivered += inIntervals;
        if (pair) offlineCopies += countSeen(pair.seen, 0, sent) - inIntervals;
      }
    }
    return {
      room: s.label, expected, delivered, lost: expected - delivered, duplicated: s.duplicated, reordered: s.reordered,
      selfCopies, selfMissing, leaked: s.leaked, offlineCopies,
    };
  }

  private snapshot(state: RoomState): Int32Array {
    const out = new Int32Array(state.senders.length);
    for (const cell of state.senders) out[cell.index] = cell.upTo + 1;
    return out;
  }

  private cell(state: RoomState, sender: string): SentCell {
    let cell = state.byName.get(sender);
    if (!cell) {
      // Nothing sent yet: every seq is unknown until the first send.
      cell = { upTo: -1, index: state.senders.length, name: sender };
      state.senders.push(cell);
      state.byName.set(sender, cell);
    }
    return cell;
  }

  private recipient(state: RoomState, name: string): Recipient {
    let r = state.recipients.get(name);
    if (!r) {
      r = { name, intervals: [], current: undefined };
      state.recipients.set(name, r);
    }
    return r;
  }

  private room(label: string): RoomState {
    let state = this.rooms.get(label);
    if (!state) {
      state = { label, senders: [], byName: new Map(), recipients: new Map(), pairs: new Map(), duplicated: 0, reordered: 0, leaked: 0, unknown: 0, liveExpected: 0, liveDelivered: 0 };
      this.rooms.set(label, state);
    }
    return state;
  }
}

/**
 * The marker a virtual client puts in a message's content so recipients can report
 * (sender, seq) even when the protocol echoes nothing else: `[cc:<sender>:<seq>]`.
 */
export function integrityMarker(sender: string, seq: number): string {
  return `[cc:${sender}:${seq}]`;
}

const MARKER = /\[cc:([^:\]]+):(\d+)\]/;

/**
 * The hot path's marker reader for numeric senders (the engine's client numbers): the sequence
 * number, with the sender number in `out.sender`; -1 when the text does not start with such a
 * marker (then `readIntegrityMarker` decides). Allocates nothing.
 */
export function readNumericMarker(text: string, out: { sender: number }): number {
  if (text.charCodeAt(0) !== 91 || text.charCodeAt(1) !== 99 || text.charCodeAt(2) !== 99 || text.charCodeAt(3) !== 58) return -1; // "[cc:"
  let i = 4;
  let sender = 0;
  const n = text.length;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    sender = sender * 10 + d;
  }
  // At least one digit, at most 15 (exact as a double), then ":".
  if (i === 4 || i > 19 || text.charCodeAt(i) !== 58) return -1;
  const start = ++i;
  let seq = 0;
  for (; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  if (i === start || i - start > 15 || text.charCodeAt(i) !== 93) return -1; // "]"
  out.sender = sender;
  return seq;
}

export function readIntegrityMarker(text: string): { sender: string; seq: number } | undefined {
  // Fast path: the load engine puts the marker first; parse it without a regex match array.
  if (text.startsWith('[cc:')) {
    const colon = text.indexOf(':', 4);
    const close = colon > 4 ? text.indexOf(']', colon) : -1;
    if (close > colon + 1) {
      let seq = 0;
      for (let i = colon + 1; i < close; i++) {
        const digit = text.charCodeAt(i) - 48;
        if (digit < 0 || digit > 9) {
          seq = -1;
          break;
        }
        seq = seq * 10 + digit;
      }
      if (seq >= 0 && text.lastIndexOf(']', colon) < 4) return { sender: text.slice(4, colon), seq };
    }
  }
  const match = MARKER.exec(text);
  return match ? { sender: match[1]!, seq: Number(match[2]) } : undefined;
}
