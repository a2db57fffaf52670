import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityTracker, integrityMarker, readIntegrityMarker, readNumericMarker } from './integrity.js';

const CLEAN = { lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0, offlineCopies: 0 };

/** A room whose `members` all joined before anyone sent, each sending `perSender` messages. */
function room(t: IntegrityTracker, label: string, members: string[], perSender: number): void {
  for (const m of members) t.member(label, m);
  for (const sender of members) for (let seq = 0; seq < perSender; seq++) t.recordSend(label, sender, seq, members.length - 1);
}

describe('IntegrityTracker', () => {
  const members = ['a', 'b', 'c'];

  it('reports a clean room when every member gets every message once, in order', () => {
    const t = new IntegrityTracker();
    room(t, 'r1', members, 10);
    for (const sender of members) for (const r of members) if (r !== sender) for (let s = 0; s < 10; s++) t.recordDelivery('r1', sender, s, r);
    expect(t.report()).toEqual([{ room: 'r1', expected: 60, delivered: 60, ...CLEAN }]);
    expect(t.awaited()).toBe(0);
  });

  it('catches one lost broadcast in 500', () => {
    const t = new IntegrityTracker();
    room(t, 'r', ['a', 'b'], 0);
    for (let s = 0; s < 500; s++) t.recordSend('r', 'a', s, 1);
    for (let s = 0; s < 500; s++) if (s !== 317) t.recordDelivery('r', 'a', s, 'b');
    expect(t.report()).toEqual([{ room: 'r', expected: 500, delivered: 499, ...CLEAN, lost: 1 }]);
    expect(t.awaited()).toBe(1);
  });

  it("counts the sender's own copies apart: they never fill another recipient's gap", () => {
    // The server of the issue: it echoes every message to its sender and drops 1 in 500 to the others.
    const t = new IntegrityTracker('allowed');
    room(t, 'r', ['a', 'b'], 0);
    for (let s = 0; s < 500; s++) t.recordSend('r', 'a', s, 1);
    for (let s = 0; s < 500; s++) {
      expect(t.recordDelivery('r', 'a', s, 'a')).toBe('ok');
      if (s !== 99) t.recordDelivery('r', 'a', s, 'b');
    }
    expect(t.report()).toEqual([{ room: 'r', expected: 500, delivered: 499, ...CLEAN, lost: 1, selfCopies: 500 }]);
  });

  it('counts a missing own copy as self_missing, not as lost, when the profile expects it', () => {
    const t = new IntegrityTracker('expected');
    room(t, 'r', ['a', 'b'], 10);
    for (let s = 0; s < 10; s++) {
      if (s >= 3) t.recordDelivery('r', 'a', s, 'a');
      t.recordDelivery('r', 'a', s, 'b');
      t.recordDelivery('r', 'b', s, 'a');
      t.recordDelivery('r', 'b', s, 'b');
    }
    expect(t.report()).toEqual([{ room: 'r', expected: 20, delivered: 20, ...CLEAN, selfCopies: 17, selfMissing: 3 }]);
    // Where it is only allowed, its absence is nobody's business.
    const allowed = new IntegrityTracker('allowed');
    room(allowed, 'r', ['a', 'b'], 1);
    expect(allowed.report()[0]).toMatchObject({ selfCopies: 0, selfMissing: 0 });
  });

  it('expects a message only of recipients that were members when it was sent', () => {
    const t = new IntegrityTracker();
    t.member('r', 'a');
    for (let s = 0; s < 10; s++) t.recordSend('r', 'a', s, 0);
    t.member('r', 'b');
    for (let s = 10; s < 30; s++) t.recordSend('r', 'a', s, 1);
    // b drops off after a's seq 29 and is back before seq 35.
    t.left('r', 'b');
    for (let s = 30; s < 35; s++) t.recordSend('r', 'a', s, 0);
    t.member('r', 'b');
    for (let s = 35; s < 40; s++) t.recordSend('r', 'a', s, 1);
    for (let s = 0; s < 40; s++) if (s !== 12 && s !== 37) t.recordDelivery('r', 'a', s, 'b');
    // Expected: 10..29 and 35..39 (25); received of those: all but 12 and 37. Seqs 0..9 (before b
    // joined) and 30..34 (while away) reached it anyway: offline copies, neither expected nor lost.
    expect(t.report()).toEqual([{ room: 'r', expected: 25, delivered: 23, ...CLEAN, lost: 2, offlineCopies: 15 }]);
  });

  it('counts copies to clients outside the room as leaked', () => {
    const t = new IntegrityTracker();
    room(t, 'r1', ['a', 'b'], 3);
    t.leak('r1');
    t.leak('r1');
    expect(t.report()[0]).toMatchObject({ leaked: 2, expected: 6, lost: 6 });
  });

  it('counts a duplicate once and does not count it as delivered; the sender\'s own duplicates too', () => {
    const t = new IntegrityTracker();
    room(t, 'r', ['a', 'b'], 0);
    for (let s = 0; s < 3; s++) t.recordSend('r', 'a', s, 1);
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('duplicate');
    expect(t.recordDelivery('r', 'a', 1, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 2, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 2, 'a')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 2, 'a')).toBe('duplicate');
    expect(t.report()[0]).toEqual({ room: 'r', expected: 3, delivered: 3, ...CLEAN, duplicated: 2, selfCopies: 1 });
  });

  it('counts a message that arrives after a later one from the same sender as reordered', () => {
    const t = new IntegrityTracker();
    room(t, 'r', ['a', 'b'], 0);
    for (let s = 0; s < 3; s++) t.recordSend('r', 'a', s, 1);
    t.recordDelivery('r', 'a', 0, 'b');
    t.recordDelivery('r', 'a', 2, 'b');
    expect(t.recordDelivery('r', 'a', 1, 'b')).toBe('reordered');
    expect(t.report()[0]).toMatchObject({ delivered: 3, reordered: 1, lost: 0 });
  });

  it('keeps orders of different senders and recipients apart', () => {
    const t = new IntegrityTracker();
    room(t, 'r', members, 2);
    // b hears c's 1 before a's 0: different senders, no reordering.
    expect(t.recordDelivery('r', 'c', 1, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'c')).toBe('ok');
    expect(t.totals()).toMatchObject({ delivered: 3, reordered: 0, duplicated: 0 });
  });

  it('flags a delivery of a seq nobody sent as unknown', () => {
    const t = new IntegrityTracker();
    room(t, 'r', ['a', 'b'], 1);
    expect(t.recordDelivery('r', 'a', 5, 'b')).toBe('unknown');
    expect(t.recordDelivery('r', 'z', 0, 'b')).toBe('unknown');
    expect(t.totals()).toMatchObject({ unknown: 2, delivered: 0, lost: 2 });
  });

  it('counts exactly what a faulty server drops, duplicates and reorders (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.constantFrom('drop', 'dup', 'swap', 'ok'), { minLength: 300, maxLength: 300 }),
        (n, faults) => {
          const t = new IntegrityTracker();
          room(t, 'r', ['a', 'b'], 0);
          for (let s = 0; s < n; s++) t.recordSend('r', 'a', s, 1);
          // Drops first, then swaps of adjacent kept messages (each makes exactly one late
          // arrival), then duplicates right after the first copy (which never reorder).
          const kept: number[] = [];
          let dropped = 0;
          for (let s = 0; s < n; s++) {
            if (faults[s] === 'drop') dropped++;
            else kept.push(s);
          }
          let swaps = 0;
          for (let i = 0; i + 1 < kept.length; i += 2) {
            if (faults[kept[i]!] === 'swap') {
              [kept[i], kept[i + 1]] = [kept[i + 1]!, kept[i]!];
              swaps++;
            }
          }
          const order: number[] = [];
          let dups = 0;
          for (const s of kept) {
            order.push(s);
            if (faults[s] === 'dup') {
              order.push(s);
              dups++;
            }
          }
          for (const s of order) t.recordDelivery('r', 'a', s, 'b');
          const r = t.report()[0]!;
          expect(r.lost).toBe(dropped);
          expect(r.duplicated).toBe(dups);
          expect(r.reordered).toBe(swaps);
          expect(r.delivered + r.lost).toBe(n);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('integrity markers', () => {
  it('round-trips sender and seq through message text', () => {
    const text = `hello ${integrityMarker('vc-17', 42)} world`;
    expect(readIntegrityMarker(text)).toEqual({ sender: 'vc-17', seq: 42 });
    expect(readIntegrityMarker('no marker')).toBeUndefined();
  });

  it('reads a marker at the start of the text the same way as anywhere else', () => {
    const slow = (text: string): { sender: string; seq: number } | undefined => {
      const m = /\[cc:([^:\]]+):(\d+)\]/.exec(text);
      return m ? { sender: m[1]!, seq: Number(m[2]) } : undefined;
    };
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '7', ':', ']', '[', 'c', ' ') }), fc.nat(100000), fc.string(), (sender, seq, rest) => {
        for (const text of [`[cc:${sender}:${seq}]${rest}`, `[cc:${sender}:${rest}`, `${rest}[cc:${sender}:${seq}]`]) {
          expect(readIntegrityMarker(text)).toEqual(slow(text));
        }
      }),
    );
  });

  it('reads a leading marker with a numeric sender exactly as readIntegrityMarker does, or declines', () => {
    const out = { sender: -1 };
    expect(readNumericMarker('[cc:17:42] hello', out)).toBe(42);
    expect(out.sender).toBe(17);
    expect(readNumericMarker('[cc:vc-17:42]', out)).toBe(-1);
    expect(readNumericMarker('hi [cc:17:42]', out)).toBe(-1);
    expect(readNumericMarker('[cc::42]', out)).toBe(-1);
    expect(readNumericMarker('[cc:17:]', out)).toBe(-1);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('1', '7', '0', ':', ']', '[', 'c', 'x') }), fc.string({ unit: fc.constantFrom('1', '9', '0', ']', ':') }), fc.string(), (sender, seq, rest) => {
        for (const text of [`[cc:${sender}:${seq}${rest}`, `[cc:${sender}:${seq}]${rest}`]) {
          const o = { sender: -1 };
          const fast = readNumericMarker(text, o);
          // Whenever the fast reader answers, the general one agrees; it declines only what is not "[cc:<digits>:<digits>]".
          if (fast >= 0) expect(readIntegrityMarker(text)).toEqual({ sender: text.slice(4, text.indexOf(':', 4)), seq: fast });
          if (fast >= 0) expect(Number(readIntegrityMarker(text)!.sender)).toBe(o.sender);
          else expect(/^\[cc:\d{1,15}:\d{1,15}\]/.test(text)).toBe(false);
        }
      }),
    );
  });
});
