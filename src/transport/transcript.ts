/**
 * The transcript recorder: records of messages in and out, each text cut to a limit, and a bound
 * on how many are kept. A connection keeps the latest (a ring, so a long run costs constant
 * memory); a conformance case keeps the earliest, so the evidence of an early failure stays
 * addressable by its index, with one marker record where the cut happened.
 */
import type { WireRecord } from './types.js';

export const DEFAULT_TRANSCRIPT_TEXT_LIMIT = 4096;
export const DEFAULT_TRANSCRIPT_MAX_RECORDS = 10_000;

export interface RecorderOptions<R> {
  /** Which records stay once `maxRecords` is reached (default 'latest'). */
  keep?: 'latest' | 'earliest';
  /** keep 'earliest': the record stored once in place of the first one left out. */
  marker?: (firstLeftOut: R) => R;
}

export class TranscriptRecorder<R extends { text: string; truncated: boolean } = WireRecord> {
  private readonly ring: R[] = [];
  private start = 0;
  /** Records left out because the transcript was full. */
  dropped = 0;

  constructor(
    readonly textLimit = DEFAULT_TRANSCRIPT_TEXT_LIMIT,
    readonly maxRecords = DEFAULT_TRANSCRIPT_MAX_RECORDS,
    private readonly options: RecorderOptions<R> = {},
  ) {}

  /** A text cut to the limit, and whether it was (or already had been) cut. */
  clip(text: string, knownTruncated = false): { text: string; truncated: boolean } {
    return text.length > this.textLimit ? { text: text.slice(0, this.textLimit), truncated: true } : { text, truncated: knownTruncated };
  }

  /** Records one wire message: `bytes` is its size on the wire, `text` its rendering (cut here). */
  record(this: TranscriptRecorder<WireRecord>, direction: 'in' | 'out', bytes: number, text: string, knownTruncated = false): void {
    this.add({ direction, at: performance.now(), bytes, ...this.clip(text, knownTruncated) });
  }

  /** Adds a record whose text is already cut; returns its index in records(), -1 when it was left out. */
  add(rec: R): number {
    if (this.ring.length < this.maxRecords) {
      this.ring.push(rec);
      return this.ring.length - 1;
    }
    this.dropped++;
    if (this.options.keep === 'earliest') {
      if (this.dropped === 1 && this.options.marker) this.ring.push(this.options.marker(rec));
      return -1;
    }
    this.ring[this.start] = rec;
    this.start = (this.start + 1) % this.maxRecords;
    return -1;
  }

  /** The records, oldest first. */
  records(): R[] {
    if (this.start === 0) return this.ring.slice();
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}
