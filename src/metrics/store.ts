import * as hdr from 'hdr-histogram-js';
import type { HistogramSummary } from './summary.js';
import { Recorder, RECORDER_SIGNIFICANT_DIGITS } from './recorder.js';

/**
 * The one metric store: named HDR histograms (microseconds for latencies) and named counters.
 * Engines only call `record` and `increment`; workers and shards combine stores with `merge`
 * (an exact histogram add) or through their encodings (`encode` / `MetricsStore.decode`).
 */

export type Histogram = hdr.Histogram;
export type HistogramUnit = HistogramSummary['unit'];

export interface MetricsStoreOptions {
  /** Unit recorded per histogram name when not `us` (e.g. `bytes` for message sizes). */
  units?: Record<string, HistogramUnit>;
}

/** A store in transit: what a worker posts to its parent, or a shard writes to its report. */
export interface EncodedMetrics {
  histograms: Record<string, { unit: HistogramUnit; encoded: string }>;
  counters: Record<string, number>;
}

/** HDR precision: every value within 0.1%. Fixed, because the Recorder's index math is for 3 digits. */
const DEFAULT_DIGITS = RECORDER_SIGNIFICANT_DIGITS;

/** An empty histogram at the store's precision; it grows as values arrive (autoResize). */
export function newHistogram(significantDigits: 1 | 2 | 3 | 4 | 5 = DEFAULT_DIGITS): Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, numberOfSignificantValueDigits: significantDigits, lowestDiscernibleValue: 1 });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  // 64-bit buckets so a merged count never overflows a 32-bit slot.
  return hdr.decodeFromCompressedBase64(encoded, 64, false);
}

/** The report's summary of one histogram, with its exact encoding for later merges. */
export function summariseHistogram(histogram: Histogram, unit: HistogramUnit = 'us'): HistogramSummary {
  const count = histogram.totalCount;
  if (count === 0) {
    return { unit, count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, encoded: encodeHistogram(histogram) };
  }
  return {
    unit,
    count,
    // Percentile 0 and 100 are the lowest and highest equivalent values: stable across encoding.
    min: histogram.getValueAtPercentile(0),
    mean: Math.round(histogram.mean * 1000) / 1000,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.getValueAtPercentile(100),
    encoded: encodeHistogram(histogram),
  };
}

/** Merges histogram summaries exactly through their encodings; null when the list is empty. */
export function mergeSummaries(summaries: readonly HistogramSummary[]): HistogramSummary | null {
  const first = summaries[0];
  if (!first) return null;
  const total = newHistogram();
  for (const summary of summaries) total.add(decodeHistogram(summary.encoded));
  return summariseHistogram(total, first.unit);
}

export class MetricsStore {
  /** One fast recorder per histogram; reading a histogram flushes its recorder first. */
  private readonly recorders = new Map<string, Recorder>();
  private readonly units = new Map<string, HistogramUnit>();
  private readonly counterValues = new Map<string, number>();

  constructor(options: MetricsStoreOptions = {}) {
    for (const [name, unit] of Object.entries(options.units ?? {})) this.units.set(name, unit);
  }

  /** The recorder for `name`, created on first use: hot paths may keep it and call `record` on it. */
  recorder(name: string, unit?: HistogramUnit): Recorder {
    let r = this.recorders.get(name);
    if (r === undefined) {
      r = new Recorder(newHistogram());
      this.recorders.set(name, r);
    }
    if (unit !== undefined) this.units.set(name, unit);
    return r;
  }

  /** The complete histogram for `name` (pending values flushed), created on first use. */
  histogram(name: string, unit?: HistogramUnit): Histogram {
    return this.recorder(name, unit).flush();
  }

  /** Records one value (microseconds for latencies). Negative values, from clock steps, count as 0. */
  record(name: string, valueUs: number): void {
    (this.recorders.get(name) ?? this.recorder(name)).record(valueUs);
  }

  increment(name: string, n = 1): void {
    this.counterValues.set(name, (this.counterValues.get(name) ?? 0) + n);
  }

  counter(name: string): number {
    return this.counterValues.get(name) ?? 0;
  }

  histogramNames(): string[] {
    return [...this.recorders.keys()].sort();
  }

  counters(): Record<string, number> {
    return Object.fromEntries([...this.counterValues.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  unitOf(name: string): HistogramUnit {
    return this.units.get(name) ?? 'us';
  }

  /** Adds another store into this one: histograms exactly (bucket counts), counters summed. */
  merge(other: MetricsStore): this {
    for (const name of other.recorders.keys()) {
      this.histogram(name, other.units.get(name)).add(other.histogram(name));
    }
    for (const [name, n] of other.counterValues) this.increment(name, n);
    return this;
  }

  /** Adds an encoded store (from a worker or a shard) into this one. */
  mergeEncoded(encoded: EncodedMetrics): this {
    for (const [name, { unit, encoded: data }] of Object.entries(encoded.histograms)) {
      this.histogram(name, unit).add(decodeHistogram(data));
    }
    for (const [name, n] of Object.entries(encoded.counters)) this.increment(name, n);
    return this;
  }

  static mergeAll(stores: readonly MetricsStore[], options?: MetricsStoreOptions): MetricsStore {
    const total = new MetricsStore(options);
    for (const store of stores) total.merge(store);
    return total;
  }

  encode(): EncodedMetrics {
    const histograms: EncodedMetrics['histograms'] = {};
    for (const name of this.histogramNames()) {
      histograms[name] = { unit: this.unitOf(name), encoded: encodeHistogram(this.histogram(name)) };
    }
    return { histograms, counters: this.counters() };
  }

  static decode(encoded: EncodedMetrics, options?: MetricsStoreOptions): MetricsStore {
    return new MetricsStore(options).mergeEncoded(encoded);
  }

  /** One histogram as the report's summary; an unknown name summarises as empty. */
  summarise(name: string): HistogramSummary {
    const r = this.recorders.get(name);
    return summariseHistogram(r ? r.flush() : newHistogram(), this.unitOf(name));
  }

  summariseAll(): Record<string, HistogramSummary> {
    const out: Record<string, HistogramSummary> = {};
    for (const name of this.histogramNames()) out[name] = this.summarise(name);
    return out;
  }

  /** Empties every histogram and counter, keeping the histogram objects (no reallocation). */
  reset(): void {
    for (const r of this.recorders.values()) r.flush().reset();
    this.counterValues.clear();
  }
}
