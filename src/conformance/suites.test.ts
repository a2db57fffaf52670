/**
 * Every bundled suite passes against the reference server: ASSA over TCP and over WebSocket,
 * envelope and OpenIRC, with the short CI timers (CI_TIMERS) and, for ASSA, the real 1,000
 * connections of the connection-count cases. A suite passes when no case is FAIL, ERROR or
 * NON-STRICT and only cases whose rule the seed leaves open are INFORMATIONAL. The runs use
 * `--decisions enforce`: the reference server implements every decision, so it passes them as a
 * contract too (and a run that passes under enforce passes under cap, which only weakens
 * verdicts). The other opinion, the other-choices variant, is other-choices.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { loadCatalogue } from './catalogue.js';
import { runSuite, type SuiteRunOptions } from './suite.js';

const root = packageRoot();

async function expectAllPass(options: Omit<SuiteRunOptions, 'packageRoot'>, skipped: string[] = []): Promise<void> {
  const { report, verdicts } = await runSuite({ packageRoot: root, decisions: 'enforce', ...options });
  const catalogue = loadCatalogue(root, options.profile);
  const expected = Object.fromEntries(catalogue.filter((c) => !skipped.includes(c.id)).map((c) => [c.id, c.strength === 'UNSPECIFIED' ? 'INFORMATIONAL' : 'PASS']));
  const problems = report.cases.filter((c) => c.verdict !== expected[c.id]).map((c) => `${c.id}: ${c.verdict} ${c.decidedBy?.code ?? ''} ${c.decidedBy?.message ?? ''}`);
  expect(problems).toEqual([]);
  expect(Object.fromEntries(verdicts)).toEqual(expected);
}

describe('bundled conformance suites against the reference server, our decisions enforced', () => {
  it('assa over tcp:// passes (1,000 connections sustained)', async () => {
    await expectAllPass({ profile: 'assa', transport: 'tcp' }, ['assa.10.1.message-size-over-limit-ws']);
  }, 120_000);

  it('assa over ws:// passes (1,000 connections sustained)', async () => {
    await expectAllPass({ profile: 'assa', transport: 'ws' }, ['assa.10.1.message-size-over-limit-tcp']);
  }, 120_000);

  it('envelope passes', async () => {
    await expectAllPass({ profile: 'envelope' });
  }, 60_000);

  it('openirc passes', async () => {
    await expectAllPass({ profile: 'openirc' });
  }, 60_000);
});
