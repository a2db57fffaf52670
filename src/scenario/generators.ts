/**
 * Boundary data: strings of an exact number of Unicode code points, and messages padded to an
 * exact serialised size. Deterministic, so a failing case reproduces byte for byte.
 */
import { codecFor } from '../codec/index.js';
import type { CodecName } from '../profile/types.js';

export type TextKind = 'ascii' | 'hangul' | 'emoji' | 'cjk';

const KINDS: Record<TextKind, { first: number; span: number }> = {
  // a..z: one byte each in UTF-8.
  ascii: { first: 0x61, span: 26 },
  // 가 onwards: Hangul syllables, three bytes each, one UTF-16 unit.
  hangul: { first: 0xac00, span: 11172 },
  // 😀 onwards: astral, four bytes each, two UTF-16 units: the case that catches length counted in UTF-16.
  emoji: { first: 0x1f600, span: 80 },
  // CJK unified ideographs.
  cjk: { first: 0x4e00, span: 20992 },
};

export function isTextKind(kind: string): kind is TextKind {
  return Object.hasOwn(KINDS, kind);
}

const cache = new Map<string, string>();

/** `count` code points of one kind, cycling through its block. */
export function generateText(count: number, kind: TextKind): string {
  const key = `${kind}:${count}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const { first, span } = KINDS[kind];
  const chars: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) chars[i] = String.fromCodePoint(first + (i % span));
  const text = chars.join('');
  if (cache.size > 64) cache.clear();
  cache.set(key, text);
  return text;
}

/** Size in bytes of a value once serialised by the transport's own codec (no framing). */
export function serialisedSize(value: unknown, codec: CodecName): number {
  const payload = codecFor(codec).encode(value);
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
}

/**
 * Sets `set(padding)` to a run of `x` so that the whole message serialises to exactly `size`
 * bytes. MessagePack string headers grow with the length, so it converges in a few rounds.
 * Returns false when `size` is smaller than the message without padding.
 */
export function padToSize(message: unknown, set: (padding: string) => void, size: number, codec: CodecName): boolean {
  let length = 0;
  for (let round = 0; round < 6; round++) {
    set('x'.repeat(length));
    const actual = serialisedSize(message, codec);
    if (actual === size) return true;
    const next = length + (size - actual);
    if (next < 0) return false;
    // A header boundary can make the target unreachable by one byte: step past it.
    length = next === length ? next + 1 : next;
  }
  return serialisedSize(message, codec) === size;
}
