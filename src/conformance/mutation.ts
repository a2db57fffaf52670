/**
 * The mutation test's engine: run the suites against the reference server and against its
 * other-choices variant, each with one fault at a time, and see what catches the fault. A fault
 * that breaks the seed is caught by a FAIL the unfaulted run of the same server does not have (a
 * case's, a precondition's that blocked a case, or a message shape's). A fault that breaks one of
 * our decisions cannot FAIL under `cap`, by design: it is caught by a capped finding citing that
 * decision (NON-STRICT or INFORMATIONAL) that the unfaulted run does not have. A fault that
 * changes nothing on a variant (it rewrites a choice the variant does not make) says so in its
 * metadata (`inert`). `mutation-score.json` (scenarios/conformance/) records, per fault and
 * server, the cases that caught it in each of several runs; docs/conformance.md shows it and the
 * mutation test re-checks it. Refresh it with `npx tsx src/conformance/mutation.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../report/model.js';
import { effectiveVerdict } from '../report/run-summary.js';
import { SUITE_PROFILES, runSuite, type SuiteProfile, type SuiteTimers } from './suite.js';

/** The two servers every fault is injected into. */
export const MUTATION_SERVERS = ['reference', 'other-choices'] as const;
export type MutationServer = (typeof MUTATION_SERVERS)[number];

export interface FaultInfo {
  name: string;
  protocol: SuiteProfile | 'all';
  description: string;
  /** `seed`, or the decision id the fault departs from. */
  breaks: string;
  /** Servers on which the fault departs from nothing, and why. */
  inert?: Readonly<Record<string, string>>;
}

/** Per fault: what it breaks, and per server the ids of the cases (or `shape <message> <pointer>`) that catch it, sorted. */
export type MutationScore = Record<string, { breaks: string } & Record<MutationServer, string[]>>;

export function mutationScoreFile(packageRoot: string): string {
  return join(packageRoot, 'scenarios', 'conformance', 'mutation-score.json');
}

export async function listFaults(): Promise<FaultInfo[]> {
  const { FAULTS } = await import('../../reference-server/faults/index.js');
  return FAULTS.map((f) => ({ name: f.name, protocol: f.protocol, description: f.description, breaks: f.breaks, ...(f.inert ? { inert: f.inert } : {}) }));
}

/** The suites a fault can show up in: its protocol's, or all three for a fault of every protocol. */
export function suitesFor(fault: FaultInfo): SuiteProfile[] {
  return fault.protocol === 'all' ? [...SUITE_PROFILES] : [fault.protocol];
}

/** The connection-count cases run at this reduced scale in mutation runs (CI time). */
export const MUTATION_MAX_CONNECTIONS = 100;

/**
 * The suites' CI timers with a longer PING interval: each timer check allows 10% + 250 ms, and at
 * 200 ms the 250 ms would hide a server that PINGs at twice the interval (a late PING on the
 * variant, which PINGs every half interval).
 */
export const MUTATION_TIMERS: SuiteTimers = { pingInterval: 500, pongTimeout: 1000, connectTimeout: 1000, responseTimeout: 2000 };

/** What one run of a suite showed: what FAILed, and which capped findings cited which decision. */
export interface RunTrace {
  /** Case ids whose verdict (a blocked case's: its blocking finding's) is FAIL or ERROR, and `shape <message> <pointer>` of FAILing shapes. */
  failed: Set<string>;
  /** `<case id>\u0000<decision id>` of every finding (or shape) capped below what it would be under enforce. */
  capped: Set<string>;
}

export function traceOf(report: RunReport): RunTrace {
  const failed = new Set<string>();
  const capped = new Set<string>();
  for (const c of report.cases) {
    const verdict = effectiveVerdict(c);
    if (verdict === 'FAIL' || verdict === 'ERROR') failed.add(c.id);
    for (const f of [...c.findings, ...(c.blockedBy ? [c.blockedBy.finding] : [])]) {
      if (f.cappedFrom && f.source?.rule) capped.add(`${c.id}\u0000${f.source.rule}`);
    }
  }
  for (const s of report.shapes ?? []) {
    const key = `shape ${s.message} ${s.pointer}`;
    if (s.verdict === 'FAIL') failed.add(key);
    else if (s.source.rule && (s.source.kind === 'reading' || s.source.kind === 'choice')) for (const id of s.cases) capped.add(`${id}\u0000${s.source.rule}`);
  }
  return { failed, capped };
}

/** One run of each of the fault's suites against the server (unfaulted when `fault` is absent), traces merged. */
export async function traceRun(packageRoot: string, server: MutationServer, profiles: readonly SuiteProfile[], fault?: string): Promise<RunTrace> {
  const trace: RunTrace = { failed: new Set(), capped: new Set() };
  for (const profile of profiles) {
    const { report } = await runSuite({ packageRoot, profile, variant: server, timers: MUTATION_TIMERS, limits: { maxConnections: MUTATION_MAX_CONNECTIONS }, ...(fault ? { faults: [fault] } : {}) });
    const t = traceOf(report);
    for (const k of t.failed) trace.failed.add(k);
    for (const k of t.capped) trace.capped.add(k);
  }
  return trace;
}

/**
 * What caught the fault: for a seed fault, what FAILs with it and not without it; for a decision
 * fault, the cases with a capped finding citing that decision that the unfaulted run lacks.
 */
export function catchers(fault: FaultInfo, faulted: RunTrace, unfaulted: RunTrace): string[] {
  if (fault.breaks === 'seed') return [...faulted.failed].filter((k) => !unfaulted.failed.has(k)).sort();
  const cites = `\u0000${fault.breaks}`;
  return [...faulted.capped].filter((k) => k.endsWith(cites) && !unfaulted.capped.has(k)).map((k) => k.slice(0, -cites.length)).sort();
}

/** New FAILs a fault made (for a decision fault: none, under `cap`). */
export function newFailures(faulted: RunTrace, unfaulted: RunTrace): string[] {
  return [...faulted.failed].filter((k) => !unfaulted.failed.has(k)).sort();
}

export function readMutationScore(packageRoot: string): MutationScore {
  return JSON.parse(readFileSync(mutationScoreFile(packageRoot), 'utf8')) as MutationScore;
}

/** Runs every fault on both servers (side by side) `rounds` times and keeps what caught it every time (stable catchers). */
export async function measureMutationScore(packageRoot: string, rounds = 2, log: (line: string) => void = () => {}): Promise<MutationScore> {
  const faults = await listFaults();
  const baselines = new Map<string, Promise<RunTrace>>();
  const baseline = (server: MutationServer, profiles: SuiteProfile[]): Promise<RunTrace> => {
    const key = `${server} ${profiles.join(',')}`;
    if (!baselines.has(key)) baselines.set(key, traceRun(packageRoot, server, profiles));
    return baselines.get(key) as Promise<RunTrace>;
  };
  const score: MutationScore = {};
  for (const fault of faults) {
    const entry = { breaks: fault.breaks } as MutationScore[string];
    await Promise.all(MUTATION_SERVERS.map(async (server) => {
      let stable: string[] | undefined;
      if (!fault.inert?.[server]) {
        for (let i = 0; i < rounds; i++) {
          const caught = catchers(fault, await traceRun(packageRoot, server, suitesFor(fault), fault.name), await baseline(server, suitesFor(fault)));
          stable = stable ? stable.filter((id) => caught.includes(id)) : caught;
        }
      }
      entry[server] = stable ?? [];
    }));
    score[fault.name] = entry;
    log(`${fault.name} (${fault.breaks}): reference ${entry.reference.length}, other-choices ${entry['other-choices'].length}`);
  }
  return score;
}

// `npx tsx src/conformance/mutation.ts`: measure and write mutation-score.json.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const score = await measureMutationScore(root, 2, (line) => process.stderr.write(`${line}\n`));
  writeFileSync(mutationScoreFile(root), `${JSON.stringify(score, null, 2)}\n`);
  process.stderr.write(`wrote ${mutationScoreFile(root)}\n`);
}
