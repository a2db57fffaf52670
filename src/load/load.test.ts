/**
 * The load engine end to end on loopback: a few hundred virtual clients against the reference
 * server, directly or through a proxy that drops, duplicates and reorders broadcasts on purpose
 * and counts what it did. Short runs, short timers; assertions on exact counts, never on speed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from '../transport/target.js';
import { loadProfile } from '../profile/load.js';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { loadCommand } from '../cli/commands/load.js';
import { reportMerge } from '../cli/commands/report.js';
import { memoryIO } from '../cli/io.js';
import { mergeReports } from '../report/merge.js';
import type { RunReport } from '../report/model.js';
import { startFaultyBroadcastProxy, type FaultyProxy } from '../testing/faulty-broadcast-proxy.js';
import { renderHtml } from '../reporters/html.js';
import { renderMarkdown } from '../reporters/markdown.js';
import { startMiniAssaServer, type BroadcastCounts, type MiniServer } from '../testing/mini-assa-server.js';
import type { LoadPlan } from './plan.js';
import { readLoadScenario } from './scenario.js';
import { runLoad } from './run.js';
import { formatLoadSummary } from '../reporters/load-summary.js';

const root = join(import.meta.dirname, '..', '..');
let server: RunningServer;
let proxy: FaultyProxy | undefined;
let out: string;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: 'assa', limits: { maxConnections: 2000 } });
  out = mkdtempSync(join(tmpdir(), 'cc-load-'));
});
let mini: MiniServer | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await mini?.close();
  mini = undefined;
});
afterAll(async () => {
  await server.close();
  rmSync(out, { recursive: true, force: true });
});

function sum(report: RunReport, key: 'expected' | 'delivered' | 'lost' | 'duplicated' | 'reordered'): number {
  return (report.load?.delivery ?? []).reduce((s, d) => s + d[key], 0);
}

function chatPlan(): LoadPlan {
  return readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan;
}

const SHORT = { clients: 200, ramp: 300, duration: 1500, rate: 4, workers: 1 };

describe('delivery integrity', () => {
  it('counts exactly the broadcasts a server drops, duplicates and reorders', async () => {
    proxy = await startFaultyBroadcastProxy(server.urls.assaTcp!, { dropEvery: 500, duplicateEvery: 333, reorderEvery: 401, holdMs: 2000 });
    const io = memoryIO();
    const result = await loadCommand({ ...SHORT, target: urlTarget(proxy.url), out }, io, root);
    const report = result.report;
    const counts = proxy.counts;
    expect(counts.dropped).toBeGreaterThan(5);
    expect(counts.duplicated).toBeGreaterThan(5);
    expect(counts.reordered).toBeGreaterThan(5);
    expect(sum(report, 'lost')).toBe(counts.dropped + counts.stranded);
    expect(sum(report, 'duplicated')).toBe(counts.duplicated);
    expect(sum(report, 'reordered')).toBe(counts.reordered);
    // Every broadcast the server sent was expected, and every one written reached its client.
    expect(sum(report, 'expected')).toBe(counts.broadcasts);
    expect(sum(report, 'delivered')).toBe(counts.broadcasts - counts.dropped - counts.stranded);
    expect(report.load?.counters['schema.violations']).toBe(0);
    // The scenario's own thresholds (delivery.lost==0, ...) are breached: exit 1, and listed.
    expect(result.exitCode).toBe(1);
    expect(report.thresholds?.find((t) => t.expression === 'delivery.lost==0')).toMatchObject({ passed: false, actual: counts.dropped + counts.stranded, source: 'scenario' });
    expect(io.stdout.join('\n')).toContain('threshold FAIL delivery.lost==0');
  });

  it('reports a clean run against the reference server: nothing lost, every reply and delivery timed', async () => {
    const io = memoryIO();
    const result = await loadCommand({ ...SHORT, out, threshold: ['reply.p99<10s', 'errors.rate<0.1%'] }, io, root);
    const r = result.report;
    expect(result.exitCode).toBe(0);
    expect(sum(r, 'lost')).toBe(0);
    expect(sum(r, 'expected')).toBe(sum(r, 'delivered'));
    expect(sum(r, 'expected')).toBeGreaterThan(0);
    const h = r.load!.histograms;
    const sent = r.load!.counters['messages.sent']!;
    // Each client: CONNECT, CREATE_ROOM or JOIN_ROOM, then its timetable; PONGs only with PINGs (none here).
    expect(h.connect!.count).toBe(200);
    expect(h.auth!.count).toBe(200);
    expect(h.reply!.count).toBe(h.reply_scheduled!.count);
    expect(h.reply!.count).toBe(sent - 400);
    expect(h.delivery!.count).toBe(sum(r, 'delivered'));
    expect(r.load!.counters.timeouts).toBe(0);
    expect(r.thresholds?.map((t) => [t.expression, t.passed])).toEqual([
      ['round_trips>0', true], ['connect.errors<=0', true], ['timeouts.rate<=0.1%', true], ['delivery.leaked==0', true],
      ['delivery.lost==0', true], ['delivery.duplicated==0', true], ['delivery.reordered==0', true], ['schema.violations==0', true],
      ['reply.p99<10s', true], ['errors.rate<0.1%', true],
    ]);
    expect(r.generator).toBeDefined();
  });
});

/** The delivery table summed over rooms, every column. */
function totals(report: RunReport): Record<string, number> {
  const keys = ['expected', 'delivered', 'lost', 'duplicated', 'reordered', 'selfCopies', 'selfMissing', 'leaked', 'offlineCopies'] as const;
  return Object.fromEntries(keys.map((k) => [k, (report.load?.delivery ?? []).reduce((s, d) => s + (d[k] ?? 0), 0)]));
}

/** What a clean run against the mini server would report, with `faults` the columns its faults change. */
function owed(n: BroadcastCounts, faults: Record<string, number>): Record<string, number> {
  return { expected: n.copies, delivered: n.copies, lost: 0, duplicated: 0, reordered: 0, selfCopies: n.echoes, selfMissing: 0, leaked: 0, offlineCopies: 0, ...faults };
}

describe('delivery integrity per (sender, recipient) pair, against servers that echo to the sender (ASSA allows it)', () => {
  it('(a) echo, and drop 1 copy in 500: the own copies are counted apart and never fill the gap', async () => {
    mini = await startMiniAssaServer({ broadcast: { echo: true, dropEvery: 500 } });
    const result = await loadCommand({ ...SHORT, target: urlTarget(mini.url), out }, memoryIO(), root);
    const n = mini.counts;
    expect(n.dropped).toBeGreaterThan(5);
    expect(totals(result.report)).toEqual(owed(n, { delivered: n.copies - n.dropped, lost: n.dropped }));
    expect(n.echoes).toBe(result.report.load!.counters['messages.sent']! - 400);
    expect(result.report.thresholds?.find((t) => t.expression === 'delivery.lost==0')).toMatchObject({ passed: false, actual: n.dropped });
    expect(result.exitCode).toBe(1);
  });

  it('(b) echo, and a duplicate of 1 copy in 333: duplicates counted per pair, nothing lost', async () => {
    mini = await startMiniAssaServer({ broadcast: { echo: true, duplicateEvery: 333 } });
    const result = await loadCommand({ ...SHORT, target: urlTarget(mini.url), out }, memoryIO(), root);
    const n = mini.counts;
    expect(n.duplicated).toBeGreaterThan(5);
    expect(totals(result.report)).toEqual(owed(n, { duplicated: n.duplicated }));
    expect(result.exitCode).toBe(1);
  });

  it('(c) echo, and 1 message in 50 also delivered to a client of another room: leaked, and the run fails', async () => {
    mini = await startMiniAssaServer({ broadcast: { echo: true, leakEvery: 50 } });
    const io = memoryIO();
    const result = await loadCommand({ ...SHORT, target: urlTarget(mini.url), out }, io, root);
    const n = mini.counts;
    expect(n.leaked).toBeGreaterThan(5);
    expect(totals(result.report)).toEqual(owed(n, { leaked: n.leaked }));
    expect(result.report.thresholds?.find((t) => t.expression === 'delivery.leaked==0')).toMatchObject({ passed: false, actual: n.leaked, source: 'gate' });
    expect(result.exitCode).toBe(1);
    expect(io.stdout).toContain(`FAIL: ${n.leaked} messages reached clients that were not members of the room (leaked)`);
  });

  it('(c) also across worker threads, where the leaked copy reaches a client of another slice', async () => {
    mini = await startMiniAssaServer({ broadcast: { echo: true, leakEvery: 50 } });
    const result = await loadCommand({ ...SHORT, workers: 2, target: urlTarget(mini.url), out }, memoryIO(), root);
    const n = mini.counts;
    expect(n.leaked).toBeGreaterThan(5);
    expect(totals(result.report)).toEqual(owed(n, { leaked: n.leaked }));
    // One row per room, however many slices saw a copy of it.
    expect(new Set(result.report.load!.delivery!.map((d) => d.room)).size).toBe(result.report.load!.delivery!.length);
    expect(result.report.load!.delivery).toHaveLength(20);
  });
});

describe('schema violations as evidence', () => {
  it('lists each kind with its count and first sample, FAIL counted in schema.violations and NON-STRICT apart', async () => {
    // Every reply carries message_id as a string (the seed shows an integer: FAIL); every
    // broadcast carries a field the spec does not define (NON-STRICT).
    mini = await startMiniAssaServer({ shapes: { stringIds: true, extraField: true } });
    const io = memoryIO();
    const result = await loadCommand({ ...SHORT, target: urlTarget(mini.url), out }, io, root);
    const load = result.report.load!;
    const sends = load.counters['messages.sent']! - 400;
    const copies = mini.counts.copies;
    expect(load.counters['schema.violations']).toBe(sends);
    expect(load.counters['schema.non_strict']).toBe(copies);
    expect(load.counters['schema.informational']).toBe(0);
    expect(load.schemaViolations!.map((v) => [v.class, v.source, v.message, v.pointer, v.count, v.expected])).toEqual([
      ['FAIL', 'seed', 'SEND_MESSAGE_RESPONSE', '/data/message_id', sends, 'integer'],
      ['NON-STRICT', 'lenient', 'NEW_MESSAGE', '/data/mood', copies, 'no such field (the spec does not define it)'],
    ]);
    const fail = load.schemaViolations![0]!;
    expect(fail.actual).toMatch(/^string "\d+"$/);
    expect(JSON.parse(fail.sample.text)).toMatchObject({ action: 'SEND_MESSAGE_RESPONSE', data: { message_id: fail.actual.slice(8, -1) } });
    // The scenario's schema.violations==0 counts the FAIL class only.
    expect(result.report.thresholds?.find((t) => t.expression === 'schema.violations==0')).toMatchObject({ passed: false, actual: sends });
    expect(result.exitCode).toBe(1);
    const text = io.stdout.join('\n');
    expect(text).toContain(`  schema: ${sends} messages FAIL (counted in schema.violations); ${copies} NON-STRICT and 0 INFORMATIONAL, listed apart`);
    expect(text).toContain(`    FAIL SEND_MESSAGE_RESPONSE /data/message_id ×${sends}: expected integer, actual ${fail.actual} (seed)`);
    expect(text).toContain(`      first: ${fail.sample.text}`);
  });
});

describe('thresholds', () => {
  it('exits 1 and lists a breached --threshold; --abort-on-fail stops the run early', async () => {
    const io = memoryIO();
    const result = await loadCommand({ clients: 20, ramp: 100, duration: 5000, rate: 4, out, threshold: ['reply.p99<1us'], abortOnFail: true, progressEveryMs: 100 }, io, root);
    expect(result.exitCode).toBe(1);
    expect(result.report.thresholds?.find((t) => t.source === 'flag')).toMatchObject({ expression: 'reply.p99<1us', passed: false });
    expect(io.stderr.join('\n')).toContain('threshold reply.p99<1us breached');
    expect(result.report.options.stopped).toBe('threshold');
    expect(result.report.load!.durationMs).toBeLessThan(5000);
  });

  it('stops cleanly on an abort signal (Ctrl-C) and still returns the report', async () => {
    const controller = new AbortController();
    const mem = memoryIO();
    // Ctrl-C once every client is connected and sending, as a person watching the progress line would.
    const io = { ...mem, out: (line: string) => {
      mem.out(line);
      if (/connected 20 {2}msg\/s [1-9]/.test(line)) controller.abort();
    } };
    const result = await loadCommand({ clients: 20, ramp: 100, duration: 20_000, rate: 2, out, signal: controller.signal, progressEveryMs: 100 }, io, root);
    expect(result.report.options.stopped).toBe('signal');
    expect(result.exitCode).toBe(130);
    expect(result.report.summary.incomplete).toMatch(/^stopped by an interrupt \(Ctrl-C\) [\d.]+m?s into a run planned for 22\.6s: the figures cover only the part that ran$/);
    // Off a terminal: plain progress lines.
    expect(mem.stdout.some((l) => /^\[[\d.]+m?s\/[\d.]+s\] connected 20 {2}msg\/s \d+ {2}p99 [\d.]+ms {2}errors 0 {2}timeouts 0$/.test(l))).toBe(true);
    expect(result.report.load!.counters['connections.current']).toBe(0);
    expect(result.report.load!.counters['messages.sent']).toBeGreaterThan(40);
    expect(result.report.load!.durationMs).toBeLessThan(20_000);
  });
});

describe('reconnection', () => {
  it('follows the backoff policy after a drop and counts reconnects', async () => {
    proxy = await startFaultyBroadcastProxy(server.urls.assaTcp!, { kick: 10, kickAfterMs: 400 });
    const plan = { ...chatPlan(), clients: 20, rampMs: 100, durationMs: 1500, rate: 2, reconnectBackoffMs: [50, 100, 200], thresholds: [] };
    // The proxy kicks the first 10 connections it sees: without the preflight's, all are clients'.
    const report = await runLoad({ plan, profile: loadProfile('assa'), target: urlTarget(proxy.url), preflight: false });
    expect(proxy.counts.kicked).toBe(10);
    expect(report.load!.counters.drops).toBe(10);
    expect(report.load!.counters.reconnects).toBe(10);
    expect(report.load!.counters['reconnect.attempts']).toBe(10);
    expect(report.load!.counters['reconnect.failed']).toBe(0);
    // The console, the Markdown and the HTML say it in the same words, from the same counters.
    const said = 'connections: 30 opened, 0 attempts failed; drops 10; reconnections: 10 attempted, 10 succeeded, 0 gave up';
    expect(formatLoadSummary(report)).toContain(`  ${said}`);
    expect(renderHtml(report)).toContain(`<p>${said}</p>`);
    expect(renderMarkdown(report)).toContain(said);
  });
});

describe('shards and workers', () => {
  it('two shards merged with report merge equal one run (deterministic figures, exact histogram merge)', async () => {
    const one = (await loadCommand({ ...SHORT, out }, memoryIO(), root)).report;
    const [a, b] = await Promise.all([
      loadCommand({ ...SHORT, out, shard: { index: 0, count: 2 } }, memoryIO(), root),
      loadCommand({ ...SHORT, out, shard: { index: 1, count: 2 } }, memoryIO(), root),
    ]);
    const merged = mergeReports([a.report, b.report]);
    const load = merged.load!;
    expect(load.clients).toBe(200);
    expect(a.report.load!.clients + b.report.load!.clients).toBe(200);
    const byRoom = (l: NonNullable<RunReport['load']>): [string, number][] => l.delivery!.map((d) => [d.room, d.expected] as [string, number]).sort();
    expect(byRoom(load)).toEqual(byRoom(one.load!));
    for (const name of ['messages.sent', 'delivery.unmarked', 'timeouts']) expect(load.counters[name]).toBe(one.load!.counters[name]);
    for (const name of ['reply', 'delivery', 'connect']) {
      const parts = [a.report.load!.histograms[name]!, b.report.load!.histograms[name]!];
      expect(load.histograms[name]!.count).toBe(parts[0]!.count + parts[1]!.count);
      expect(load.histograms[name]!.max).toBe(Math.max(parts[0]!.max, parts[1]!.max));
    }
    expect(load.histograms.reply!.count).toBe(one.load!.histograms.reply!.count);
    expect(merged.thresholds?.every((t) => t.passed)).toBe(true);
    // The same through `chat-conform report merge` on the written files (schema-checked on read).
    const io = memoryIO();
    const file = join(out, 'merged.json');
    expect(await reportMerge([join(a.reportDir, 'report.json'), join(b.reportDir, 'report.json')], { out: file }, io)).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
    expect(written.load!.counters['messages.sent']).toBe(one.load!.counters['messages.sent']);
    expect(written.load!.histograms.delivery!.count).toBe(load.histograms.delivery!.count);
    expect(written.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
  });

  it('splits the clients over worker threads by whole rooms and merges them exactly', async () => {
    const result = await loadCommand({ ...SHORT, workers: 2, out }, memoryIO(), root);
    const r = result.report;
    expect(r.options.workers).toBe(2);
    expect(r.load!.clients).toBe(200);
    expect(r.load!.delivery).toHaveLength(20);
    expect(sum(r, 'lost')).toBe(0);
    expect(sum(r, 'delivered')).toBe(sum(r, 'expected'));
    expect(r.load!.histograms.connect!.count).toBe(200);
    expect(result.exitCode).toBe(0);
  });
});

describe('limits at scale (reduced: 200 clients, PING every 100 ms, drop after 300 ms)', () => {
  const LIMITS = {
    scenario: join(root, 'scenarios', 'load', 'assa-limits.yaml'),
    clients: 200, ramp: 300, rate: 2, workers: 1,
    pingInterval: 100, pongTimeout: 300, maxMessageBytes: 65_536,
  };

  it('passes every limits case against the reference server', async () => {
    const limited = await startReferenceServer({ profiles: 'assa', timers: { pingInterval: 100, pongTimeout: 300 }, limits: { maxMessageBytes: 65_536 } });
    try {
      const result = await loadCommand({ ...LIMITS, target: urlTarget(limited.urls.assaTcp!), out }, memoryIO(), root);
      const verdicts = Object.fromEntries(result.report.cases.map((c) => [c.id, c.verdict]));
      expect(verdicts).toEqual({
        'load.limits.connections': 'PASS',
        'load.limits.ping-interval': 'PASS',
        'load.limits.pong-keepalive': 'PASS',
        'load.limits.pong-drop': 'PASS',
        'load.limits.text-length': 'PASS',
        'load.limits.message-size': 'PASS',
      });
      expect(result.exitCode).toBe(0);
      // 10 silent clients (5% of 200) were dropped; nobody else was.
      expect(result.report.load!.counters.drops).toBe(10);
      expect(result.report.load!.counters['refusals.MESSAGE_TOO_LONG']).toBe(4 + 2);
    } finally {
      await limited.close();
    }
  });

  it('fails the heartbeat cases against a server whose PINGs never reach the clients', async () => {
    const limited = await startReferenceServer({ profiles: 'assa', timers: { pingInterval: 100, pongTimeout: 300 }, limits: { maxMessageBytes: 65_536 } });
    proxy = await startFaultyBroadcastProxy(limited.urls.assaTcp!, { swallowPings: true });
    try {
      const result = await loadCommand({ ...LIMITS, target: urlTarget(proxy.url), out }, memoryIO(), root);
      const cases = Object.fromEntries(result.report.cases.map((c) => [c.id, c]));
      expect(cases['load.limits.ping-interval']!.verdict).toBe('FAIL');
      expect(cases['load.limits.ping-interval']!.decidedBy?.code).toBe('CC_LOAD_PING_LATE');
      expect(cases['load.limits.pong-keepalive']!.verdict).toBe('FAIL');
      expect(result.exitCode).toBe(1);
      expect(proxy.counts.pingsSwallowed).toBeGreaterThan(0);
    } finally {
      await proxy.close();
      proxy = undefined;
      await limited.close();
    }
  });
});

