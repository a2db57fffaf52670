/**
 * Length-prefixed framing (tcp+lp://): each message is a 4-byte big-endian length, then that many
 * bytes. The announced length is checked against the limit before a payload byte is buffered.
 */
import { ChunkQueue } from './chunk-queue.js';
import type { WireCode } from './diagnostics.js';

export type LengthPrefixState = 'length' | 'payload' | 'failed';

export interface LengthPrefixDecoderOptions {
  maxMessageBytes: number;
  onMessage: (payload: Buffer) => void;
  onViolation: (code: WireCode, message: string, detail: Record<string, unknown>, fatal: boolean) => void;
}

export class LengthPrefixDecoder {
  state: LengthPrefixState = 'length';
  private readonly queue = new ChunkQueue();
  private need = 4;

  constructor(private readonly opts: LengthPrefixDecoderOptions) {}

  /** Bytes held of an unfinished message. */
  get pendingBytes(): number {
    return this.queue.length;
  }

  get failed(): boolean {
    return this.state === 'failed';
  }

  push(chunk: Buffer): void {
    if (this.state === 'failed') return;
    this.queue.push(chunk);
    while (this.queue.length >= this.need) {
      const block = this.queue.take(this.need);
      if (this.state === 'length') {
        const len = block.readUInt32BE(0);
        if (len > this.opts.maxMessageBytes) {
          this.state = 'failed';
          this.queue.clear();
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
}

export function encodeLengthPrefixed(payload: string | Uint8Array): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(4 + body.byteLength);
  out.writeUInt32BE(body.byteLength, 0);
  out.set(body, 4);
  return out;
}
