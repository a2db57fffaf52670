/**
 * Reporters' onProgress during a load run: called on the progress line's cadence with the live
 * figures, never twice on the console, and a reporter that throws does not stop the run.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { memoryIO } from '../cli/io.js';
import { consoleReporter } from '../reporters/console.js';
import type { LoadProgress, Reporter } from '../reporters/types.js';
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

function plan() {
  const p = readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan;
  return { ...p, clients: CLIENTS, rampMs: 200, durationMs: 4000, drainMs: 500, rate: 2 };
}

function collector(name = 'collector'): Reporter & { calls: LoadProgress[] } {
  const calls: LoadProgress[] = [];
  return { name, calls, onProgress: (p) => void calls.push(p) };
}

describe('runLoad and reporters onProgress', () => {
  it('hands every reporter the live figures on the progress line cadence, and the console status is printed once', async () => {
    const io = memoryIO();
    const custom = collector();
    const consoleCalls: string[] = [];
    const console = consoleReporter({ io: { ...memoryIO(), out: (t) => void consoleCalls.push(t) }, color: false });
    const report = await runLoad({ plan: plan(), profile: 'assa', target: server.urls.assaTcp!, workers: 1, io, progressEveryMs: EVERY_MS, reporters: [custom, console] });
    expect(report.summary.exitCode).toBe(0);

    const total = 200 + SETTLE_MS + 4000;
    const calls = custom.calls;
    // One call per progress line, with the same figures the line shows.
    const lines = io.stdout.filter((l) => /^\[.+\/.+\] connected /.test(l));
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBe(lines.length);
    calls.forEach((c, i) => {
      expect(c.totalMs).toBe(total);
      expect(lines[i]).toContain(`connected ${c.connected} `);
      expect(lines[i]).toContain(`msg/s ${Math.round(c.sentPerSecond)} `);
      expect(lines[i]).toContain(`errors ${c.errors} `);
      expect(c.errors).toBe(0);
      expect(c.connected).toBeLessThanOrEqual(CLIENTS);
      expect(c.elapsedMs).toBeLessThanOrEqual(total);
    });
    // Throttled like the line: consecutive calls at least the interval apart (elapsed stops at the total during the drain).
    for (let i = 1; i < calls.length; i++) {
      if (calls[i]!.elapsedMs < total) expect(calls[i]!.elapsedMs - calls[i - 1]!.elapsedMs).toBeGreaterThanOrEqual(EVERY_MS - 5);
    }
    // Once sending, the figures are live: every client connected, messages flowing both ways.
    const busy = calls.filter((c) => c.sentPerSecond > 0);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(busy.every((c) => c.connected === CLIENTS && c.receivedPerSecond > c.sentPerSecond)).toBe(true);
    // The console's status is the progress line itself: the console reporter is not called for it.
    expect(consoleCalls).toEqual([]);
  });

  it('calls a console reporter when nothing else prints the status, and drops a reporter that throws without stopping the run', async () => {
    const io = memoryIO();
    const consoleLines: string[] = [];
    const console = consoleReporter({ io: { ...memoryIO(), out: (t) => void consoleLines.push(t) }, color: false });
    const broken: Reporter = { name: 'broken', onProgress: () => { throw new Error('disk full'); } };
    const after = collector('after');
    // No io for runLoad: only the reporters see progress; the broken one's failure goes nowhere but must not stop anything.
    const report = await runLoad({ plan: plan(), profile: 'assa', target: server.urls.assaTcp!, workers: 1, progressEveryMs: EVERY_MS, reporters: [broken, console, after] });
    expect(report.summary.exitCode).toBe(0);
    expect(after.calls.length).toBeGreaterThanOrEqual(2);
    expect(consoleLines.length).toBeGreaterThanOrEqual(1);
    expect(consoleLines[0]).toMatch(/connected · \d+ sent\/s · \d+ received\/s · p99 .+ · 0 errors$/);
    // With io, the failure is said once.
    const io2 = memoryIO();
    await runLoad({ plan: { ...plan(), durationMs: 2500 }, profile: 'assa', target: server.urls.assaTcp!, workers: 1, io: io2, progressEveryMs: 1000, reporters: [broken] });
    expect(io2.stderr.filter((l) => l.includes('reporter broken failed in onProgress (disk full)'))).toHaveLength(1);
    expect(io.stderr).toEqual([]);
  });
});
