import type { CaseResult, RunSummary, ShapeFinding, ThresholdResult, Verdict } from './model.js';
import { rootCausesOf } from './root-causes.js';

export { verdictRank, worstVerdict } from './verdicts.js';

/**
 * The verdict a case weighs with in the exit code: its own, or for a NOT-ASSESSED case its blocking
 * finding's (a precondition that FAILs fails the run). A NOT-ASSESSED case that does not say what
 * blocked it could not be judged at all: ERROR.
 */
export function effectiveVerdict(result: CaseResult): Verdict {
  if (result.verdict !== 'NOT-ASSESSED') return result.verdict;
  return result.blockedBy?.finding.verdict ?? 'ERROR';
}

/** What one verdict does to the exit code: 2 for ERROR, 1 for FAIL (and NON-STRICT under --strict), else 0. */
export function exitCodeOf(verdict: Verdict, strict: boolean): number {
  if (verdict === 'ERROR') return 2;
  if (verdict === 'FAIL' || (strict && verdict === 'NON-STRICT')) return 1;
  return 0;
}

export interface SummaryOptions {
  strict?: boolean;
  /** The run's message-shape findings: a FAIL among them fails the run even when every case passed. */
  shapes?: readonly ShapeFinding[];
}

/**
 * The run's summary and exit code: 2 when a case could not run (ERROR, or a NOT-ASSESSED case
 * blocked by an ERROR), 1 for a FAIL (a case's, a blocking finding's or a message shape's) or a
 * breached threshold, and for NON-STRICT ones under --strict; otherwise 0. See DESIGN.md, Verdicts.
 */
export function summariseRun(cases: readonly CaseResult[], thresholds: readonly ThresholdResult[] = [], options: SummaryOptions = {}): RunSummary {
  const strict = options.strict === true;
  const shapes = options.shapes ?? [];
  const byVerdict: Record<Verdict, number> = { PASS: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, 'NOT-ASSESSED': 0, FAIL: 0, ERROR: 0 };
  let exitCode = 0;
  for (const c of cases) {
    byVerdict[c.verdict] += 1;
    exitCode = Math.max(exitCode, exitCodeOf(effectiveVerdict(c), strict));
  }
  const thresholdsFailed = thresholds.filter((t) => !t.passed).length;
  if (thresholdsFailed > 0) exitCode = Math.max(exitCode, 1);
  let shapesFailed = 0;
  for (const s of shapes) {
    const code = exitCodeOf(s.verdict, strict);
    if (code > 0) shapesFailed++;
    exitCode = Math.max(exitCode, code);
  }
  return { total: cases.length, byVerdict, thresholdsFailed, rootCauses: rootCausesOf(cases).length, shapes: shapes.length, shapesFailed, exitCode };
}
