import { describe, expect, it } from 'vitest';
import type { WireCode } from './diagnostics.js';
import { LengthPrefixDecoder, encodeLengthPrefixed } from './length-prefix-framing.js';
import { LineDecoder, encodeLine } from './line-framing.js';

function lines(chunks: string[], opts: { lenient?: boolean; max?: number } = {}) {
  const out: [string, boolean][] = [];
  const violations: [WireCode, boolean][] = [];
  const d = new LineDecoder({
    maxLineBytes: opts.max ?? 1024,
    lenient: opts.lenient ?? false,
    onLine: (l, bareCr) => out.push([l.toString(), bareCr]),
    onViolation: (code, _m, _d, fatal) => violations.push([code, fatal]),
  });
  for (const c of chunks) d.push(Buffer.from(c));
  return { out, violations, d };
}

describe('LineDecoder', () => {
  it('splits on \\n, joins lines across chunks, strips \\r of \\r\\n and skips blank lines', () => {
    const { out, violations, d } = lines(['{"a":', '1}\n\n{"b":2}\r', '\n{"c"', ':3}\n{"d"']);
    expect(out).toEqual([['{"a":1}', false], ['{"b":2}', false], ['{"c":3}', false]]);
    expect(violations).toEqual([]);
    expect(d.pendingBytes).toBe(4);
  });

  it('strict: a bare \\r stays in the line and is flagged', () => {
    const { out, violations } = lines(['{"a":1}\r{"b":2}\n']);
    expect(out).toEqual([['{"a":1}\r{"b":2}', true]]);
    expect(violations).toEqual([]);
  });

  it('lenient: a bare \\r ends the line, recorded as recoverable', () => {
    const { out, violations } = lines(['{"a":1}\r{"b":2}\r\n{"c":3}\r'], { lenient: true });
    expect(out).toEqual([['{"a":1}', false], ['{"b":2}', false], ['{"c":3}', false]]);
    expect(violations).toEqual([['CC_WIRE_BARE_CR', false]]);
  });

  it('lenient: a \\r at the end of a chunk waits for the next byte to decide', () => {
    const crlf = lines(['{"a":1}\r', '\n{"b":2}\n'], { lenient: true });
    expect(crlf.out.map(([l]) => l)).toEqual(['{"a":1}', '{"b":2}']);
    expect(crlf.violations).toEqual([]);
    const bare = lines(['{"a":1}\r', '{"b":2}\n'], { lenient: true });
    expect(bare.out.map(([l]) => l)).toEqual(['{"a":1}', '{"b":2}']);
    expect(bare.violations).toEqual([['CC_WIRE_BARE_CR', false]]);
  });

  it('cuts a line that grows past the limit without a newline, before buffering it', () => {
    const { out, violations, d } = lines(['x'.repeat(600), 'y'.repeat(600), '\n{"a":1}\n'], { max: 1000 });
    expect(violations).toEqual([['CC_WIRE_OVERSIZED', true]]);
    expect(out).toEqual([]);
    expect(d.failed).toBe(true);
    expect(d.pendingBytes).toBe(0);
  });

  it('accepts a line of exactly the limit', () => {
    const { out, violations } = lines(['x'.repeat(1000), '\n'], { max: 1000 });
    expect(violations).toEqual([]);
    expect(out[0]?.[0]).toHaveLength(1000);
  });

  it('frames outbound payloads with \\n', () => {
    expect(encodeLine('{"a":1}')).toBe('{"a":1}\n');
    expect([...encodeLine(Uint8Array.of(1, 2))]).toEqual([1, 2, 10]);
  });
});

describe('LengthPrefixDecoder', () => {
  function decode(buf: Buffer, max = 100, step = buf.length) {
    const out: string[] = [];
    const violations: [WireCode, boolean][] = [];
    const d = new LengthPrefixDecoder({ maxMessageBytes: max, onMessage: (p) => out.push(p.toString()), onViolation: (c, _m, _d, f) => violations.push([c, f]) });
    for (let i = 0; i < buf.length; i += step) d.push(buf.subarray(i, i + step));
    return { out, violations, d };
  }

  it('reads messages split at every byte', () => {
    const buf = Buffer.concat([encodeLengthPrefixed('{"a":1}'), encodeLengthPrefixed(''), encodeLengthPrefixed('{"b":2}')]);
    expect(decode(buf, 100, 1).out).toEqual(['{"a":1}', '', '{"b":2}']);
  });

  it('refuses an announced length over the limit before reading the payload', () => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(101, 0);
    const { out, violations, d } = decode(Buffer.concat([head, Buffer.alloc(10)]));
    expect(out).toEqual([]);
    expect(violations).toEqual([['CC_WIRE_OVERSIZED', true]]);
    expect(d.pendingBytes).toBe(0);
  });
});
