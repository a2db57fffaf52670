/**
 * Root cause first (issue 13): when cases stop at the same early step for the same reason, say
 * so once, before the cases, with what the wire showed: "61 of 65 cases could not get past
 * CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 122 connections; it
 * may not speak this profile (try `chat-conform probe <target>`)".
 */
import { setAsideNames } from './fold.js';
import type { CaseResult, RootCause } from './model.js';
import { verdictRank, worstVerdict } from './verdicts.js';

/** Blocking findings that mean no connection could be used at all. */
const REFUSALS = new Set(['CC_CASE_CONNECT', 'CC_CHECK_CONNECT_REFUSED']);
/** Blocking findings that mean the step waited for something that never came. */
const WAITS = new Set(['CC_CHECK_TIMEOUT', 'CC_CHECK_CLOSED']);

export interface RootCauseOptions {
  /** The target as the user gave it, for the `chat-conform probe` hint; `<target>` when absent. */
  target?: string;
}

type Blocked = CaseResult & { blockedBy: NonNullable<CaseResult['blockedBy']> };

/**
 * Groups the NOT-ASSESSED cases by what blocked them (label and finding code). A group becomes a
 * root cause when it holds two cases or more, or every case of the run. Worst first, then largest.
 */
export function rootCausesOf(cases: readonly CaseResult[], options: RootCauseOptions = {}): RootCause[] {
  const groups = new Map<string, Blocked[]>();
  for (const c of cases) {
    if (c.verdict !== 'NOT-ASSESSED' || !c.blockedBy) continue;
    const key = `${c.blockedBy.label}\u0000${c.blockedBy.finding.code}`;
    const group = groups.get(key);
    if (group) group.push(c as Blocked);
    else groups.set(key, [c as Blocked]);
  }
  const out: RootCause[] = [];
  for (const group of groups.values()) {
    if (group.length >= 2 || group.length === cases.length) out.push(rootCause(group, cases.length, options));
  }
  return out.sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || b.cases.length - a.cases.length || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function rootCause(group: Blocked[], total: number, options: RootCauseOptions): RootCause {
  const first = group[0] as Blocked;
  const { label, finding } = first.blockedBy;
  const connections = group.reduce((n, c) => n + (c.traffic?.connections ?? 0), 0);
  const bytesIn = group.reduce((n, c) => n + (c.traffic?.bytesIn ?? 0), 0);
  const measured = group.every((c) => c.traffic !== undefined);
  const parts = [`${group.length} of ${total} case${total === 1 ? '' : 's'} could not get past ${label}: ${reason(group)}`];
  const wire = measured ? wireClause(group, finding.code, connections, bytesIn, options.target ?? '<target>') : undefined;
  if (wire) parts.push(wire);
  return {
    label,
    code: finding.code,
    verdict: worstVerdict(group.map((c) => c.blockedBy.finding.verdict)),
    message: parts.join('; '),
    cases: group.map((c) => c.id),
    total,
    evidence: { connections, bytesIn },
  };
}

/** The blocking findings' wording: the most common one, and how many cases said it otherwise. */
function reason(group: Blocked[]): string {
  const counts = new Map<string, { message: string; n: number }>();
  for (const c of group) {
    const key = setAsideNames(c.blockedBy.finding.message, c.id);
    const seen = counts.get(key);
    if (seen) seen.n++;
    else counts.set(key, { message: c.blockedBy.finding.message, n: 1 });
  }
  let best = { message: '', n: 0 };
  for (const v of counts.values()) if (v.n > best.n) best = v;
  const others = group.length - best.n;
  return others === 0 ? best.message : `${best.message} (${others} of them worded otherwise)`;
}

/** What the blocked cases' connections carried, when that explains the block. */
function wireClause(group: Blocked[], code: string, connections: number, bytesIn: number, target: string): string | undefined {
  const probe = `it may not speak this profile (try \`chat-conform probe ${target}\`)`;
  if (REFUSALS.has(code)) return connections === 0 ? 'no connection was established' : 'the server refused the connection';
  if (connections === 0) return undefined;
  const on = connections === 1 ? 'on its only connection' : `on any of ${connections.toLocaleString('en-US')} connections`;
  if (bytesIn === 0) return `the server sent 0 bytes ${on}; ${probe}`;
  if (!WAITS.has(code)) return undefined;
  const sent = `the server sent ${bytesIn.toLocaleString('en-US')} byte${bytesIn === 1 ? '' : 's'}`;
  const incoming = group.flatMap((c) => c.transcript.filter((t) => t.direction === 'in' && t.event === undefined));
  if (incoming.length > 0 && incoming.every((t) => t.message === undefined)) return `${sent}, none of it a message of this profile; ${probe}`;
  return `${sent}, none of it what the step waited for`;
}
