/**
 * Thresholds of a load run, read against the profile: the grammar and the judgement are the
 * report's (src/report/threshold-expression.ts); what is added here is the engine's knowledge of
 * which metrics a run of a profile produces, so a name none produces is refused before the run,
 * with the nearest one.
 */
import type { Profile } from '../profile/types.js';
import { readThreshold, refuseThreshold, type Threshold } from '../report/threshold-expression.js';
import { closest } from '../util/closest.js';
import { isKnownMetric, metricNames } from './metric-names.js';

export { compare, evaluateThresholds, type Threshold, type ThresholdOperator, type ThresholdUnit } from '../report/threshold-expression.js';

/**
 * Parses one expression (src/report/threshold-expression.ts says what it refuses). With
 * `profile`, also a metric no run of that profile produces, naming the nearest one.
 */
export function parseThreshold(expression: string, source: Threshold['source'] = 'flag', profile?: Pick<Profile, 'errorCodes'>): Threshold {
  return readThreshold(expression, source, profile && ((metric) => {
    if (isKnownMetric(metric, profile)) return;
    const near = closest(metric, metricNames(profile));
    refuseThreshold(expression, source, `unknown metric ${metric}`, `${near ? `did you mean ${near}? ` : ''}the metrics are listed in docs/load.md#metrics`);
  }));
}

/** Parses a list of expressions of one source against a profile (unknown metrics refused). */
export function parseThresholds(expressions: readonly string[], source: Threshold['source'], profile: Pick<Profile, 'errorCodes'>): Threshold[] {
  return expressions.map((e) => parseThreshold(e, source, profile));
}
