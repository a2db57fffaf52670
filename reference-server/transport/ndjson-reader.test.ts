import { describe, expect, it } from 'vitest';
import { NdjsonReader } from './ndjson-reader.js';

function reader(max: number) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const r = new NdjsonReader(max, { line: (d) => lines.push(d.toString()), oversize: (n) => oversize.push(n) });
  return { r, lines, oversize };
}

describe('NdjsonReader', () => {
  it('splits lines across and within chunks, drops one trailing CR and ignores empty lines', () => {
    const { r, lines, oversize } = reader(100);
    r.push(Buffer.from('{"a":1}\n{"b"'));
    r.push(Buffer.from(':2}\r\n\n\r\n{"c":3}'));
    r.push(Buffer.from('\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(oversize).toEqual([]);
    expect(r.buffered).toBe(0);
  });

  it('accepts a line of exactly the limit (with or without CR) and refuses one byte more', () => {
    const { r, lines, oversize } = reader(10);
    r.push(Buffer.from(`${'a'.repeat(10)}\n${'b'.repeat(10)}\r\n${'c'.repeat(11)}\n`));
    expect(lines).toEqual(['a'.repeat(10), 'b'.repeat(10)]);
    expect(oversize).toEqual([11]);
  });

  it('discards an oversized line up to its newline without buffering it, then reads on', () => {
    const { r, lines, oversize } = reader(10);
    for (let i = 0; i < 1000; i++) {
      r.push(Buffer.from('x'.repeat(1000)));
      expect(r.buffered).toBeLessThanOrEqual(11);
    }
    r.push(Buffer.from('xx\nok\n'));
    expect(oversize).toEqual([1_000_002]);
    expect(lines).toEqual(['ok']);
  });
});
