/**
 * The mutation test's engine: run the suites against the reference server with one fault at a
 * time and collect the cases that FAIL. `mutation-score.json` (beside this file) records, per
 * fault, the cases that failed in every one of several runs; docs/conformance.md shows it and the
 * mutation test re-checks it. The file lives with the suites (scenarios/conformance/); refresh it
 * with `npx tsx src/conformance/mutation.ts` after changing the suites or the faults.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUITE_PROFILES, runSuite, type SuiteProfile } from './suite.js';

export interface FaultInfo {
  name: string;
  protocol: SuiteProfile | 'all';
  description: string;
}

/** Fault name → ids of the cases that catch it (FAIL or ERROR), sorted. */
export type MutationScore = Record<string, string[]>;

export function mutationScoreFile(packageRoot: string): string {
  return join(packageRoot, 'scenarios', 'conformance', 'mutation-score.json');
}

export async function listFaults(): Promise<FaultInfo[]> {
  const { FAULTS } = await import('../../reference-server/faults/index.js');
  return FAULTS.map((f) => ({ name: f.name, protocol: f.protocol, description: f.description }));
}

/** The suites a fault can show up in: its protocol's, or all three for a fault of every protocol. */
export function suitesFor(fault: FaultInfo): SuiteProfile[] {
  return fault.protocol === 'all' ? [...SUITE_PROFILES] : [fault.protocol];
}

/** The connection-count cases run at this reduced scale in mutation runs (CI time). */
export const MUTATION_MAX_CONNECTIONS = 100;

/** Runs the fault's suites against a server with that fault; returns the failing case ids. */
export async function catchingCases(packageRoot: string, fault: FaultInfo, options: { concurrency?: number } = {}): Promise<string[]> {
  const failed: string[] = [];
  for (const profile of suitesFor(fault)) {
    const outcome = await runSuite({ packageRoot, profile, faults: [fault.name], limits: { maxConnections: MUTATION_MAX_CONNECTIONS }, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
    failed.push(...outcome.failed);
  }
  return failed.sort();
}

export function readMutationScore(packageRoot: string): MutationScore {
  return JSON.parse(readFileSync(mutationScoreFile(packageRoot), 'utf8')) as MutationScore;
}

/** Runs every fault `rounds` times and keeps the cases that caught it every time (stable catchers). */
export async function measureMutationScore(packageRoot: string, rounds = 2, log: (line: string) => void = () => {}): Promise<MutationScore> {
  const score: MutationScore = {};
  for (const fault of await listFaults()) {
    let stable: string[] | undefined;
    for (let i = 0; i < rounds; i++) {
      const caught = await catchingCases(packageRoot, fault);
      stable = stable ? stable.filter((id) => caught.includes(id)) : caught;
    }
    score[fault.name] = stable ?? [];
    log(`${fault.name}: ${score[fault.name]?.length ?? 0} case(s)`);
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
