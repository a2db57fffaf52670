import { VERDICT_ORDER, type Verdict } from './model.js';

/** Lower is worse: the index in VERDICT_ORDER. */
export function verdictRank(verdict: Verdict): number {
  return VERDICT_ORDER.indexOf(verdict);
}

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'PASS';
  for (const v of verdicts) if (verdictRank(v) < verdictRank(worst)) worst = v;
  return worst;
}
