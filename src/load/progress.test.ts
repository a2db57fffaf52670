/**
 * What a load run shows while it runs: reporters' onProgress at the configured cadence with the
 * live figures, the console reporter's status line by phase (setting up, sending, draining), and
 * a reporter that throws does not stop the run.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from '../transport/target.js';
import { loadProfile } from '../profile/load.js';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { memoryIO } from '../cli/io.js';
import { memoryOutput } from '../output.js';
import { consoleReporter, formatStatusLine } from '../reporters/console.js';
import type { LoadProgress, Reporter } from '../reporters/types.js';
import { startMiniAssaServer } from '../testing/mini-assa-server.js';
import { SETTLE_MS } from './engine.js';
import { runLoad } from './run.js';
import { readLoadScenario } from './scenario.js';

const root = join(import.meta.dirname, '..', '..');
let server: RunningServer;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: 'assa', limits: { maxConnections: 200 } });
});
afterAll(async () => {
  await server.close();
});

const CLIENTS = 40;
const EVERY_MS = 1500;
const PHASES = ['setup', 'steady', 'drain', 'closing'];

function plan() {
  const p = readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan;
  return { ...p, clients: CLIENTS, rampMs: 200, durationMs: 4000, drainMs: 500, rate: 2 };
}

function collector(name = 'collector'): Reporter & { calls: LoadProgress[] } {
  const calls: LoadProgress[] = [];
  return { name, calls, onProgress: (p) => void calls.push(p) };
}

function printing(): { reporter: Reporter; lines: string[] } {
  const lines: string[] = [];
  return { lines, reporter: consoleReporter({ io: { ...memoryIO(), out: (t) => void lines.push(t) }, color: false }) };
}

describe('runLoad and reporters onProgress', () => {
  it('hands every reporter the live figures at the cadence; the console reporter prints them as the status line', async () => {
    const custom = collector();
    const console = printing();
    const report = await runLoad({ plan: plan(), profile: loadProfile('assa'), target: urlTarget(server.urls.assaTcp!), workers: 1, progressEveryMs: EVERY_MS, reporters: [custom, console.reporter] });
    expect(report.summary.exitCode).toBe(0);

    const planned = 200 + SETTLE_MS + 4000 + 500;
    const calls = custom.calls;
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // The console's lines are exactly the figures every reporter got.
    expect(console.lines).toEqual(calls.map(formatStatusLine));
    calls.forEach((c) => {
      // The total is the plan's until setup is over, then the real one: never less than the plan, never behind the clock.
      expect(c.totalMs).toBeGreaterThanOrEqual(planned);
      expect(c.elapsedMs).toBeLessThanOrEqual(c.totalMs!);
      expect(c.errors).toBe(0);
      expect(c.connected).toBeLessThanOrEqual(CLIENTS);
    });
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]!.elapsedMs - calls[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(EVERY_MS - 5);
      expect(PHASES.indexOf(calls[i]!.phase!)).toBeGreaterThanOrEqual(PHASES.indexOf(calls[i - 1]!.phase!));
    }
    // Once sending, the figures are live: every client connected, messages flowing both ways.
    const busy = calls.filter((c) => c.phase === 'steady' && c.sentPerSecond > 0);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(busy.every((c) => c.connected === CLIENTS && c.receivedPerSecond > c.sentPerSecond)).toBe(true);
    expect(console.lines.some((l) => new RegExp(`^\\[[\\d.]+m?s/[\\d.]+m?s\\] connected ${CLIENTS} {2}msg/s \\d+ {2}p99 [\\d.]+ms {2}errors 0 {2}timeouts 0$`).test(l))).toBe(true);
  });

  it('shows setup ("setting up: 9 of 20 clients ready") and the drain ("draining: 38 replies ... in flight, 1.6s left") instead of a frozen clock', async () => {
    // Replies held back 2.5 s: when the steady phase ends, they are still in flight, and the drain waits for them.
    const slow = await startMiniAssaServer({ delayMs: () => 2500 });
    try {
      const custom = collector();
      const console = printing();
      const p = { ...plan(), clients: 20, rampMs: 2500, durationMs: 2000, drainMs: 5000, rate: 4 };
      const report = await runLoad({ plan: p, profile: loadProfile('assa'), target: urlTarget(slow.url), workers: 1, progressEveryMs: 1000, reporters: [custom, console.reporter] });
      expect(report.summary.exitCode).toBe(0);
      const setup = custom.calls.find((c) => c.phase === 'setup');
      expect(setup).toMatchObject({ clients: 20 });
      expect(setup!.ready).toBeLessThan(20);
      expect(formatStatusLine(setup!)).toMatch(/^\[[\d.]+m?s\/[\d.]+s\] setting up: \d+ of 20 clients ready {2}errors 0 {2}timeouts 0$/);
      const drain = custom.calls.filter((c) => c.phase === 'drain');
      expect(drain.length).toBeGreaterThanOrEqual(1);
      expect(drain[0]!.inFlight!.replies).toBeGreaterThan(0);
      expect(drain[0]!.drainLeftMs).toBeLessThanOrEqual(5000);
      expect(console.lines).toContain(formatStatusLine(drain[0]!));
      expect(formatStatusLine(drain[0]!)).toMatch(/^\[[\d.]+s\/[\d.]+s\] draining: [1-9]\d* replies and \d+ deliveries in flight, [\d.]+m?s left$/);
      // Every reply came in the drain: none timed out, none was lost.
      expect(report.load!.histograms.reply!.count).toBe(report.load!.counters['messages.sent']! - 40);
    } finally {
      await slow.close();
    }
  }, 30_000);

  it('drops a reporter that throws without stopping the run, and says so once', async () => {
    const broken: Reporter = { name: 'broken', onProgress: () => { throw new Error('disk full'); } };
    const after = collector('after');
    const warnings: string[] = [];
    const output = { ...memoryOutput(), err: (t: string) => void warnings.push(t) };
    const report = await runLoad({ plan: plan(), profile: loadProfile('assa'), target: urlTarget(server.urls.assaTcp!), workers: 1, progressEveryMs: EVERY_MS, reporters: [broken, after], output });
    expect(report.summary.exitCode).toBe(0);
    expect(after.calls.length).toBeGreaterThanOrEqual(2);
    expect(warnings).toEqual(['chat-conform: reporter broken failed in onProgress (disk full); no more progress goes to it']);
  });
});
