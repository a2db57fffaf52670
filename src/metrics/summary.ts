/**
 * What the metrics hand a report: a histogram summarised (with its exact encoding, so shards merge
 * and any percentile can be recomputed) and a point of the time series. The report's model
 * (src/report/model.ts) takes these as they are; the metrics never read the report.
 */

/** A histogram summarised, plus its exact HDR encoding for merging and re-rendering. */
export interface HistogramSummary {
  /** Unit of the values: microseconds for latencies. */
  unit: 'us' | 'ms' | 'bytes' | 'count';
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** hdr-histogram-js base64 compressed encoding. */
  encoded: string;
}

/** One interval of a load run, for charts: messages sent and received, reply latency (ms), connections. */
export interface SeriesPoint {
  t: number;
  sent: number;
  received: number;
  p50: number;
  p99: number;
  connected: number;
}
