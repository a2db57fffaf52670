/**
 * Verdict rules (docs: DESIGN.md "Verdicts"). A case's verdict is the worst of its findings; an
 * expectation that does not hold weighs by the strength of the rule the case checks.
 */
import type { CaseResult, Finding, RuleStrength, RunSummary, Verdict } from '../report/model.js';
import { VERDICT_ORDER } from '../report/model.js';

/** What a broken expectation means for a rule of this strength. */
export function verdictForBrokenRule(strength: RuleStrength): Verdict {
  switch (strength) {
    case 'MUST':
      return 'FAIL';
    case 'SHOULD':
      return 'NON-STRICT';
    case 'MAY':
    case 'UNSPECIFIED':
      return 'INFORMATIONAL';
  }
}

export function rank(verdict: Verdict): number {
  return VERDICT_ORDER.indexOf(verdict);
}

/** The worse of two verdicts (ERROR is the worst, PASS the best). */
export function worse(a: Verdict, b: Verdict): Verdict {
  return rank(a) <= rank(b) ? a : b;
}

/**
 * The verdict of a case from its findings. With no finding worse than PASS, a case about a rule
 * the spec leaves open is INFORMATIONAL (what the server did is recorded), any other PASS.
 */
export function caseVerdict(findings: readonly Finding[], strength: RuleStrength): { verdict: Verdict; decidedBy?: Finding } {
  let decidedBy: Finding | undefined;
  for (const f of findings) {
    if (f.verdict === 'PASS') continue;
    if (!decidedBy || rank(f.verdict) < rank(decidedBy.verdict)) decidedBy = f;
  }
  if (decidedBy) return { verdict: decidedBy.verdict, decidedBy };
  return { verdict: strength === 'UNSPECIFIED' ? 'INFORMATIONAL' : 'PASS' };
}

/** Exit code of a run: 2 on any ERROR, 1 on any FAIL (or NON-STRICT when strict), else 0. */
export function exitCodeOf(byVerdict: Record<Verdict, number>, strict: boolean, thresholdsFailed = 0): 0 | 1 | 2 {
  if (byVerdict.ERROR > 0) return 2;
  if (byVerdict.FAIL > 0 || thresholdsFailed > 0 || (strict && byVerdict['NON-STRICT'] > 0)) return 1;
  return 0;
}

export function summarise(cases: readonly CaseResult[], strict: boolean): RunSummary {
  const byVerdict: Record<Verdict, number> = { PASS: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, FAIL: 0, ERROR: 0 };
  for (const c of cases) byVerdict[c.verdict] += 1;
  return { total: cases.length, byVerdict, thresholdsFailed: 0, exitCode: exitCodeOf(byVerdict, strict) };
}
