/**
 * The bundled load scenarios against the reference server's other-choices variant: a correct
 * server by another reading of every point the seeds leave open (it sends the sender its own
 * NEW_MESSAGE, adds fields, echoes absent optional fields as null, uses codes of its own for
 * malformed input, closes a TCP connection over an oversized message instead of answering it,
 * answers one over WebSocket with ERROR, pings every half interval and drops from the first
 * unanswered PING; envelope: no own copies, no own user.joined; OpenIRC: presence events). A load
 * run may not fail it for a choice: every scenario exits 0. Reduced sizes and short timers; the
 * limits scenario at 1,000 clients is the manual run recorded in docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSigningKey } from '../auth/tokens.js';
import { loadCommand } from '../cli/commands/load.js';
import { memoryIO } from '../cli/io.js';
import { startEmbeddedTarget, type EmbeddedTarget } from '../embedded/target.js';
import { loadProfile } from '../profile/load.js';
import type { RunReport } from '../report/model.js';
import { urlTarget } from '../transport/target.js';

const root = join(import.meta.dirname, '..', '..');
const scenario = (name: string): string => join(root, 'scenarios', 'load', name);
let out: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'cc-load-variant-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function variant(profile: 'assa' | 'envelope' | 'openirc', timers: Record<string, number> = {}, limits: Record<string, number> = {}): Promise<EmbeddedTarget> {
  return startEmbeddedTarget({ profiles: [profile], signingKey: resolveSigningKey(), variant: 'other-choices', timers, limits });
}

/** Runs `check` against a fresh variant serving `profile`, and stops it. */
async function againstVariant(profile: 'envelope' | 'openirc', check: (server: EmbeddedTarget) => Promise<void>): Promise<void> {
  const server = await variant(profile);
  try {
    await check(server);
  } finally {
    await server.close();
  }
}

function verdicts(report: RunReport): Record<string, string> {
  return Object.fromEntries(report.cases.map((c) => [c.id, c.verdict]));
}

function totals(report: RunReport): Record<string, number> {
  const t: Record<string, number> = { expected: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 };
  for (const d of report.load?.delivery ?? []) for (const k of Object.keys(t)) t[k] = (t[k] as number) + ((d as unknown as Record<string, number>)[k] ?? 0);
  return t;
}

describe('scenarios/load/assa-limits.yaml against the other-choices variant (300 clients, PING interval and pong timeout 1 s)', () => {
  // The variant pings every half interval and counts the drop from the first unanswered PING: a
  // silent client goes about 1.5 s after CONNECT, half an interval past our reading's 1 s and well
  // inside the seed's 2 s (interval + timeout), so the reading's deviation shows whatever the lag.
  const TIMERS = { pingInterval: 1000, pongTimeout: 1000 };
  const LIMITS = { scenario: scenario('assa-limits.yaml'), clients: 300, ramp: 500, rate: 1, workers: 1, ...TIMERS, maxMessageBytes: 65_536 };
  let server: EmbeddedTarget;
  beforeAll(async () => {
    server = await variant('assa', TIMERS, { maxMessageBytes: 65_536, maxConnections: 2000 });
  });
  afterAll(() => server.close());

  for (const scheme of ['tcp', 'ws'] as const) {
    it(`fails nothing over ${scheme === 'tcp' ? 'TCP, where the variant closes the connection of an oversized message' : 'WebSocket, where the variant answers an oversized message with ERROR'}: its other readings are NON-STRICT and INFORMATIONAL, exit 0`, async () => {
      const url = server.urls('assa')[scheme] as string;
      const result = await loadCommand({ ...LIMITS, target: urlTarget(url), out }, memoryIO(), root);
      const r = result.report;
      expect(verdicts(r), JSON.stringify(r.cases.map((c) => c.decidedBy?.message ?? c.findings[0]?.message))).toEqual({
        'load.limits.connections': 'PASS',
        'load.limits.ping-interval': 'PASS',
        'load.limits.pong-keepalive': 'PASS',
        'load.limits.pong-drop': 'NON-STRICT',
        'load.limits.text-length': 'PASS',
        'load.limits.message-size': 'INFORMATIONAL',
      });
      expect(result.exitCode).toBe(0);
      const c = r.load!.counters;
      const byId = (id: string) => r.cases.find((k) => k.id === id)!.decidedBy!;
      // 15 silent clients (5% of 300), all dropped within the seed's bounds, none when our reading says.
      expect(byId('load.limits.pong-drop')).toMatchObject({ verdict: 'NON-STRICT', code: 'CC_LOAD_SILENT_DROP_TIME', source: { kind: 'reading', rule: 'assa.D5.heartbeat' }, cappedFrom: 'FAIL' });
      expect(byId('load.limits.pong-drop').message).toMatch(/^15 of 15 silent clients were dropped, within the seed's bounds, but not 1s \(\+100ms[^)]*\) after CONNECT as assa\.D5\.heartbeat counts it/);
      // Every oversize message refused, the others undisturbed; how it was refused is a choice.
      const size = byId('load.limits.message-size');
      expect(size).toMatchObject({ verdict: 'INFORMATIONAL', code: 'CC_LOAD_OVERSIZE_FORM', source: { kind: 'choice', rule: 'assa.D3.refusal' }, cappedFrom: 'FAIL' });
      const oversize = Number(/^(\d+) messages of 65537 bytes refused, no other client disconnected, no delivery lost; /.exec(size.message)?.[1]);
      expect(oversize).toBeGreaterThan(0);
      const forms = scheme === 'tcp' ? `${oversize} by closing the connection, 0 with an error reply` : `0 by closing the connection, ${oversize} with an error reply`;
      expect(size.message).toBe(`${oversize} messages of 65537 bytes refused, no other client disconnected, no delivery lost; ${oversize} of them otherwise than assa.D3.refusal says (an ERROR reply on a stream, close 1009 on WebSocket): ${forms}`);
      // Over TCP each refusal closed its sender's connection: those drops are the refusals, nobody else's.
      expect(c.drops).toBe(scheme === 'tcp' ? 15 + oversize : 15);
      const t = totals(r);
      expect([t.lost, t.duplicated, t.leaked, t.selfMissing]).toEqual([0, 0, 0, 0]);
      expect(t.delivered).toBe(t.expected);
      expect(t.selfCopies).toBeGreaterThan(0);
      // Its extra fields and null echoes are lenient: counted apart, never schema.violations.
      expect(c['schema.violations']).toBe(0);
      expect(c['schema.non_strict']).toBeGreaterThan(0);
      expect(r.load!.schemaViolations?.map((v) => v.class)).not.toContain('FAIL');
    }, 120_000);
  }
});

describe('the bundled envelope and OpenIRC load scenarios against the other-choices variant', () => {
  /** 100 clients in rooms of 10 (envelope, OpenIRC) for 1.5 s at 4 messages a second: 6 each. */
  const SHORT = { clients: 100, ramp: 300, duration: 1500, rate: 4, workers: 1 };
  const SENDS = 100 * 6;

  it('envelope-chat.yaml: joins confirmed by the barrier (no own user.joined), every member gets every message, no own copy needed', async () => {
    await againstVariant('envelope', async (server) => {
      const result = await loadCommand({ ...SHORT, profile: loadProfile('envelope'), target: urlTarget(server.urls('envelope').ws as string), out }, memoryIO(), root);
      const r = result.report;
      const c = r.load!.counters;
      expect(result.exitCode).toBe(0);
      expect([c.requests, c.replies, c.timeouts]).toEqual([100 * 2, 100 * 2, 0]);
      expect(totals(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 });
      // user.joined to the others only: 0 + 1 + ... + 9 per room.
      expect(c['messages.other']).toBe(10 * 45);
      expect(c['errors.unknown_type']).toBeUndefined();
      expect(c['schema.violations']).toBe(0);
    });
  }, 60_000);

  it('envelope-rate-limit.yaml: half the limit in fixed one-second windows is never refused', async () => {
    await againstVariant('envelope', async (server) => {
      const result = await loadCommand({ scenario: scenario('envelope-rate-limit.yaml'), clients: 100, ramp: 300, duration: 1500, workers: 1, target: urlTarget(server.urls('envelope').ws as string), out }, memoryIO(), root);
      const r = result.report;
      expect(result.exitCode).toBe(0);
      expect(r.load!.counters['errors.rate_limited']).toBe(0);
      expect(totals(r)).toEqual({ expected: 100 * 15, delivered: 100 * 15, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 });
    });
  }, 60_000);

  it('openirc-chat.yaml: every request answered once, every message delivered to the other members, its own echo counted apart', async () => {
    await againstVariant('openirc', async (server) => {
      const result = await loadCommand({ ...SHORT, profile: loadProfile('openirc'), target: urlTarget(server.urls('openirc').http as string), out }, memoryIO(), root);
      const r = result.report;
      const c = r.load!.counters;
      expect(result.exitCode).toBe(0);
      expect([c.timeouts, c['schema.violations']]).toEqual([0, 0]);
      expect(c.replies).toBe(c.requests);
      expect(totals(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9, lost: 0, duplicated: 0, reordered: 0, selfCopies: SENDS, selfMissing: 0, leaked: 0 });
    });
  }, 60_000);
});
