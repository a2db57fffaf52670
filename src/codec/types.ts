/**
 * A codec turns application values into payloads and back. Codecs know nothing of framing: a
 * payload is exactly one message (one WebSocket frame's data, one line, one length-prefixed block).
 */
import type { CodecName } from '../profile/types.js';

export type DecodeResult =
  | { ok: true; value: unknown; /** The payload as text when the codec is textual (reused by transcripts). */ text?: string }
  | { ok: false; code: 'CC_WIRE_NOT_JSON' | 'CC_WIRE_NOT_MSGPACK'; reason: string };

export interface Codec {
  readonly name: CodecName;
  /** Its payloads travel in WebSocket binary frames (MessagePack) rather than text frames (JSON). */
  readonly binary: boolean;
  encode(value: unknown): string | Uint8Array;
  decode(payload: Uint8Array): DecodeResult;
  /** A readable rendering of a payload for transcripts; never throws. */
  render(payload: Uint8Array, limit: number): string;
}
