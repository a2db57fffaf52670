/**
 * The runner additions the conformance suites need: the `crowd` step (many connections at once),
 * cases tagged `exclusive` running alone after the others, and close codes checked on WebSocket
 * only. Against the embedded reference server with a connection limit of 12.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runOnEmbedded } from './testing/embedded-run.js';
import { packageRoot } from '../util/paths.js';

describe('crowd step and exclusive cases', () => {
  it('holds the limit, fails one over it, runs exclusive cases alone, and skips close codes on TCP', async () => {
    const report = await runOnEmbedded({
      paths: [join(packageRoot(), 'src', 'conformance', 'testing', 'crowd.yaml')],
      packageRoot: packageRoot(),
      limits: { maxConnections: 12 },
      timers: { connectTimeout: 500 },
      concurrency: 4,
    });
    const byId = new Map(report.cases.map((c) => [c.id, c]));
    expect(Object.fromEntries([...byId].map(([id, c]) => [id, c.verdict]))).toEqual({
      'crowd.at-limit': 'PASS', 'crowd.over-limit': 'FAIL', 'crowd.neighbour': 'PASS', 'crowd.tcp-close-code': 'PASS',
    });
    const over = byId.get('crowd.over-limit');
    expect(over?.findings[0]).toMatchObject({ verdict: 'FAIL', step: { path: 'steps[0].crowd' } });
    expect(over?.findings[0]?.code).toMatch(/^CC_CHECK_(CLOSED|AUTH_REFUSED|CONNECT_REFUSED)$/);
    // 12 CONNECT_RESPONSEs with success for the crowd at the limit.
    const accepted = byId.get('crowd.at-limit')?.transcript.filter((t) => t.message === 'CONNECT_RESPONSE' && t.text.includes('"success":true'));
    expect(accepted).toHaveLength(12);
    // Exclusivity shows in the verdicts: with 4 workers and no exclusivity, crowd.at-limit would
    // share the 12 connections with crowd.neighbour (2 held for 300 ms) and the other crowd.
  }, 30_000);
});
