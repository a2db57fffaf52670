import { newHistogram, type Histogram, type MetricsStore } from './store.js';
import type { SeriesPoint } from './summary.js';

/** What happened in one interval: counter deltas and the interval's own percentiles. */
export interface MetricsSnapshot {
  /** Milliseconds since the run started, at the end of the interval. */
  t: number;
  /** Milliseconds the interval covers. */
  intervalMs: number;
  counters: Record<string, number>;
  histograms: Record<string, { count: number; p50: number; p90: number; p99: number; max: number }>;
}

/**
 * Time-bucketed views of a store for charts and live progress. The hot path records only into
 * the store; at each interval `take` diffs the store against a copy kept from the last interval
 * (one copy per histogram per interval, never per value).
 */
export class Snapshotter {
  private readonly previous = new Map<string, Histogram>();
  private previousCounters: Record<string, number> = {};
  private lastT = 0;
  private readonly taken: MetricsSnapshot[] = [];

  constructor(private readonly store: MetricsStore) {}

  take(tMs: number): MetricsSnapshot {
    const histograms: MetricsSnapshot['histograms'] = {};
    for (const name of this.store.histogramNames()) {
      const now = this.store.histogram(name);
      const delta = newHistogram();
      delta.add(now);
      const before = this.previous.get(name);
      if (before) delta.subtract(before);
      // Keep a copy of the running total for the next diff.
      const copy = before ?? newHistogram();
      copy.reset();
      copy.add(now);
      this.previous.set(name, copy);
      const count = delta.totalCount;
      histograms[name] = count === 0
        ? { count: 0, p50: 0, p90: 0, p99: 0, max: 0 }
        : {
            count,
            p50: delta.getValueAtPercentile(50),
            p90: delta.getValueAtPercentile(90),
            p99: delta.getValueAtPercentile(99),
            max: delta.getValueAtPercentile(100),
          };
    }
    const totals = this.store.counters();
    const counters: Record<string, number> = {};
    for (const [name, value] of Object.entries(totals)) counters[name] = value - (this.previousCounters[name] ?? 0);
    this.previousCounters = totals;
    const snapshot: MetricsSnapshot = { t: tMs, intervalMs: tMs - this.lastT, counters, histograms };
    this.lastT = tMs;
    this.taken.push(snapshot);
    return snapshot;
  }

  snapshots(): readonly MetricsSnapshot[] {
    return this.taken;
  }
}

/** Which names of the store feed the report's series columns. */
export interface SeriesNames {
  sent: string;
  received: string;
  /** The latency histogram whose interval p50/p99 the chart plots (microseconds in, ms out). */
  latency: string;
  /** A gauge-like counter: connections opened minus closed. */
  connected?: string;
}

/** The report's `load.series` from snapshots: per-interval counts and latency in milliseconds. */
export function toSeries(snapshots: readonly MetricsSnapshot[], names: SeriesNames): SeriesPoint[] {
  let connected = 0;
  return snapshots.map((s) => {
    connected += names.connected ? (s.counters[names.connected] ?? 0) : 0;
    const latency = s.histograms[names.latency];
    return {
      t: s.t,
      sent: s.counters[names.sent] ?? 0,
      received: s.counters[names.received] ?? 0,
      p50: latency ? latency.p50 / 1000 : 0,
      p99: latency ? latency.p99 / 1000 : 0,
      connected,
    };
  });
}
