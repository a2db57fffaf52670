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

export class IntegrityTracker {
  private readonly rooms = new Map<string, RoomState>();
  private readonly pairs = new Map<string, PairState>();
  /** Highest seq each sender has sent, per room. */
  private readonly sent = new Map<string, number>();

  /** Records that `sender` sent `seq` to `room`, expected by `recipients` other members. */
  recordSend(room: string, sender: string, seq: number, recipients: number): void {
    this.room(room).expected += recipients;
    const key = `${room}\u0000${sender}`;
    const previous = this.sent.get(key) ?? -1;
    if (seq > previous) this.sent.set(key, seq);
  }

  /** Records that `recipient` received `sender`'s message `seq` in `room`. */
  recordDelivery(room: string, sender: string, seq: number, recipient: string): 'ok' | 'duplicate' | 'reordered' | 'unknown' {
    const state = this.room(room);
    const sentUpTo = this.sent.get(`${room}\u0000${sender}`);
    if (sentUpTo === undefined || seq > sentUpTo || seq < 0 || !Number.isInteger(seq)) {
      state.unknown++;
      return 'unknown';
    }
    const pairKey = `${room}\u0000${sender}\u0000${recipient}`;
    let pair = this.pairs.get(pairKey);
    if (!pair) {
      pair = { seen: new Uint8Array(64), highest: -1 };
      this.pairs.set(pairKey, pair);
    }
    const byte = seq >> 3;
    if (byte >= pair.seen.length) {
      const grown = new Uint8Array(Math.max(pair.seen.length * 2, byte + 1));
      grown.set(pair.seen);
      pair.seen = grown;
    }
    const bit = 1 << (seq & 7);
    if ((pair.seen[byte]! & bit) !== 0) {
      state.duplicated++;
      return 'duplicate';
    }
    pair.seen[byte]! |= bit;
    state.delivered++;
    if (seq < pair.highest) {
      state.reordered++;
      return 'reordered';
    }
    pair.highest = seq;
    return 'ok';
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

export function readIntegrityMarker(text: string): { sender: string; seq: number } | undefined {
  const match = MARKER.exec(text);
  return match ? { sender: match[1]!, seq: Number(match[2]) } : undefined;
}
