import { VERDICT_ORDER, type CaseResult, type RunSummary, type ThresholdResult, type Verdict } from './model.js';

/** Lower is worse: the index in VERDICT_ORDER. */
export function verdictRank(verdict: Verdict): number {
  return VERDICT_ORDER.indexOf(verdict);
}

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'PASS';
  for (const v of verdicts) if (verdictRank(v) < verdictRank(worst)) worst = v;
  return worst;
}

/**
 * The run's summary and exit code: 2 when a case could not run (ERROR), 1 for a FAIL or a
 * breached threshold (and NON-STRICT under --strict), otherwise 0. See DESIGN.md, Verdicts.
 */
export function summariseRun(cases: readonly CaseResult[], thresholds: readonly ThresholdResult[] = [], options: { strict?: boolean } = {}): RunSummary {
  const byVerdict: Record<Verdict, number> = { PASS: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, FAIL: 0, ERROR: 0 };
  for (const c of cases) byVerdict[c.verdict] += 1;
  const thresholdsFailed = thresholds.filter((t) => !t.passed).length;
  let exitCode = 0;
  if (byVerdict.ERROR > 0) exitCode = 2;
  else if (byVerdict.FAIL > 0 || thresholdsFailed > 0 || (options.strict === true && byVerdict['NON-STRICT'] > 0)) exitCode = 1;
  return { total: cases.length, byVerdict, thresholdsFailed, exitCode };
}
