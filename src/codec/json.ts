/** JSON text (RFC 8259), UTF-8 on the wire. */
import type { Codec, DecodeResult } from './types.js';

function asBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

export const jsonCodec: Codec = {
  name: 'json',
  binary: false,
  encode(value: unknown): string {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined: sending "nothing" is a caller bug, not a payload.
    if (text === undefined) throw new TypeError('cannot encode undefined as JSON');
    return text;
  },
  decode(payload: Uint8Array): DecodeResult {
    const text = asBuffer(payload).toString('utf8');
    try {
      return { ok: true, value: JSON.parse(text), text };
    } catch (err) {
      return { ok: false, code: 'CC_WIRE_NOT_JSON', reason: (err as Error).message };
    }
  },
  render(payload: Uint8Array, limit: number): string {
    return asBuffer(payload).toString('utf8', 0, Math.min(payload.byteLength, limit * 4));
  },
};
