/**
 * The mutation test: every fault of the reference server (reference-server/faults/) is injected
 * into the reference server and into its other-choices variant, and each run is compared with the
 * unfaulted run of the same server. A fault that breaks the seed must add a FAIL there; a fault
 * that breaks one of our decisions must add a finding citing that decision, capped below FAIL (it
 * FAILs only under `--decisions enforce`), and must add no FAIL; a fault inert on a server (its
 * metadata says why) must change nothing there. What caught it must include one of the catchers
 * the recorded mutation score (scenarios/conformance/mutation-score.json, shown in
 * docs/conformance.md) names: not every one, since a few catch a fault only when other cases'
 * clients happen to be connected at the same moment. The suites run with MUTATION_TIMERS and the
 * connection-count cases at MUTATION_MAX_CONNECTIONS (100) to keep CI time reasonable; the two
 * servers of a fault run side by side.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { packageRoot } from '../util/paths.js';
import { catchers, listFaults, MUTATION_SERVERS, newFailures, readMutationScore, suitesFor, traceRun, type MutationServer, type RunTrace } from './mutation.js';
import { SUITE_PROFILES, type SuiteProfile } from './suite.js';

const root = packageRoot();
const faults = await listFaults();
const score = readMutationScore(root);
const unfaulted = new Map<string, RunTrace>();

/** The unfaulted runs of the fault's suites on one server, merged. */
function baseline(server: MutationServer, profiles: readonly SuiteProfile[]): RunTrace {
  const merged: RunTrace = { failed: new Set(), capped: new Set() };
  for (const p of profiles) {
    const t = unfaulted.get(`${server} ${p}`) as RunTrace;
    for (const k of t.failed) merged.failed.add(k);
    for (const k of t.capped) merged.capped.add(k);
  }
  return merged;
}

beforeAll(async () => {
  await Promise.all(MUTATION_SERVERS.map(async (server) => {
    for (const p of SUITE_PROFILES) unfaulted.set(`${server} ${p}`, await traceRun(root, server, [p]));
  }));
}, 120_000);

describe('mutation test: every fault is caught on both servers, each as its source allows', () => {
  it('has at least 25 faults across the three protocols, each breaking the seed or a decision of its profile, with a recorded score', () => {
    expect(faults.length).toBeGreaterThanOrEqual(25);
    expect(new Set(faults.map((f) => f.protocol))).toEqual(new Set(['assa', 'envelope', 'openirc', 'all']));
    for (const f of faults) {
      if (f.breaks === 'seed') continue;
      const decisions = suitesFor(f).flatMap((p) => loadProfile(p).decisions.map((d) => d.id));
      expect(decisions, f.name).toContain(f.breaks);
    }
    expect(Object.keys(score).sort()).toEqual(faults.map((f) => f.name).sort());
    for (const f of faults) expect(score[f.name]?.breaks, f.name).toBe(f.breaks);
  });

  it('starts from unfaulted runs in which nothing FAILs', () => {
    for (const [run, trace] of unfaulted) expect([...trace.failed], run).toEqual([]);
  });

  it.each(faults.map((f) => [f.name, f] as const))('%s', async (_name, fault) => {
    await Promise.all(MUTATION_SERVERS.map(async (server) => {
      const profiles = suitesFor(fault);
      const faulted = await traceRun(root, server, profiles, fault.name);
      const base = baseline(server, profiles);
      const caught = catchers(fault, faulted, base);
      const where = `${fault.name} on the ${server} server`;
      if (fault.inert?.[server]) {
        expect(newFailures(faulted, base), `${where} is said to be inert`).toEqual([]);
        expect(caught, `${where} is said to be inert`).toEqual([]);
        return;
      }
      expect(caught.length, `nothing caught ${where}`).toBeGreaterThan(0);
      // A decision is no contract under cap: its fault is capped below FAIL.
      if (fault.breaks !== 'seed') expect(newFailures(faulted, base), `${where} (${fault.breaks}) made something FAIL`).toEqual([]);
      const recorded = score[fault.name]?.[server] ?? [];
      expect(recorded.length, `${where}: no recorded catcher`).toBeGreaterThan(0);
      expect(recorded.filter((id) => caught.includes(id)), `none of the recorded catchers of ${where} caught it (${recorded.join(', ')})`).not.toEqual([]);
    }));
  }, 90_000);
});
