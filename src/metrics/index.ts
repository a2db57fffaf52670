export {
  MetricsStore,
  newHistogram,
  encodeHistogram,
  decodeHistogram,
  summariseHistogram,
  mergeSummaries,
} from './store.js';
export type { Histogram, HistogramUnit, MetricsStoreOptions, EncodedMetrics } from './store.js';
export { Snapshotter, toSeries } from './snapshots.js';
export { Recorder } from './recorder.js';
export type { MetricsSnapshot, SeriesNames } from './snapshots.js';
export type { HistogramSummary, SeriesPoint } from './summary.js';
