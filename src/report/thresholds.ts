import type { DeliveryRow, LoadResult, ThresholdResult } from './model.js';
import { evaluateThresholds, readThreshold } from './threshold-expression.js';

/** `delivery.<figure>` → its column in the per-room table. */
const DELIVERY_COLUMNS: Record<string, Exclude<keyof DeliveryRow, 'room'>> = {
  expected: 'expected', delivered: 'delivered', lost: 'lost', duplicated: 'duplicated', reordered: 'reordered',
  self_copies: 'selfCopies', self_missing: 'selfMissing', leaked: 'leaked', offline_copies: 'offlineCopies',
};

/**
 * Metric lookup over a finished load result, in the units thresholds compare in:
 * latency statistics in µs, rates in percent, counters as counted. `report merge` uses it to
 * re-evaluate thresholds on the merged histograms, which is the only way to get them right.
 * Undefined means "no data": the threshold fails (a percentile of no values is not 0).
 *
 * - `<histogram>.<stat>`: stat p50, p90, p99, p999 (or p99.9), max, min, mean; no data when the
 *   histogram is empty. `<histogram>.count` is always there.
 * - `<counter>`: a counter's value; `delivery.<figure>`: the sum over rooms of the delivery table's
 *   column (`self_copies` is the column selfCopies).
 * - `round_trips`: requests answered (`replies`) plus messages delivered to their recipients.
 * - `<prefix>.rate`: 100 × (counter `<prefix>`, or the sum of counters `<prefix>.*`) / messages sent;
 *   `timeouts.rate` is per request awaiting a reply (`requests`, when there were any). No data when
 *   nothing was sent.
 */
export function loadMetric(load: LoadResult, metric: string): number | undefined {
  const counters = load.counters;
  if (metric in counters) return counters[metric];
  const normalised = metric.replace(/\.p99\.9$/, '.p999');
  const dot = normalised.lastIndexOf('.');
  const base = normalised.slice(0, dot);
  const stat = normalised.slice(dot + 1);
  const histogram = load.histograms[base];
  if (histogram && ['p50', 'p90', 'p99', 'p999', 'max', 'min', 'mean', 'count'].includes(stat)) {
    if (stat !== 'count' && histogram.count === 0) return undefined;
    return histogram[stat as 'p50' | 'p90' | 'p99' | 'p999' | 'max' | 'min' | 'mean' | 'count'];
  }
  const column = base === 'delivery' ? DELIVERY_COLUMNS[stat] : undefined;
  if (column && load.delivery) return load.delivery.reduce((sum, d) => sum + (d[column] ?? 0), 0);
  if (metric === 'round_trips') {
    return (counters.replies ?? 0) + (load.delivery ?? []).reduce((sum, d) => sum + d.delivered, 0);
  }
  if (stat === 'rate') {
    // Timeouts happen only to requests awaiting a reply; with none of those, none timed out of what was sent.
    const sent = base === 'timeouts' && counters.requests ? counters.requests : counters['messages.sent'];
    if (!sent) return undefined;
    const own = counters[base];
    const numerator = own ?? Object.entries(counters).filter(([name]) => name.startsWith(`${base}.`)).reduce((sum, [, n]) => sum + n, 0);
    return (100 * numerator) / sent;
  }
  return undefined;
}

/** Re-evaluates recorded thresholds against a (merged) load result; one that no longer parses fails. */
export function reevaluateThresholds(recorded: readonly ThresholdResult[], load: LoadResult): ThresholdResult[] {
  return recorded.map((t) => {
    try {
      const [result] = evaluateThresholds([readThreshold(t.expression, t.source)], (metric) => loadMetric(load, metric));
      return result ?? { ...t, actual: null, passed: false };
    } catch {
      return { ...t, actual: null, passed: false };
    }
  });
}
