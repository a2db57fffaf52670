import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrityTracker, integrityMarker, readIntegrityMarker, readNumericMarker } from './integrity.js';

/** A room of `members` where each member sends `perSender` messages to all the others. */
function sendAll(tracker: IntegrityTracker, room: string, members: string[], perSender: number): void {
  for (const sender of members) {
    for (let seq = 0; seq < perSender; seq++) tracker.recordSend(room, sender, seq, members.length - 1);
  }
}

describe('IntegrityTracker', () => {
  const members = ['a', 'b', 'c'];

  it('reports a clean room when every member gets every message once, in order', () => {
    const t = new IntegrityTracker();
    sendAll(t, 'r1', members, 10);
    for (const sender of members) for (const r of members) if (r !== sender) for (let s = 0; s < 10; s++) t.recordDelivery('r1', sender, s, r);
    expect(t.report()).toEqual([{ room: 'r1', expected: 60, delivered: 60, lost: 0, duplicated: 0, reordered: 0 }]);
  });

  it('catches one lost broadcast in 500', () => {
    const t = new IntegrityTracker();
    for (let s = 0; s < 500; s++) t.recordSend('r', 'a', s, 1);
    for (let s = 0; s < 500; s++) if (s !== 317) t.recordDelivery('r', 'a', s, 'b');
    expect(t.report()).toEqual([{ room: 'r', expected: 500, delivered: 499, lost: 1, duplicated: 0, reordered: 0 }]);
  });

  it('counts a duplicate once and does not count it as delivered', () => {
    const t = new IntegrityTracker();
    for (let s = 0; s < 3; s++) t.recordSend('r', 'a', s, 1);
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('duplicate');
    expect(t.recordDelivery('r', 'a', 1, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 2, 'b')).toBe('ok');
    expect(t.report()[0]).toEqual({ room: 'r', expected: 3, delivered: 3, lost: 0, duplicated: 1, reordered: 0 });
  });

  it('counts a message that arrives after a later one from the same sender as reordered', () => {
    const t = new IntegrityTracker();
    for (let s = 0; s < 3; s++) t.recordSend('r', 'a', s, 1);
    t.recordDelivery('r', 'a', 0, 'b');
    t.recordDelivery('r', 'a', 2, 'b');
    expect(t.recordDelivery('r', 'a', 1, 'b')).toBe('reordered');
    expect(t.report()[0]).toMatchObject({ delivered: 3, reordered: 1, lost: 0 });
  });

  it('keeps orders of different senders and recipients apart', () => {
    const t = new IntegrityTracker();
    sendAll(t, 'r', members, 2);
    // b hears c's 1 before a's 0: different senders, no reordering.
    expect(t.recordDelivery('r', 'c', 1, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'b')).toBe('ok');
    expect(t.recordDelivery('r', 'a', 0, 'c')).toBe('ok');
    expect(t.totals()).toMatchObject({ delivered: 3, reordered: 0, duplicated: 0 });
  });

  it('flags a delivery of a seq nobody sent as unknown', () => {
    const t = new IntegrityTracker();
    t.recordSend('r', 'a', 0, 1);
    expect(t.recordDelivery('r', 'a', 5, 'b')).toBe('unknown');
    expect(t.recordDelivery('r', 'z', 0, 'b')).toBe('unknown');
    expect(t.totals()).toMatchObject({ unknown: 2, delivered: 0, lost: 1 });
  });

  it('counts exactly what a faulty server drops, duplicates and reorders (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.constantFrom('drop', 'dup', 'swap', 'ok'), { minLength: 300, maxLength: 300 }),
        (n, faults) => {
          const t = new IntegrityTracker();
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
