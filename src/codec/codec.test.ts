import { describe, expect, it } from 'vitest';
import { codecFor, isObjectValue, jsonCodec, msgpackCodec } from './index.js';

describe('json codec', () => {
  it('encodes to text and decodes bytes back, returning the text', () => {
    const text = jsonCodec.encode({ a: 'é', n: 1 });
    expect(text).toBe('{"a":"é","n":1}');
    expect(jsonCodec.decode(Buffer.from(text as string))).toEqual({ ok: true, value: { a: 'é', n: 1 }, text });
  });

  it('reports text that is not JSON with CC_WIRE_NOT_JSON', () => {
    const r = jsonCodec.decode(Buffer.from('{"a":'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('CC_WIRE_NOT_JSON');
  });

  it('refuses to encode undefined', () => {
    expect(() => jsonCodec.encode(undefined)).toThrow(TypeError);
  });
});

describe('msgpack codec', () => {
  it('round-trips a map and renders it as JSON-ish text for transcripts', () => {
    const bytes = msgpackCodec.encode({ rid: 1, kind: 'ok', bin: Uint8Array.of(1, 2) }) as Uint8Array;
    expect(msgpackCodec.decode(bytes)).toEqual({ ok: true, value: { rid: 1, kind: 'ok', bin: Uint8Array.of(1, 2) } });
    expect(msgpackCodec.render(bytes, 100)).toBe('{"rid":1,"kind":"ok","bin":{"$bin":"AQI="}}');
    expect(msgpackCodec.render(bytes, 10)).toBe('{"rid":1,"');
  });

  it('reports a never-used byte and trailing bytes with CC_WIRE_NOT_MSGPACK', () => {
    for (const bytes of [Uint8Array.of(0xc1), Uint8Array.of(0x01, 0x02)]) {
      const r = msgpackCodec.decode(bytes);
      expect(!r.ok && r.code).toBe('CC_WIRE_NOT_MSGPACK');
    }
    expect(msgpackCodec.render(Uint8Array.of(0xc1), 100)).toBe('<not msgpack: c1>');
  });
});

describe('codec registry', () => {
  it('maps names to codecs and knows what an object is', () => {
    expect(codecFor('json')).toBe(jsonCodec);
    expect(codecFor('msgpack')).toBe(msgpackCodec);
    expect([{}, { a: 1 }].map(isObjectValue)).toEqual([true, true]);
    expect([null, [], 'x', 1, Uint8Array.of(1)].map(isObjectValue)).toEqual([false, false, false, false, false]);
  });
});
