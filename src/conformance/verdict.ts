/**
 * Verdict rules (docs: DESIGN.md "Verdicts"). A case's verdict is the worst of its findings; an
 * expectation that does not hold weighs by the strength of the rule the case checks. The run's
 * summary and exit code come from src/report/summary.ts.
 */
import type { Finding, RuleStrength, Verdict } from '../report/model.js';
import { verdictRank as rank, worstVerdict } from '../report/run-summary.js';
import type { DecisionPolicy, RuleSource } from '../spec/source.js';

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
 * The verdict of a case from its findings. A case stopped before its subject (`blocked`: the
 * finding of the `setup:` step that stopped it) is NOT-ASSESSED, decided by that finding, whose
 * own verdict is what the exit code sees. With no finding worse than PASS, a case about a rule the
 * spec leaves open is INFORMATIONAL (what the server did is recorded), any other PASS.
 */
export function caseVerdict(findings: readonly Finding[], strength: RuleStrength, blocked?: Finding): { verdict: Verdict; decidedBy?: Finding } {
  if (blocked) return { verdict: 'NOT-ASSESSED', decidedBy: blocked };
  let decidedBy: Finding | undefined;
  for (const f of findings) {
    if (f.verdict === 'PASS') continue;
    if (!decidedBy || rank(f.verdict) < rank(decidedBy.verdict)) decidedBy = f;
  }
  if (decidedBy) return { verdict: decidedBy.verdict, decidedBy };
  return { verdict: strength === 'UNSPECIFIED' ? 'INFORMATIONAL' : 'PASS' };
}

/**
 * The strongest verdict a deviation from a rule of this source may get (DESIGN.md, "its source
 * caps its verdict"): the seed FAILs; a reading is NON-STRICT and a choice INFORMATIONAL, unless
 * the policy is `enforce`, which makes both FAIL. Lenient deviations (null in an optional field,
 * a code outside a list of examples, a field the spec does not define) are NON-STRICT under
 * either policy: never a FAIL.
 */
export function strongestVerdictFor(source: RuleSource, policy: DecisionPolicy = 'cap'): Verdict {
  switch (source) {
    case 'seed':
      return 'FAIL';
    case 'lenient':
      return 'NON-STRICT';
    case 'reading':
      return policy === 'enforce' ? 'FAIL' : 'NON-STRICT';
    case 'choice':
      return policy === 'enforce' ? 'FAIL' : 'INFORMATIONAL';
  }
}

/**
 * A check's own verdict, no stronger than its source allows: a FAIL of a reading becomes
 * NON-STRICT. A weaker verdict, PASS, and ERROR (the check could not run) stay as they are.
 */
export function capVerdict(verdict: Verdict, source: RuleSource, policy: DecisionPolicy = 'cap'): Verdict {
  if (verdict === 'ERROR' || verdict === 'PASS') return verdict;
  const cap = strongestVerdictFor(source, policy);
  return rank(verdict) < rank(cap) ? cap : verdict;
}

/** The strongest verdict deviations from all these sources may get together; PASS when there are none. */
export function strongestVerdictForSources(sources: Iterable<RuleSource>, policy: DecisionPolicy = 'cap'): Verdict {
  return worstVerdict([...sources].map((source) => strongestVerdictFor(source, policy)));
}
