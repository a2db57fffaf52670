/**
 * A small RFC 6455 frame reader (§5.2), written as a state machine with named states like ws's
 * receiver. Two uses:
 * - `deliver` mode, below the lenient WebSocket transport: hands out whole frames and reports each
 *   violation, carrying on through the recoverable ones (RSV bits, non-minimal lengths).
 * - `observe` mode, beside ws in strict mode: reads headers only and skips payloads without copying,
 *   to catch what ws accepts silently (non-minimal lengths) and to know whether a connection was
 *   cut in the middle of a frame.
 * The inbound limit is enforced from the header, before a payload byte is buffered.
 */
import { ChunkQueue } from './chunk-queue.js';
import type { WireCode } from './diagnostics.js';

export type FrameState = 'header' | 'length16' | 'length64' | 'payload' | 'failed';

export interface Frame {
  fin: boolean;
  /** RSV1..RSV3 as the 3-bit value (0x4 = RSV1). */
  rsv: number;
  opcode: number;
  payload: Buffer;
}

export interface FrameReaderOptions {
  mode: 'deliver' | 'observe';
  /** Largest message (sum of its fragments) accepted, in bytes. */
  maxPayload: number;
  onFrame?: (frame: Frame) => void;
  /** `fatal` violations stop the reader (state `failed`); the others are carried on through. */
  onViolation: (code: WireCode, message: string, detail: Record<string, unknown>, fatal: boolean) => void;
}

const EMPTY = Buffer.alloc(0);

export class FrameReader {
  state: FrameState = 'header';
  private readonly queue = new ChunkQueue();
  private fin = false;
  private rsv = 0;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  private remaining = 0;
  private parts: Buffer[] = [];
  /** Opcode of the fragmented message in progress (0 when none). */
  private fragmentedOpcode = 0;
  private messageLength = 0;
  /** Frames read so far (for diagnostics). */
  frames = 0;

  constructor(private readonly opts: FrameReaderOptions) {}

  push(chunk: Buffer): void {
    if (this.state === 'failed') return;
    this.queue.push(chunk);
    this.run();
  }

  /** True when the stream stopped now would cut a frame or a fragmented message. */
  midMessage(): boolean {
    return this.state !== 'header' || this.queue.length > 0 || this.fragmentedOpcode !== 0;
  }

  position(): Record<string, unknown> {
    return { state: this.state, frames: this.frames, bufferedBytes: this.queue.length, payloadRemaining: this.remaining, inFragmentedMessage: this.fragmentedOpcode !== 0 };
  }

  private run(): void {
    for (;;) {
      switch (this.state) {
        case 'header':
          if (this.queue.length < 2 || !this.readHeader()) return;
          break;
        case 'length16':
          if (this.queue.length < 2) return;
          this.readLength16();
          break;
        case 'length64':
          if (this.queue.length < 8) return;
          this.readLength64();
          break;
        case 'payload':
          if (!this.readPayload()) return;
          break;
        case 'failed':
          return;
      }
    }
  }

  private fail(code: WireCode, message: string, detail: Record<string, unknown> = {}): false {
    this.state = 'failed';
    this.queue.clear();
    this.parts = [];
    this.opts.onViolation(code, message, { frame: this.frames, ...detail }, true);
    return false;
  }

  private warn(code: WireCode, message: string, detail: Record<string, unknown>): void {
    this.opts.onViolation(code, message, { frame: this.frames, ...detail }, false);
  }

  private readHeader(): boolean {
    const b = this.queue.take(2);
    const b0 = b[0] as number;
    const b1 = b[1] as number;
    this.frames++;
    this.fin = (b0 & 0x80) !== 0;
    this.rsv = (b0 & 0x70) >> 4;
    this.opcode = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const op = this.opcode;
    const control = op >= 0x8;

    if ((op > 0x2 && op < 0x8) || op > 0xa) return this.fail('CC_WIRE_RESERVED_OPCODE', `a frame uses reserved opcode 0x${op.toString(16)}`, { opcode: op });
    if (control && !this.fin) return this.fail('CC_WIRE_FRAGMENTATION', `control frame (opcode 0x${op.toString(16)}) is fragmented`, { opcode: op });
    if (control && len7 > 125) return this.fail('CC_WIRE_CONTROL_FRAME', `control frame (opcode 0x${op.toString(16)}) announces ${len7 === 126 ? 'a 16-bit' : len7 === 127 ? 'a 64-bit' : len7} length`, { opcode: op });
    if (op === 0x0 && this.fragmentedOpcode === 0) return this.fail('CC_WIRE_FRAGMENTATION', 'a continuation frame arrived with no fragmented message to continue', { opcode: op });
    if ((op === 0x1 || op === 0x2) && this.fragmentedOpcode !== 0) return this.fail('CC_WIRE_FRAGMENTATION', `a new data frame (opcode 0x${op}) arrived inside a fragmented message`, { opcode: op });
    if (this.masked) return this.fail('CC_WIRE_MASKED_FRAME', 'the server sent a masked frame', { opcode: op });
    if (this.rsv !== 0) this.warn('CC_WIRE_RSV_BITS', `a frame has RSV bits 0b${this.rsv.toString(2).padStart(3, '0')} set with no extension negotiated`, { rsv: this.rsv, opcode: op });

    if (len7 === 126) this.state = 'length16';
    else if (len7 === 127) this.state = 'length64';
    else return this.startPayload(len7);
    return true;
  }

  private readLength16(): void {
    const b = this.queue.take(2);
    const len = b.readUInt16BE(0);
    if (len < 126) this.warn('CC_WIRE_NON_MINIMAL_LENGTH', `length ${len} was encoded in 16 bits; it fits in 7`, { length: len, encodedIn: 16 });
    this.startPayload(len);
  }

  private readLength64(): void {
    const b = this.queue.take(8);
    const hi = b.readUInt32BE(0);
    const lo = b.readUInt32BE(4);
    if (hi & 0x80000000) {
      this.fail('CC_WIRE_OVERSIZED', 'the 64-bit payload length has its most significant bit set', {});
      return;
    }
    const len = hi * 2 ** 32 + lo;
    if (len < 65536) this.warn('CC_WIRE_NON_MINIMAL_LENGTH', `length ${len} was encoded in 64 bits; it fits in ${len < 126 ? 7 : 16}`, { length: len, encodedIn: 64 });
    this.startPayload(len);
  }

  private startPayload(len: number): boolean {
    this.payloadLength = len;
    this.remaining = len;
    if (this.opcode < 0x8) {
      const total = (this.fragmentedOpcode !== 0 ? this.messageLength : 0) + len;
      if (total > this.opts.maxPayload) {
        return this.fail('CC_WIRE_OVERSIZED', `a message of ${total} bytes exceeds the limit of ${this.opts.maxPayload}`, { bytes: total, limit: this.opts.maxPayload });
      }
    }
    this.state = 'payload';
    return true;
  }

  private readPayload(): boolean {
    if (this.remaining > 0) {
      if (this.queue.length === 0) return false;
      const take = Math.min(this.remaining, this.queue.length);
      if (this.opts.mode === 'observe') this.queue.skip(take);
      else this.parts.push(this.queue.take(take));
      this.remaining -= take;
      if (this.remaining > 0) return false;
    }
    this.endFrame();
    return true;
  }

  private endFrame(): void {
    const op = this.opcode;
    if (op < 0x8) {
      if (!this.fin) {
        if (op !== 0) this.fragmentedOpcode = op;
        this.messageLength += this.payloadLength;
      } else {
        this.fragmentedOpcode = 0;
        this.messageLength = 0;
      }
    }
    this.state = 'header';
    if (this.opts.mode === 'deliver' && this.opts.onFrame) {
      const parts = this.parts;
      this.parts = [];
      const payload = parts.length === 1 ? (parts[0] as Buffer) : parts.length === 0 ? EMPTY : Buffer.concat(parts);
      this.opts.onFrame({ fin: this.fin, rsv: this.rsv, opcode: op, payload });
    }
  }
}
