/**
 * The grammar of thresholds such as `reply.p99<100ms`, `delivery.lost==0`, `errors.rate<0.1%`,
 * and their judgement against a metric lookup: what a report's thresholds mean, so `report merge`
 * can judge them again on merged metrics. Which metrics a run of a profile produces is the load
 * engine's knowledge (src/load/thresholds.ts checks names against it before a run).
 *
 * Latency statistics are held in microseconds, so a threshold's unit converts its bound to µs;
 * a `%` bound compares against a ratio in percent. A time bound must say its unit (is `100` a
 * hundred microseconds or a hundred milliseconds?), and values print back in the unit written.
 */
import { ccError } from '../errors.js';
import type { ThresholdResult } from './model.js';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** The unit a bound was written in: a time unit, `%`, or none (a count). */
export type ThresholdUnit = NonNullable<ThresholdResult['unit']>;

export interface Threshold {
  expression: string;
  /** The metric as looked up, e.g. `reply.p99`, `delivery.lost`, `errors.rate`. */
  metric: string;
  operator: ThresholdOperator;
  /** The bound in the metric's own unit (µs for latencies, percent for rates). */
  bound: number;
  /** As written; values of this threshold print in it. */
  unit: ThresholdUnit;
  source: ThresholdResult['source'];
}

/** Statistics of a histogram that are times; `count` is the only one that is not. */
export const TIME_STATS = ['p50', 'p90', 'p99', 'p999', 'p99.9', 'max', 'min', 'mean'] as const;

/** A histogram statistic that is a time (its bound needs a unit): `reply.p99`, `auth.max`. */
export function isTimeMetric(metric: string): boolean {
  const dot = metric.indexOf('.');
  return dot > 0 && (TIME_STATS as readonly string[]).includes(metric.slice(dot + 1));
}

const UNIT_TO_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };
const PATTERN = /^\s*([a-z][\w.-]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|%)?\s*$/i;
const EXAMPLES = 'e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1%';

/** Where a threshold came from, as the error line says it. */
const ORIGIN: Record<Threshold['source'], string> = { flag: 'command line', scenario: 'scenario', slo: 'SLO', gate: 'default gate' };

/** Refuses a threshold (CC_ERR_BAD_THRESHOLD, exit 2), naming where it came from. */
export function refuseThreshold(expression: string, source: Threshold['source'], reason: string, hint: string): never {
  throw ccError('CC_ERR_BAD_THRESHOLD', { expression: JSON.stringify(expression), origin: ORIGIN[source], reason, hint });
}

/**
 * Reads one expression. Refuses (exit 2) what it cannot read, a time bound without a unit, a unit
 * on a count and a `%` on anything but a rate. `checkMetric` sees the metric first, and may
 * refuse it (a name no run produces).
 */
export function readThreshold(expression: string, source: Threshold['source'], checkMetric?: (metric: string) => void): Threshold {
  const match = PATTERN.exec(expression);
  if (!match) refuseThreshold(expression, source, 'expected METRIC OP VALUE[UNIT]', EXAMPLES);
  const [, metric, operator, value, written] = match as unknown as [string, string, ThresholdOperator, string, string | undefined];
  const unit = (written === undefined ? '' : written.toLowerCase() === 'µs' ? 'us' : written.toLowerCase()) as ThresholdUnit;
  checkMetric?.(metric);
  if (isTimeMetric(metric)) {
    if (unit === '' || unit === '%') refuseThreshold(expression, source, `${metric} is a time: its bound needs a unit`, `write it as ${metric}${operator}${value}ms (units: us, ms, s, m)`);
  } else if (unit === '%') {
    if (!metric.endsWith('.rate')) refuseThreshold(expression, source, `${metric} is a count, not a rate`, `write ${metric}${operator}${value} without %, or use a rate such as errors.rate`);
  } else if (unit !== '') {
    refuseThreshold(expression, source, `${metric} is not a time: it takes no unit`, `write ${metric}${operator}${value}`);
  }
  const factor = unit === '' || unit === '%' ? 1 : (UNIT_TO_US[unit] as number);
  return { expression: expression.trim(), metric, operator, bound: Number(value) * factor, unit, source };
}

export function compare(actual: number, operator: ThresholdOperator, bound: number): boolean {
  switch (operator) {
    case '<': return actual < bound;
    case '<=': return actual <= bound;
    case '>': return actual > bound;
    case '>=': return actual >= bound;
    case '==': return actual === bound;
    case '!=': return actual !== bound;
  }
}

/**
 * Evaluates thresholds against a metric lookup. A metric with no data (a histogram nobody
 * recorded into, a rate of nothing) fails its threshold with actual null: `reply.p99<100ms` must
 * not pass for a run in which no reply ever came.
 */
export function evaluateThresholds(thresholds: readonly Threshold[], lookup: (metric: string) => number | undefined): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = lookup(t.metric);
    return {
      expression: t.expression,
      metric: t.metric,
      actual: actual === undefined || Number.isNaN(actual) ? null : actual,
      passed: actual !== undefined && !Number.isNaN(actual) && compare(actual, t.operator, t.bound),
      source: t.source,
      // A rate is a percentage whether or not its bound said so.
      unit: t.unit === '' && t.metric.endsWith('.rate') ? '%' : t.unit,
    };
  });
}
