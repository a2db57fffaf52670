/**
 * What the runner needs from the verdict rules, in its own words. The rules themselves are the
 * conformance layer's (src/conformance/verdict.ts), which hands them to each case it runs: the
 * runner records what happened, the rules say what it weighs.
 */
import type { DecisionPolicy, Finding, RuleSource, RuleStrength, Verdict } from '../report/model.js';

export interface CaseJudge {
  /** What a broken expectation weighs for a rule of this strength. */
  brokenRule(strength: RuleStrength): Verdict;
  /** The case's verdict from its findings, and the finding that decided it; `blocked`: what stopped its setup. */
  caseVerdict(findings: readonly Finding[], strength: RuleStrength, blocked?: Finding): { verdict: Verdict; decidedBy?: Finding };
  /** A check's verdict, no stronger than its source allows under the policy (ERROR and PASS stay). */
  cap(verdict: Verdict, source: RuleSource, policy: DecisionPolicy): Verdict;
}
