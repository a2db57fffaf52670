/**
 * repeat, parallel, next, expect_close and exact-size messages against the embedded reference
 * server (message size limit lowered to 2,000 bytes so the boundary is cheap to reach).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { runOnEmbedded } from '../conformance/testing/embedded-run.js';

describe('steps against the reference server', () => {
  it('runs loops, parallel groups, ordered expectations, closes and size boundaries', async () => {
    const report = await runOnEmbedded({
      paths: [join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'steps.yaml')],
      packageRoot: packageRoot(),
      limits: { maxMessageBytes: 2000 },
    });
    const verdicts = Object.fromEntries(report.cases.map((c) => [c.id, c.verdict]));
    expect(verdicts).toEqual({ 'steps.repeat-order': 'PASS', 'steps.disconnect-close': 'PASS', 'steps.exact-size': 'PASS', 'steps.assa-over-ws': 'PASS', 'steps.ws-only': 'PASS' });
    expect(report.cases.find((c) => c.id === 'steps.ws-only')?.transcript[0]?.text).toMatch(/^connected to ws:\/\/127\.0\.0\.1:\d+\/assa$/);
    const ws = report.cases.find((c) => c.id === 'steps.assa-over-ws');
    expect(ws?.transcript[0]?.text).toMatch(/^connected to ws:\/\/127\.0\.0\.1:\d+\/assa$/);

    const order = report.cases.find((c) => c.id === 'steps.repeat-order');
    const contents = order?.transcript.filter((t) => t.client === 'bob' && t.message === 'NEW_MESSAGE').map((t) => (JSON.parse(t.text) as { data: { content: string } }).data.content);
    expect(contents).toEqual(['m0', 'm1', 'm2']);

    const size = report.cases.find((c) => c.id === 'steps.exact-size');
    const sends = size?.transcript.filter((t) => t.direction === 'out' && t.message === 'SEND_MESSAGE').map((t) => t.bytes);
    expect(sends).toEqual([2000, 2001]);
  });
});
