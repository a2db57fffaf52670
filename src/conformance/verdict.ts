/**
 * Verdict rules (docs: DESIGN.md "Verdicts"). A case's verdict is the worst of its findings; an
 * expectation that does not hold weighs by the strength of the rule the case checks. The run's
 * summary and exit code come from src/report/summary.ts.
 */
import type { Finding, RuleStrength, Verdict } from '../report/model.js';
import { verdictRank as rank } from '../report/run-summary.js';

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
