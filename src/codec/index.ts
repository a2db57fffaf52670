/** The codec registry: name → implementation. */
import type { CodecName } from '../profile/types.js';
import { jsonCodec } from './json.js';
import { msgpackCodec } from './msgpack.js';
import type { Codec } from './types.js';

export type { Codec, DecodeResult } from './types.js';
export { jsonCodec } from './json.js';
export { msgpackCodec } from './msgpack.js';

const CODECS: Readonly<Record<CodecName, Codec>> = { json: jsonCodec, msgpack: msgpackCodec };

export function codecFor(name: CodecName): Codec {
  const codec = CODECS[name];
  if (!codec) throw new TypeError(`unknown codec ${String(name)}`);
  return codec;
}

/** True for what the protocols call an object: a JSON object or MessagePack map, not an array or null. */
export function isObjectValue(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
