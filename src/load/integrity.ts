/**
 * Delivery integrity: every message a virtual client sends carries (sender, seq) with seq
 * counting up from 0 per sender; every recipient reports what it got. The tracker tells, per
 * room, how many deliveries were expected, delivered, lost, duplicated and reordered.
 *
 * Memory: one bitmap per (recipient, sender) pair, a bit per sequence number, so 1,000 clients in
 * rooms of 10 sending 1,000 messages each cost about 1 MB.
 */

interface PairState {
  seen: Uint8Array;
  /** Highest seq seen so far, -1 before the first. */
  highest: number;
}

interface RoomState {
  expected: number;
  delivered: number;
  duplicated: number;
  reordered: number;
  /** Deliveries of a seq the sender never reported sending (corruption or a foreign sender). */
  unknown: number;
}

export interface RoomIntegrity {
  room: string;
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

/** The highest seq a sender has sent to a room, in a cell that handles share. */
interface SentCell {
  upTo: number;
}

/** Records one sender's sends to one room without building keys per message. */
export interface SendHandle {
  send(seq: number, recipients: number): void;
}

/** Records deliveries from one sender to one recipient in one room without building keys per message. */
export interface DeliveryHandle {
  deliver(seq: number): 'ok' | 'duplicate' | 'reordered' | 'unknown';
}

export class IntegrityTracker {
  private readonly rooms = new Map<string, RoomState>();
  private readonly pairs = new Map<string, PairState>();
  /** Highest seq each sender has sent, per room. */
  private readonly sent = new Map<string, SentCell>();

  /** Records that `sender` sent `seq` to `room`, expected by `recipients` other members. */
  recordSend(room: string, sender: string, seq: number, recipients: number): void {
    this.sendHandle(room, sender).send(seq, recipients);
  }

  /** Records that `recipient` received `sender`'s message `seq` in `room`. */
  recordDelivery(room: string, sender: string, seq: number, recipient: string): 'ok' | 'duplicate' | 'reordered' | 'unknown' {
    return this.deliveryHandle(room, sender, recipient).deliver(seq);
  }

  /** The hot path's form of recordSend: resolve once per (room, sender), then call per message. */
  sendHandle(room: string, sender: string): SendHandle {
    const state = this.room(room);
    const cell = this.sentCell(room, sender);
    return {
      send(seq: number, recipients: number): void {
        state.expected += recipients;
        if (seq > cell.upTo) cell.upTo = seq;
      },
    };
  }

  /** The hot path's form of recordDelivery: resolve once per (room, sender, recipient). */
  deliveryHandle(room: string, sender: string, recipient: string): DeliveryHandle {
    const state = this.room(room);
    const cell = this.sentCell(room, sender);
    const pairKey = `${room}\u0000${sender}\u0000${recipient}`;
    let pair = this.pairs.get(pairKey);
    if (!pair) {
      pair = { seen: new Uint8Array(64), highest: -1 };
      this.pairs.set(pairKey, pair);
    }
    const p = pair;
    return {
      deliver(seq: number): 'ok' | 'duplicate' | 'reordered' | 'unknown' {
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
        state.delivered++;
        if (seq < p.highest) {
          state.reordered++;
          return 'reordered';
        }
        p.highest = seq;
        return 'ok';
      },
    };
  }

  private sentCell(room: string, sender: string): SentCell {
    const key = `${room}\u0000${sender}`;
    let cell = this.sent.get(key);
    if (!cell) {
      // Nothing sent yet: every seq is unknown until the first send.
      cell = { upTo: -1 };
      this.sent.set(key, cell);
    }
    return cell;
  }

  /** The per-room result. Call after the drain period, when nothing is in flight any more. */
  report(): RoomIntegrity[] {
    return [...this.rooms.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
      .map(([room, s]) => ({
        room,
        expected: s.expected,
        delivered: s.delivered,
        lost: Math.max(0, s.expected - s.delivered),
        duplicated: s.duplicated,
        reordered: s.reordered,
      }));
  }

  totals(): Omit<RoomIntegrity, 'room'> & { unknown: number } {
    let expected = 0, delivered = 0, duplicated = 0, reordered = 0, unknown = 0;
    for (const s of this.rooms.values()) {
      expected += s.expected;
      delivered += s.delivered;
      duplicated += s.duplicated;
      reordered += s.reordered;
      unknown += s.unknown;
    }
    return { expected, delivered, lost: Math.max(0, expected - delivered), duplicated, reordered, unknown };
  }

  private room(room: string): RoomState {
    let state = this.rooms.get(room);
    if (!state) {
      state = { expected: 0, delivered: 0, duplicated: 0, reordered: 0, unknown: 0 };
      this.rooms.set(room, state);
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
