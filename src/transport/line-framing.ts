/**
 * Newline-delimited framing (NDJSON, seed 003's TCP server): `\n` ends a message, `\r\n` is
 * tolerated (assa.D1.framing). The buffer is bounded: a line that grows past the limit without a
 * newline is refused before it is buffered, so an endless line cannot exhaust memory.
 * Strict: a bare `\r` is part of the line (the transport reports CC_WIRE_BARE_CR when that line
 * then fails to decode). Lenient: a bare `\r` ends the line, recorded as non-strict.
 */
import type { WireCode } from './diagnostics.js';

const LF = 0x0a;
const CR = 0x0d;

export interface LineDecoderOptions {
  maxLineBytes: number;
  lenient: boolean;
  /** One line without its terminator. `bareCr`: the line contains a `\r` not followed by `\n`. */
  onLine: (line: Buffer, bareCr: boolean) => void;
  onViolation: (code: WireCode, message: string, detail: Record<string, unknown>, fatal: boolean) => void;
}

export class LineDecoder {
  private pending: Buffer[] = [];
  /** Bytes of an unfinished line held. */
  pendingBytes = 0;
  failed = false;
  /** Lenient: the previous chunk ended with `\r`; a `\n` first in the next one belongs to it. */
  private crAtEnd = false;
  lines = 0;

  constructor(private readonly opts: LineDecoderOptions) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    let start = 0;
    if (this.crAtEnd) {
      this.crAtEnd = false;
      if (chunk.length > 0 && chunk[0] === LF) start = 1;
      else this.bareCr();
    }
    const lenient = this.opts.lenient;
    let cr = lenient ? chunk.indexOf(CR, start) : -1;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      let end = nl;
      let next = nl + 1;
      let bare = false;
      if (lenient && cr !== -1 && (nl === -1 || cr < nl)) {
        if (cr === nl - 1) {
          end = cr; // \r\n
        } else if (cr + 1 < chunk.length) {
          end = cr;
          next = cr + 1;
          bare = true;
        } else {
          end = cr;
          next = cr + 1;
          this.crAtEnd = true;
        }
      }
      if (end === -1) {
        this.hold(chunk, start);
        return;
      }
      if (!this.emitLine(chunk, start, end)) return;
      if (bare) this.bareCr();
      start = next;
      if (lenient && cr !== -1 && cr < start) cr = chunk.indexOf(CR, start);
    }
  }

  /** Up to `max` bytes of the unfinished line (the probe looks for a bare \r in it). */
  pendingSample(max: number): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    return all.subarray(0, max);
  }

  private bareCr(): void {
    this.opts.onViolation('CC_WIRE_BARE_CR', `line ${this.lines} was ended by a bare \\r`, { line: this.lines }, false);
  }

  private tooLong(bytes: number): void {
    this.failed = true;
    const sawCr = this.pending.some((b) => b.includes(CR));
    this.pending = [];
    this.pendingBytes = 0;
    this.opts.onViolation('CC_WIRE_OVERSIZED', `a line grew past ${this.opts.maxLineBytes} bytes without a newline${sawCr ? ' (it contains bare \\r: try --lenient)' : ''}`, { bytes, limit: this.opts.maxLineBytes, framing: 'ndjson' }, true);
  }

  private hold(chunk: Buffer, start: number): void {
    const size = chunk.length - start;
    if (size === 0) return;
    if (this.pendingBytes + size > this.opts.maxLineBytes) {
      this.tooLong(this.pendingBytes + size);
      return;
    }
    this.pending.push(start === 0 ? chunk : chunk.subarray(start));
    this.pendingBytes += size;
  }

  private emitLine(chunk: Buffer, start: number, end: number): boolean {
    const size = end - start;
    if (this.pendingBytes + size > this.opts.maxLineBytes) {
      this.tooLong(this.pendingBytes + size);
      return false;
    }
    let line: Buffer;
    if (this.pendingBytes === 0) line = chunk.subarray(start, end);
    else {
      this.pending.push(chunk.subarray(start, end));
      line = Buffer.concat(this.pending, this.pendingBytes + size);
      this.pending = [];
      this.pendingBytes = 0;
    }
    // A trailing \r of \r\n stays on the line: JSON ignores it as whitespace.
    let stripped = line;
    if (stripped.length > 0 && stripped[stripped.length - 1] === CR) stripped = stripped.subarray(0, stripped.length - 1);
    if (stripped.length === 0) return true; // blank lines carry nothing
    this.lines++;
    const bareCr = !this.opts.lenient && stripped.includes(CR);
    this.opts.onLine(stripped, bareCr);
    return !this.failed;
  }
}

/** Frames one outbound payload as a line. */
export function encodeLine(payload: string | Uint8Array): string | Buffer {
  if (typeof payload === 'string') return `${payload}\n`;
  const out = Buffer.allocUnsafe(payload.byteLength + 1);
  out.set(payload, 0);
  out[payload.byteLength] = LF;
  return out;
}
