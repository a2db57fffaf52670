/**
 * The transcript recorder: every message in and out, with its direction, monotonic time, size on
 * the wire and its text cut to a limit. Bounded twice: each text is cut, and the oldest records are
 * dropped once `maxRecords` is reached (a ring, so a long run costs constant memory).
 */
import type { WireRecord } from './types.js';

export const DEFAULT_TRANSCRIPT_TEXT_LIMIT = 4096;
export const DEFAULT_TRANSCRIPT_MAX_RECORDS = 10_000;

export class TranscriptRecorder {
  private readonly ring: WireRecord[] = [];
  private start = 0;
  /** Records dropped because the ring was full. */
  dropped = 0;

  constructor(
    readonly textLimit = DEFAULT_TRANSCRIPT_TEXT_LIMIT,
    readonly maxRecords = DEFAULT_TRANSCRIPT_MAX_RECORDS,
  ) {}

  /** Records one message: `bytes` is its size on the wire, `text` its rendering (cut here). */
  record(direction: 'in' | 'out', bytes: number, text: string, knownTruncated = false): void {
    const truncated = knownTruncated || text.length > this.textLimit;
    this.push({ direction, at: performance.now(), bytes, text: truncated && text.length > this.textLimit ? text.slice(0, this.textLimit) : text, truncated });
  }

  private push(rec: WireRecord): void {
    if (this.ring.length < this.maxRecords) {
      this.ring.push(rec);
      return;
    }
    this.ring[this.start] = rec;
    this.start = (this.start + 1) % this.maxRecords;
    this.dropped++;
  }

  /** The records, oldest first. */
  records(): WireRecord[] {
    if (this.start === 0) return this.ring.slice();
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}
