/**
 * The mutation test: for every fault of the reference server (reference-server/faults/), the
 * suites run against a server with that fault must FAIL at least one case, and at least one of
 * them must be a case the recorded mutation score (scenarios/conformance/mutation-score.json,
 * shown in docs/conformance.md) names. Not every listed case is required: a few catch a fault
 * only when other cases' clients happen to be connected at the same moment (a broadcast leaked
 * to every connection). Connection-count cases run at MUTATION_MAX_CONNECTIONS (100) to keep CI
 * time reasonable.
 */
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { catchingCases, listFaults, readMutationScore } from './mutation.js';

const root = packageRoot();
const faults = await listFaults();
const score = readMutationScore(root);

describe('mutation test: every fault is caught by the suites', () => {
  it('has at least 25 faults across the three protocols, each with a recorded score', () => {
    expect(faults.length).toBeGreaterThanOrEqual(25);
    expect(new Set(faults.map((f) => f.protocol))).toEqual(new Set(['assa', 'envelope', 'openirc', 'all']));
    expect(Object.keys(score).sort()).toEqual(faults.map((f) => f.name).sort());
  });

  it.each(faults.map((f) => [f.name, f] as const))('%s makes at least one case FAIL', async (_name, fault) => {
    const failed = await catchingCases(root, fault);
    expect(failed.length, `no case caught ${fault.name}`).toBeGreaterThan(0);
    const recorded = score[fault.name] ?? [];
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.filter((id) => failed.includes(id)), `none of the recorded catchers of ${fault.name} failed (${recorded.join(', ')})`).not.toEqual([]);
  }, 90_000);
});
