/** MessagePack (@msgpack/msgpack): one value per payload. Encoder and decoder are reused. */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { Codec, DecodeResult } from './types.js';

const encoder = new Encoder();
const decoder = new Decoder();

/** JSON-ish text of a decoded value for transcripts: bytes as base64, bigints as digits. */
function renderValue(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (v instanceof Uint8Array) return { $bin: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
      return v;
    }) ?? 'undefined';
  } catch {
    return '<unrenderable>';
  }
}

export const msgpackCodec: Codec = {
  name: 'msgpack',
  binary: true,
  encode(value: unknown): Uint8Array {
    return encoder.encode(value);
  },
  decode(payload: Uint8Array): DecodeResult {
    try {
      return { ok: true, value: decoder.decode(payload) };
    } catch (err) {
      return { ok: false, code: 'CC_WIRE_NOT_MSGPACK', reason: (err as Error).message };
    }
  },
  render(payload: Uint8Array, limit: number): string {
    let text: string;
    try {
      text = renderValue(decoder.decode(payload));
    } catch {
      text = `<not msgpack: ${Buffer.from(payload.buffer, payload.byteOffset, Math.min(payload.byteLength, limit)).toString('hex')}>`;
    }
    return text.length > limit ? text.slice(0, limit) : text;
  },
};
