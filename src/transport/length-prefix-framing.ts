/**
 * Length-prefixed framing (tcp+lp://): each message is a 4-byte big-endian length, then that many
 * bytes. The announced length is checked against the limit before a payload byte is buffered.
 */
import type { WireCode } from './diagnostics.js';

export type LengthPrefixState = 'length' | 'payload' | 'failed';

export interface LengthPrefixDecoderOptions {
  maxMessageBytes: number;
  onMessage: (payload: Buffer) => void;
  onViolation: (code: WireCode, message: string, detail: Record<string, unknown>, fatal: boolean) => void;
}

export class LengthPrefixDecoder {
  state: LengthPrefixState = 'length';
  private chunks: Buffer[] = [];
  pendingBytes = 0;
  private need = 4;

  constructor(private readonly opts: LengthPrefixDecoderOptions) {}

  get failed(): boolean {
    return this.state === 'failed';
  }

  push(chunk: Buffer): void {
    if (this.state === 'failed') return;
    this.chunks.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= this.need) {
      const block = this.take(this.need);
      if (this.state === 'length') {
        const len = block.readUInt32BE(0);
        if (len > this.opts.maxMessageBytes) {
          this.state = 'failed';
          this.chunks = [];
          this.pendingBytes = 0;
          this.opts.onViolation('CC_WIRE_OVERSIZED', `a message announces ${len} bytes, over the limit of ${this.opts.maxMessageBytes}`, { bytes: len, limit: this.opts.maxMessageBytes, framing: 'length-prefixed' }, true);
          return;
        }
        this.state = 'payload';
        this.need = len;
        if (len === 0) this.finishMessage(Buffer.alloc(0));
      } else {
        this.finishMessage(block);
      }
      if ((this.state as LengthPrefixState) === 'failed') return;
    }
  }

  private finishMessage(payload: Buffer): void {
    this.state = 'length';
    this.need = 4;
    this.opts.onMessage(payload);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    this.pendingBytes -= n;
    if (first.length === n) return this.chunks.shift() as Buffer;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0] as Buffer;
      const t = Math.min(c.length, n - off);
      c.copy(out, off, 0, t);
      off += t;
      if (t === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(t);
    }
    return out;
  }
}

export function encodeLengthPrefixed(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(4 + body.byteLength);
  out.writeUInt32BE(body.byteLength, 0);
  out.set(body, 4);
  return out;
}
