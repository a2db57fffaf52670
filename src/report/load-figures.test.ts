import { describe, expect, it } from 'vitest';
import { mergeDeliveryRows, mergeViolations } from './load-figures.js';

describe('mergeDeliveryRows', () => {
  it('adds up the rows of one room, and keeps rooms in numeric order', () => {
    expect(mergeDeliveryRows([
      { room: 'r10', expected: 5, delivered: 5, lost: 0, duplicated: 0, reordered: 0 },
      { room: 'r2', expected: 9, delivered: 8, lost: 1, duplicated: 0, reordered: 1, selfCopies: 9, selfMissing: 0, leaked: 0, offlineCopies: 0 },
      { room: 'r2', expected: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 3, offlineCopies: 0 },
    ])).toEqual([
      { room: 'r2', expected: 9, delivered: 8, lost: 1, duplicated: 0, reordered: 1, selfCopies: 9, selfMissing: 0, leaked: 3, offlineCopies: 0 },
      { room: 'r10', expected: 5, delivered: 5, lost: 0, duplicated: 0, reordered: 0 },
    ]);
  });
});

describe('mergeViolations', () => {
  it('adds counts of the same kind, keeps the first sample, and orders FAIL first, most frequent first', () => {
    const kind = (cls: 'FAIL' | 'NON-STRICT', pointer: string, count: number, text: string) => ({
      class: cls, source: cls === 'FAIL' ? 'seed' as const : 'lenient' as const, message: 'M', pointer, count, expected: 'e', actual: 'a', sample: { text, truncated: false },
    });
    const merged = mergeViolations([
      [kind('NON-STRICT', '/x', 50, 'one'), kind('FAIL', '/a', 2, 'first')],
      [kind('FAIL', '/a', 3, 'second'), kind('FAIL', '/b', 4, 'b')],
    ]);
    expect(merged.omitted).toBe(0);
    expect(merged.violations.map((v) => [v.class, v.pointer, v.count, v.sample.text])).toEqual([
      ['FAIL', '/a', 5, 'first'], ['FAIL', '/b', 4, 'b'], ['NON-STRICT', '/x', 50, 'one'],
    ]);
  });
});
