/**
 * Splits a TCP byte stream into NDJSON lines (assa.D1) without ever buffering more than the
 * message limit (assa.D3): a line that grows past it is discarded up to its newline and reported
 * once. Two states, like a receiver: reading a line, or discarding an oversized one.
 */
const LF = 0x0a;
const CR = 0x0d;

export interface LineSink {
  line(data: Buffer): void;
  /** A line of `bytes` (at least; counted until its end) exceeded the limit and was dropped. */
  oversize(bytes: number): void;
}

export class NdjsonReader {
  private state: 'line' | 'discarding' = 'line';
  private parts: Buffer[] = [];
  private size = 0;
  private discarded = 0;

  /** `maxBytes` counts the line without its `\n`; a trailing `\r` is tolerated on top. */
  constructor(private readonly maxBytes: number, private readonly sink: LineSink) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(LF, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.state === 'discarding') {
        this.discarded += end - start;
        if (nl !== -1) {
          this.state = 'line';
          this.sink.oversize(this.discarded);
          this.discarded = 0;
        }
      } else if (this.size + (end - start) > this.maxBytes + 1) {
        this.state = 'discarding';
        this.discarded = this.size + (end - start);
        this.parts = [];
        this.size = 0;
        if (nl !== -1) {
          this.state = 'line';
          this.sink.oversize(this.discarded);
          this.discarded = 0;
        }
      } else if (nl === -1) {
        this.parts.push(start === 0 ? chunk : chunk.subarray(start));
        this.size += end - start;
      } else {
        let line: Buffer;
        const piece = chunk.subarray(start, end);
        if (this.parts.length === 0) line = piece;
        else {
          this.parts.push(piece);
          line = Buffer.concat(this.parts, this.size + piece.length);
          this.parts = [];
          this.size = 0;
        }
        if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
        if (line.length > this.maxBytes) this.sink.oversize(line.length);
        else if (line.length > 0) this.sink.line(line);
      }
      start = end + 1;
    }
  }

  /** Bytes held for an unfinished line. */
  get buffered(): number {
    return this.size;
  }
}
