/**
 * What a check rests on (docs/scenarios.md, "Sources"): the source its step or its case names,
 * resolved against the case's profile, and what that does to a finding. The verdict rules that
 * cap (src/conformance/verdict.ts) come in through the case's judge; this file only says which
 * source a finding has and how the finding says so.
 */
import type { Profile, ProfileDecision } from '../profile/types.js';
import type { CaseSource, DecisionPolicy, Finding, FindingSource, RuleSource, Verdict } from '../report/model.js';
import { SEED_SOURCE } from './case-parts.js';
import type { CaseJudge } from './judge.js';

export interface CheckSource {
  /** `seed` or the decision id as the scenario names it. */
  id: string;
  kind: RuleSource;
  decision?: ProfileDecision;
}

export const SEED: CheckSource = { id: SEED_SOURCE, kind: 'seed' };

/** The parser checked every id against the profile; an id the profile lacks reads as the seed. */
export function resolveSource(id: string, profile: Profile): CheckSource {
  if (id === SEED_SOURCE) return SEED;
  const decision = profile.decisions.find((d) => d.id === id);
  return decision ? { id, kind: decision.class, decision } : SEED;
}

export function caseSourceOf(source: CheckSource): CaseSource {
  return source.kind === 'reading' || source.kind === 'choice' ? { kind: source.kind, decision: source.id } : { kind: 'seed' };
}

function findingSourceOf(kind: RuleSource, rule: string | undefined): FindingSource {
  return kind === 'seed' || rule === undefined ? { kind } : { kind, rule };
}

/**
 * A finding of a check, its verdict no stronger than its source allows under the policy. It names
 * its source, the verdict it had before the cap (what `--decisions enforce` would make it), and a
 * decision's id and text, so a reader sees what was ours and what the seed's.
 */
export function sourcedFinding(finding: Finding, source: CheckSource, judge: CaseJudge, policy: DecisionPolicy): Finding {
  // An ERROR is about the case, not about a rule: it has no source and is never capped.
  if (finding.verdict === 'ERROR') return finding;
  const verdict = judge.cap(finding.verdict, source.kind, policy);
  const cites = source.decision && finding.verdict !== 'PASS' ? ` (decision ${source.id}, a ${source.kind}: ${source.decision.text})` : '';
  return {
    ...finding,
    verdict,
    message: `${finding.message}${cites}`,
    source: findingSourceOf(source.kind, source.decision ? source.id : undefined),
    ...(verdict === finding.verdict ? {} : { cappedFrom: finding.verdict }),
  };
}

/**
 * A schema finding, from the validator's source for the broken rule (`seed`, a decision's class,
 * or `lenient`) and its rule (a decision id, `optional-null`, `open-enum`): the seed FAILs, the
 * others are capped; lenient deviations are at most NON-STRICT whatever the policy.
 */
export function schemaFinding(finding: Omit<Finding, 'verdict'>, kind: RuleSource, rule: string | undefined, profile: Profile, judge: CaseJudge, policy: DecisionPolicy): Finding {
  const raw: Verdict = kind === 'lenient' ? 'NON-STRICT' : 'FAIL';
  const verdict = judge.cap(raw, kind, policy);
  const decision = rule === undefined ? undefined : profile.decisions.find((d) => d.id === rule);
  const cites = kind === 'seed' || rule === undefined ? '' : decision ? ` (decision ${decision.id}, a ${kind}: ${decision.text})` : ` (${kind}: ${rule})`;
  return {
    ...finding,
    verdict,
    message: `${finding.message}${cites}`,
    source: findingSourceOf(kind, rule === SEED_SOURCE ? undefined : rule),
    ...(verdict === raw ? {} : { cappedFrom: raw }),
  };
}
