import { evaluateThresholds, parseThreshold } from '../load/thresholds.js';
import type { LoadResult, ThresholdResult } from './model.js';

/**
 * Metric lookup over a finished load result, in the units src/load/thresholds.ts compares in:
 * latency statistics in µs, rates in percent, counters as counted. `report merge` uses it to
 * re-evaluate thresholds on the merged histograms, which is the only way to get them right.
 *
 * - `<histogram>.<stat>`: stat p50, p90, p99, p999 (or p99.9), max, min, mean, count.
 * - `<counter>`: a counter's value; `delivery.lost|duplicated|reordered|expected|delivered`: the
 *   sum over rooms when no counter has that name.
 * - `<prefix>.rate`: 100 × (counter `<prefix>`, or the sum of counters `<prefix>.*`) / `messages.sent`.
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
    return histogram[stat as 'p50' | 'p90' | 'p99' | 'p999' | 'max' | 'min' | 'mean' | 'count'];
  }
  if (base === 'delivery' && load.delivery && ['lost', 'duplicated', 'reordered', 'expected', 'delivered'].includes(stat)) {
    return load.delivery.reduce((sum, d) => sum + d[stat as 'lost'], 0);
  }
  if (stat === 'rate') {
    const sent = counters['messages.sent'];
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
      const [result] = evaluateThresholds([parseThreshold(t.expression, t.source)], (metric) => loadMetric(load, metric));
      return result ?? { ...t, actual: null, passed: false };
    } catch {
      return { ...t, actual: null, passed: false };
    }
  });
}
