import { describe, expect, it } from 'vitest';
import type { WireCode } from './diagnostics.js';
import { FrameReader, type Frame } from './frame-reader.js';

type Violation = [WireCode, boolean];

function read(bytes: number[] | Buffer, opts: { maxPayload?: number; mode?: 'deliver' | 'observe'; split?: number } = {}) {
  const frames: Frame[] = [];
  const violations: Violation[] = [];
  const reader = new FrameReader({
    mode: opts.mode ?? 'deliver',
    maxPayload: opts.maxPayload ?? 1 << 20,
    onFrame: (f) => frames.push(f),
    onViolation: (code, _m, _d, fatal) => violations.push([code, fatal]),
  });
  const buf = Buffer.from(bytes);
  // Feed in pieces to exercise every state across chunk boundaries.
  const step = opts.split ?? buf.length;
  for (let i = 0; i < buf.length; i += step) reader.push(buf.subarray(i, i + step));
  return { frames, violations, reader };
}

const HELLO = [...Buffer.from('hello')];

describe('FrameReader', () => {
  it('reads an unmasked text frame with a 7-bit length', () => {
    const { frames, violations, reader } = read([0x81, 0x05, ...HELLO]);
    expect(frames).toEqual([{ fin: true, rsv: 0, opcode: 1, payload: Buffer.from('hello') }]);
    expect(violations).toEqual([]);
    expect(reader.state).toBe('header');
    expect(reader.midMessage()).toBe(false);
  });

  it('reads the same frame fed one byte at a time', () => {
    const { frames } = read([0x81, 0x05, ...HELLO], { split: 1 });
    expect(frames.map((f) => f.payload.toString())).toEqual(['hello']);
  });

  it('reads 16-bit and 64-bit lengths', () => {
    const p200 = Buffer.alloc(200, 0x61);
    const p70k = Buffer.alloc(70_000, 0x62);
    const head64 = Buffer.alloc(10);
    head64[0] = 0x82;
    head64[1] = 127;
    head64.writeBigUInt64BE(70_000n, 2);
    const { frames, violations } = read(Buffer.concat([Buffer.from([0x81, 126, 0, 200]), p200, head64, p70k]), { split: 4096 });
    expect(frames.map((f) => [f.opcode, f.payload.length])).toEqual([[1, 200], [2, 70_000]]);
    expect(violations).toEqual([]);
  });

  it('reports RSV bits as recoverable and still delivers the frame', () => {
    const { frames, violations } = read([0xc1, 0x05, ...HELLO]);
    expect(violations).toEqual([['CC_WIRE_RSV_BITS', false]]);
    expect(frames[0]).toMatchObject({ rsv: 4, payload: Buffer.from('hello') });
  });

  it('reports a 16-bit length under 126 as non-minimal, recoverably', () => {
    const { frames, violations } = read([0x81, 126, 0x00, 0x05, ...HELLO]);
    expect(violations).toEqual([['CC_WIRE_NON_MINIMAL_LENGTH', false]]);
    expect(frames[0]?.payload.toString()).toBe('hello');
  });

  it('reports a 64-bit length under 65536 as non-minimal, recoverably', () => {
    const { frames, violations } = read([0x81, 127, 0, 0, 0, 0, 0, 0, 0, 0x05, ...HELLO]);
    expect(violations).toEqual([['CC_WIRE_NON_MINIMAL_LENGTH', false]]);
    expect(frames).toHaveLength(1);
  });

  it.each([
    ['a reserved data opcode', [0x83, 0x00], 'CC_WIRE_RESERVED_OPCODE'],
    ['a reserved control opcode', [0x8b, 0x00], 'CC_WIRE_RESERVED_OPCODE'],
    ['a masked frame', [0x81, 0x85, 1, 2, 3, 4, ...HELLO], 'CC_WIRE_MASKED_FRAME'],
    ['a continuation with nothing to continue', [0x80, 0x00], 'CC_WIRE_FRAGMENTATION'],
    ['a new text frame inside a fragmented message', [0x01, 0x01, 0x61, 0x81, 0x01, 0x62], 'CC_WIRE_FRAGMENTATION'],
    ['a fragmented ping', [0x09, 0x00], 'CC_WIRE_FRAGMENTATION'],
    ['a ping of 126 bytes', [0x89, 126, 0, 126], 'CC_WIRE_CONTROL_FRAME'],
    ['a 64-bit length with the top bit set', [0x81, 127, 0x80, 0, 0, 0, 0, 0, 0, 1], 'CC_WIRE_OVERSIZED'],
  ] as const)('stops at %s', (_name, bytes, code) => {
    const { violations, reader } = read([...bytes, 0x81, 0x00]);
    expect(violations).toEqual([[code, true]]);
    expect(reader.state).toBe('failed');
  });

  it('refuses an oversized frame from its header, before buffering the payload', () => {
    const { violations, frames, reader } = read([0x81, 126, 0x01, 0x00, 0x61], { maxPayload: 100 });
    expect(violations).toEqual([['CC_WIRE_OVERSIZED', true]]);
    expect(frames).toEqual([]);
    expect(reader.position().bufferedBytes).toBe(0);
  });

  it('counts fragments towards the message limit', () => {
    const { violations } = read([0x01, 60, ...Buffer.alloc(60), 0x80, 60, ...Buffer.alloc(60)], { maxPayload: 100 });
    expect(violations).toEqual([['CC_WIRE_OVERSIZED', true]]);
  });

  it('delivers fragments and a control frame interleaved in a fragmented message', () => {
    const { frames, violations } = read([0x01, 0x02, 0x68, 0x65, 0x89, 0x00, 0x80, 0x03, 0x6c, 0x6c, 0x6f]);
    expect(violations).toEqual([]);
    expect(frames.map((f) => [f.opcode, f.fin, f.payload.toString()])).toEqual([[1, false, 'he'], [9, true, ''], [0, true, 'llo']]);
  });

  it('knows when the stream stops in the middle of a frame or a fragmented message', () => {
    expect(read([0x81, 0x05, 0x68]).reader.midMessage()).toBe(true);
    expect(read([0x01, 0x01, 0x68]).reader.midMessage()).toBe(true);
    expect(read([0x81]).reader.midMessage()).toBe(true);
  });

  it('observe mode skips payloads without delivering them', () => {
    const { frames, violations, reader } = read([0x81, 126, 0x00, 0x05, ...HELLO, 0x81, 0x01], { mode: 'observe' });
    expect(frames).toEqual([]);
    expect(violations).toEqual([['CC_WIRE_NON_MINIMAL_LENGTH', false]]);
    expect(reader.frames).toBe(2);
    expect(reader.midMessage()).toBe(true);
  });
});
