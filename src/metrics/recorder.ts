import type { Histogram } from 'hdr-histogram-js';

/**
 * The hot-path front of one HDR histogram. hdr-histogram-js spends ~200 ns per recordValue
 * (floating-point log2 and pow per value); this computes the same bucket index with integer
 * operations (clz32, shifts) into a counts array, ~10x faster and allocation-free, and
 * flushes the counts into the real histogram when anyone reads it. The index mapping is HDR's own
 * for 3 significant digits and a lowest discernible value of 1, so a flush is exact: every count
 * lands in the bucket recordValue would have put it in. Values of 2^31 µs (35 minutes) or more go
 * straight to the histogram.
 */

/** 3 significant digits: sub-buckets of 2048 (2^11), half of them 1024 (2^10). */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF_COUNT = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = (SUB_BUCKET_HALF_COUNT << 1) - 1;
/** Buckets needed below 2^31: index < (21 + 1) * 1024 + 1024. */
const COUNTS_LENGTH = (22 + 1) << SUB_BUCKET_HALF_MAGNITUDE;
const FAST_LIMIT = 2 ** 31;

export const RECORDER_SIGNIFICANT_DIGITS = 3;

export class Recorder {
  private readonly counts = new Float64Array(COUNTS_LENGTH);
  private low = COUNTS_LENGTH;
  private high = -1;

  constructor(readonly histogram: Histogram) {}

  /** Records one value (rounded; negatives count as 0). */
  record(value: number): void {
    const v = value > 0 ? Math.round(value) : 0;
    if (v >= FAST_LIMIT) {
      this.histogram.recordValue(v);
      return;
    }
    // HDR: bucket = leadingZeroCountBase - nlz64(v | mask), here in 32-bit arithmetic.
    const bucket = 21 - Math.clz32(v | SUB_BUCKET_MASK);
    const sub = v >>> bucket;
    const index = ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + sub - SUB_BUCKET_HALF_COUNT;
    this.counts[index] = (this.counts[index] as number) + 1;
    if (index < this.low) this.low = index;
    if (index > this.high) this.high = index;
  }

  /** Moves pending counts into the histogram; the histogram is then complete. */
  flush(): Histogram {
    const counts = this.counts;
    for (let i = this.low; i <= this.high; i++) {
      const c = counts[i] as number;
      if (c === 0) continue;
      let bucket = (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
      let sub = (i & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
      if (bucket < 0) {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
      }
      this.histogram.recordValueWithCount(sub * 2 ** bucket, c);
      counts[i] = 0;
    }
    this.low = COUNTS_LENGTH;
    this.high = -1;
    return this.histogram;
  }
}
