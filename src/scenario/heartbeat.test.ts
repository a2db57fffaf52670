/**
 * Heartbeats against the embedded reference server with short timers (ping every 150 ms, drop
 * after 600 ms without a pong): auto-answering keeps a long case alive without its pings being
 * taken for unexpected messages; ignore lets the server drop the client; manual hands PING over.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { runOnEmbedded } from '../conformance/testing/embedded-run.js';

describe('heartbeats during a case', () => {
  it('answers, ignores or hands over pings as each client asks', async () => {
    const report = await runOnEmbedded({
      paths: [join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'heartbeat.yaml')],
      packageRoot: packageRoot(),
      timers: { pingInterval: 150, pongTimeout: 600 },
    });
    const byId = new Map(report.cases.map((c) => [c.id, c]));

    const auto = byId.get('hb.auto');
    expect(auto?.verdict).toBe('PASS');
    const pongs = auto?.transcript.filter((t) => t.direction === 'out' && t.message === 'PONG') ?? [];
    expect(pongs.length).toBeGreaterThanOrEqual(3);
    expect(pongs.every((t) => t.event === 'heartbeat')).toBe(true);
    // Each PONG echoes the seq_id of the PING before it.
    const pings = auto?.transcript.filter((t) => t.direction === 'in' && t.message === 'PING') ?? [];
    expect(pongs.map((p) => (JSON.parse(p.text) as { seq_id: string }).seq_id)).toEqual(pings.slice(0, pongs.length).map((p) => (JSON.parse(p.text) as { seq_id: string }).seq_id));
    expect(auto?.findings).toEqual([]);

    const ignore = byId.get('hb.ignore');
    expect(ignore?.verdict).toBe('PASS');
    expect(ignore?.transcript.some((t) => t.direction === 'out' && t.message === 'PONG')).toBe(false);
    expect(ignore?.transcript.at(-1)?.event).toBe('close');

    const envelope = byId.get('hb.envelope.auto');
    expect(envelope?.verdict).toBe('PASS');
    expect(envelope?.findings).toEqual([]);
    expect(envelope?.transcript.filter((t) => t.direction === 'out' && t.message === 'pong').length).toBeGreaterThanOrEqual(3);

    const manual = byId.get('hb.manual');
    expect(manual?.verdict).toBe('PASS');
    expect(manual?.transcript.filter((t) => t.message === 'PONG').map((t) => t.event)).toEqual([undefined]);
  });
});
