import { describe, expect, it } from 'vitest';
import type { Writable } from 'node:stream';
import * as ws from 'ws';
import { WIRE_DIAGNOSTICS, fromWsError, timeoutDiagnostic, wireDiagnostic, type WireCode } from './diagnostics.js';
import { TranscriptRecorder } from './transcript.js';

/** Feeds bytes to ws's own Receiver (client side) and returns the error it raises. */
/** ws's frame parser; its ESM entry exports it, its type declarations do not. */
const Receiver = (ws as unknown as { Receiver: new (opts: { isServer: boolean; maxPayload: number }) => Writable }).Receiver;

function wsErrorFor(bytes: number[]): Promise<Error & { code?: string }> {
  const receiver = new Receiver({ isServer: false, maxPayload: 100 });
  return new Promise((resolve, reject) => {
    // Writable streams emit 'error' on a later tick.
    const timer = setTimeout(() => reject(new Error('ws accepted the bytes')), 200);
    receiver.on('error', (e: Error & { code?: string }) => {
      clearTimeout(timer);
      resolve(e);
    });
    receiver.write(Buffer.from(bytes));
  });
}

describe('the wire diagnostics registry', () => {
  it('gives every code a section and a one-line explanation', () => {
    for (const [code, def] of Object.entries(WIRE_DIAGNOSTICS)) {
      expect(code).toMatch(/^CC_WIRE_[A-Z0-9_]+$/);
      expect(def.section.length).toBeGreaterThan(0);
      expect(def.explanation).not.toContain('\n');
    }
  });

  it('downgrades only recoverable faults in lenient mode', () => {
    expect(wireDiagnostic('CC_WIRE_RSV_BITS', undefined, undefined, { lenient: true }).severity).toBe('non-strict');
    expect(wireDiagnostic('CC_WIRE_RSV_BITS').severity).toBe('fail');
    expect(wireDiagnostic('CC_WIRE_RESERVED_OPCODE', undefined, undefined, { lenient: true }).severity).toBe('fail');
  });

  it('names what a timeout awaited', () => {
    const d = timeoutDiagnostic('CONNECT_RESPONSE', 250);
    expect(d).toMatchObject({ code: 'CC_WIRE_TIMEOUT', message: 'timed out after 250 ms awaiting CONNECT_RESPONSE', detail: { awaiting: 'CONNECT_RESPONSE', timeoutMs: 250 } });
  });

  it.each([
    ['RSV1', [0xc1, 0x00], 'CC_WIRE_RSV_BITS'],
    ['RSV2', [0xa1, 0x00], 'CC_WIRE_RSV_BITS'],
    ['a reserved opcode', [0x83, 0x00], 'CC_WIRE_RESERVED_OPCODE'],
    ['a continuation first', [0x80, 0x00], 'CC_WIRE_FRAGMENTATION'],
    ['a new message inside a fragmented one', [0x01, 0x00, 0x81, 0x00], 'CC_WIRE_FRAGMENTATION'],
    ['a fragmented ping', [0x09, 0x00], 'CC_WIRE_FRAGMENTATION'],
    ['a long ping', [0x89, 126, 0, 126], 'CC_WIRE_CONTROL_FRAME'],
    ['a masked frame', [0x81, 0x80, 0, 0, 0, 0], 'CC_WIRE_MASKED_FRAME'],
    ['a frame over maxPayload', [0x81, 126, 0, 200], 'CC_WIRE_OVERSIZED'],
    ['invalid UTF-8', [0x81, 0x02, 0xff, 0xfe], 'CC_WIRE_INVALID_UTF8'],
    ['an invalid close code', [0x88, 0x02, 0x03, 0xed], 'CC_WIRE_INVALID_CLOSE_CODE'],
  ] as [string, number[], WireCode][])('maps ws\'s error for %s, keeping its code and close code', async (_n, bytes, code) => {
    const err = await wsErrorFor(bytes);
    const d = fromWsError(err);
    expect(d.code).toBe(code);
    expect(d.detail?.wsCode).toBe(err.code);
    expect(typeof d.detail?.closeCode).toBe('number');
  });
});

describe('TranscriptRecorder', () => {
  it('cuts texts to the limit and drops the oldest records past the maximum', () => {
    const r = new TranscriptRecorder(5, 3);
    for (let i = 0; i < 5; i++) r.record('in', 10, `message-${i}`);
    expect(r.records().map((x) => x.text)).toEqual(['messa', 'messa', 'messa']);
    expect(r.records().every((x) => x.truncated && x.bytes === 10)).toBe(true);
    expect(r.dropped).toBe(2);
    const order = new TranscriptRecorder(100, 2);
    for (const t of ['a', 'b', 'c']) order.record('out', 1, t);
    expect(order.records().map((x) => x.text)).toEqual(['b', 'c']);
  });
});
