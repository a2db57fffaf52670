import { ccError } from '../errors.js';
import type { ThresholdResult } from '../report/model.js';

/**
 * Thresholds such as `reply.p99<100ms`, `delivery.lost==0`, `errors.rate<0.1%`.
 * Latency statistics are held in microseconds, so a threshold's unit converts its bound to µs;
 * a `%` bound compares against a ratio in percent.
 */

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Threshold {
  expression: string;
  /** The metric as looked up, e.g. `reply.p99`, `delivery.lost`, `errors.rate`. */
  metric: string;
  operator: ThresholdOperator;
  /** The bound in the metric's own unit (µs for latencies, percent for rates). */
  bound: number;
  source: ThresholdResult['source'];
}

const UNIT_TO_US: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };
const PATTERN = /^\s*([a-z][\w.-]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|%)?\s*$/i;

export function parseThreshold(expression: string, source: Threshold['source'] = 'flag'): Threshold {
  const match = PATTERN.exec(expression);
  if (!match) {
    throw ccError('CC_ERR_BAD_FLAG', {
      flag: source === 'slo' ? '--slo' : '--threshold',
      value: JSON.stringify(expression),
      reason: 'expected METRIC OP VALUE[UNIT], e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1%',
      command: source === 'slo' ? 'capacity' : 'load',
    });
  }
  const [, metric, operator, value, unit] = match as unknown as [string, string, ThresholdOperator, string, string | undefined];
  const factor = unit && unit !== '%' ? UNIT_TO_US[unit.toLowerCase()] ?? 1 : 1;
  return { expression: expression.trim(), metric, operator, bound: Number(value) * factor, source };
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
 * Evaluates thresholds against a metric lookup. A metric the run did not produce fails the
 * threshold (actual null): a gate that silently passes on a typo would be worse than useless.
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
    };
  });
}
