/**
 * Capacity search end to end on loopback, against a server made slow on purpose: its SEND_MESSAGE
 * reply waits f(open connections) ms, so the true knee follows from f and the SLO. Short steps,
 * tens to a couple of hundred clients. Assertions are on loads, verdicts and counts, never speed:
 * f is steep enough that a step's latency sits far (≥ 100 ms) on one side of the SLO's bound.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from '../transport/target.js';
import { loadProfile } from '../profile/load.js';
import { capacityCommand } from '../cli/commands/capacity.js';
import { memoryIO } from '../cli/io.js';
import { resolveSigningKey } from '../auth/tokens.js';
import { startEmbeddedTarget } from '../embedded/target.js';
import { memoryOutput } from '../output.js';
import { formatCapacitySummary } from '../reporters/capacity-summary.js';
import { main } from '../cli/main.js';
import type { LoadPlan } from '../load/plan.js';
import { readLoadScenario } from '../load/scenario.js';
import type { CapacityStep } from '../report/model.js';
import type { Reporter } from '../reporters/types.js';
import { validateReport } from '../report/validate.js';
import { startMiniAssaServer, type MiniServer } from '../testing/mini-assa-server.js';
import { runCapacity, type CapacityOptions } from './run.js';

const root = join(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';

interface Chromium {
  launch(opts: { executablePath: string; args: string[]; headless: boolean }): Promise<{
    newPage(): Promise<{ on(e: 'pageerror', cb: (err: Error) => void): void; goto(url: string): Promise<unknown>; locator(s: string): { count(): Promise<number> } }>;
    close(): Promise<void>;
  }>;
}

/** playwright-core's Chromium when both are installed (optional; loaded by a computed name). */
async function browser(): Promise<Chromium | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const name = 'playwright-core';
  try {
    return ((await import(name)) as { chromium: Chromium }).chromium;
  } catch {
    return undefined;
  }
}
let server: MiniServer | undefined;
let out: string;

/** Reply delay in ms with n connections open: quadratic, so steps of 20 clients are ≥ 100 ms apart near the knee. */
const f = (n: number): number => (n * n) / 20;
const BOUND_MS = 1100;
/** The true knee: the most connections at which every reply still comes under the bound. */
const TRUE_KNEE = (() => {
  let n = 1;
  while (f(n + 1) < BOUND_MS) n++;
  return n;
})();

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'cc-capacity-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function chatPlan(): LoadPlan {
  return readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan;
}

function options(url: string, more: Partial<CapacityOptions>): CapacityOptions {
  return {
    plan: { ...chatPlan(), drainMs: 2500, reconnectBackoffMs: [50] },
    profile: loadProfile('assa'),
    target: urlTarget(url),
    slo: [`reply.p99<${BOUND_MS}ms`, 'delivery.lost==0'],
    from: 20,
    to: 200,
    step: 20,
    stepDurationMs: 700,
    rampMs: 100,
    ratePerClient: 2,
    workers: 1,
    ...more,
  };
}

describe('capacity against a server that slows down with its connections', () => {
  it('finds the knee within one step of the true value, stops at the first broken step and prints the table', async () => {
    server = await startMiniAssaServer({ delayMs: f });
    const io = memoryIO();
    const result = await capacityCommand(
      { target: urlTarget(server.url), slo: [`reply.p99<${BOUND_MS}ms`, 'delivery.lost==0'], from: 20, to: 200, step: 20, stepDuration: 700, ramp: 100, rate: 2, workers: 1, out, reporter: ['html'] },
      io,
      root,
    );
    const c = result.report.capacity!;
    expect(TRUE_KNEE).toBe(148);
    expect(c.knee).toBe(140);
    expect(TRUE_KNEE - (c.knee as number)).toBeLessThan(20);
    expect(c.firstBroken).toBe(160);
    // Stopped once broken: nothing above 160 was run, and the server never saw more clients.
    expect(c.steps.map((s) => s.load), JSON.stringify(c.steps)).toEqual([20, 40, 60, 80, 100, 120, 140, 160]);
    expect(server.stats.peakConnections).toBe(160);
    expect(c.steps.map((s) => s.sloPassed)).toEqual([true, true, true, true, true, true, true, false]);
    expect(c.steps.at(-1)?.broken).toEqual([`reply.p99<${BOUND_MS}ms`]);
    expect(c.steps.every((s) => s.connectErrors === 0 && !s.generatorSaturated)).toBe(true);
    // Every reply is held f(n): the measured median is at least that.
    for (const s of c.steps) expect(s.p50Ms).toBeGreaterThanOrEqual(f(s.load));
    expect(c.limitingFactor).toMatch(new RegExp(`^latency: reply\\.p99<${BOUND_MS}ms broken \\(actual \\d+(\\.\\d+)?ms\\) at 160 clients$`));
    expect(c.stoppedBecause).toBe('an SLO broke at 160');
    expect(result.exitCode).toBe(0);
    expect(result.report.command).toBe('capacity');
    expect(validateReport(result.report)).toEqual([]);

    const text = io.stdout.join('\n');
    expect(io.stdout.filter((l) => /^step \d+: \d+ clients {2}throughput /.test(l))).toHaveLength(8);
    expect(text).toMatch(/^step 8: 160 clients .* reply\.p99<1100ms BROKEN, delivery\.lost==0 ok$/m);
    expect(text).toMatch(/^ {2}load +throughput\/s +p50 +p99 +SLO +broken$/m);
    expect(text).toMatch(/^ +140 +[\d.,]+ +[\d.]+ms +[\d.]+(ms|s) +met$/m);
    expect(text).toMatch(/^ +160 +[\d.,]+ +[\d.]+(ms|s) +[\d.]+(ms|s) +missed +reply\.p99<1100ms$/m);
    expect(text).toContain('knee: 140 clients');
    expect(text).toContain('first broken: 160 clients: latency: reply.p99<1100ms broken');

    // The HTML report: the table and the chart, with a point per step and the knee and break marked.
    const html = readFileSync(join(result.reportDir, 'report.html'), 'utf8');
    const section = html.slice(html.indexOf('<section id="capacity">'), html.indexOf('</section>', html.indexOf('<section id="capacity">')));
    expect(section).toContain('<b>knee: 140 clients, the highest load that met every SLO; first broken: 160 clients: latency: ');
    expect(section.match(/<tbody>.*<\/tbody>/s)?.[0].match(/<tr>/g)).toHaveLength(8);
    expect(section).toMatch(/<tr><td class="num">160<\/td>.*<td class="bad">missed<\/td><td>reply\.p99&lt;1100ms<\/td><\/tr>/);
    const svg = section.match(/<svg class="chart" data-chart="capacity"[^]*?<\/svg>/)?.[0] ?? '';
    expect(svg.match(/<circle /g)).toHaveLength(8);
    expect(svg.match(/<circle [^>]*class="bad"/g)).toHaveLength(1);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).toMatch(/<line [^>]*class="marker knee"\/><text [^>]*>knee 140<\/text>/);
    expect(svg).toMatch(/<line [^>]*class="marker broken"\/><text [^>]*>first broken 160<\/text>/);

    // Rendered by a real browser where one is installed (CI installs Chromium; see html.test.ts).
    const chromium = await browser();
    if (chromium) {
      const b = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
      try {
        const page = await b.newPage();
        const errors: string[] = [];
        page.on('pageerror', (err) => errors.push(err.message));
        await page.goto(pathToFileURL(join(result.reportDir, 'report.html')).href);
        expect(await page.locator('#capacity svg[data-chart="capacity"] circle').count()).toBe(8);
        expect(await page.locator('#capacity svg[data-chart="capacity"] polyline').count()).toBe(3);
        expect(await page.locator('#capacity table tbody tr').count()).toBe(8);
        expect(errors).toEqual([]);
      } finally {
        await b.close();
      }
    }
  }, 90_000);

  it('bisects between the last passing and the first broken load to the resolution', async () => {
    server = await startMiniAssaServer({ delayMs: f });
    const report = await runCapacity(options(server.url, { from: 20, to: 300, search: 'binary', resolution: 10 }));
    const c = report.capacity!;
    // Doubling 20, 40, 80, 160 (broken), then 120, 140, 150 (broken): 140..150 is within 10.
    expect(c.steps.map((s) => s.load), JSON.stringify(c.steps)).toEqual([20, 40, 80, 120, 140, 150, 160]);
    expect(c.knee).toBe(140);
    expect(c.firstBroken).toBe(150);
    expect(TRUE_KNEE - (c.knee as number)).toBeLessThan(10);
    expect(c.search).toBe('binary');
    expect(c.stoppedBecause).toBe('bisected to 140..150 (resolution 10)');
    expect(server.stats.peakConnections).toBe(160);
    expect(report.summary.exitCode).toBe(0);
  }, 90_000);

  it('never runs above --to, and reports no break when every step met the SLO', async () => {
    server = await startMiniAssaServer({ delayMs: () => 5 });
    const report = await runCapacity(options(server.url, { from: 20, to: 90, step: 40 }));
    const c = report.capacity!;
    expect(c.steps.map((s) => s.load)).toEqual([20, 60, 90]);
    expect(server.stats.peakConnections).toBe(90);
    // No step broke: there is no knee to name, only how far the server held.
    expect(c.knee).toBeNull();
    expect(c.heldUpTo).toBe(90);
    expect(c.firstBroken).toBeNull();
    expect(c.limitingFactor).toBeUndefined();
    expect(c.conclusion).toBe('no knee found up to 90 clients: the SLO held at every step');
    expect(formatCapacitySummary(report)).toContain('no knee found up to 90 clients: the SLO held at every step');
    expect(c.stoppedBecause).toBe('reached --to 90');
    expect(report.summary.exitCode).toBe(0);
  }, 60_000);

  it('exits 1 when even the first step breaks the SLO', async () => {
    server = await startMiniAssaServer({ delayMs: () => 300 });
    const report = await runCapacity(options(server.url, { from: 20, to: 100, step: 20, slo: ['reply.p99<100ms'] }));
    const c = report.capacity!;
    expect(c.steps.map((s) => s.load)).toEqual([20]);
    expect(c.knee).toBeNull();
    expect(c.heldUpTo).toBeUndefined();
    expect(c.firstBroken).toBe(20);
    expect(c.conclusion).toMatch(/^no knee at or above 20 clients: the first step already broke the SLO: latency: reply\.p99<100ms broken \(actual [\d.]+ms\) at 20 clients$/);
    expect(report.summary).toMatchObject({ exitCode: 1, thresholdsFailed: 1 });
  }, 60_000);

  it('names a server that stops accepting connections as the limiting factor', async () => {
    server = await startMiniAssaServer({ delayMs: () => 1, maxConnections: 50 });
    const report = await runCapacity(options(server.url, { from: 20, to: 100, step: 30, slo: ['reply.p99<1s'], timers: { connectTimeout: 1000 } }));
    const c = report.capacity!;
    expect(c.steps.map((s) => s.load), JSON.stringify(c.steps)).toEqual([20, 50, 80]);
    expect(c.knee).toBe(50);
    expect(c.firstBroken).toBe(80);
    expect(c.conclusion).toBe('knee: 50 clients, the highest load that met every SLO; first broken: 80 clients: the server stopped accepting connections (30 clients gave up reconnecting at 80 clients)');
    // The server accepts the socket and closes it: the 30 clients over its limit retry once (backoff [50]) and give up.
    const broken = c.steps[2]!;
    expect(broken.broken).toEqual(['reconnect.failed==0']);
    expect(broken.clientsLost).toBe(30);
    expect(c.limitingFactor).toBe('the server stopped accepting connections (30 clients gave up reconnecting at 80 clients)');
  }, 60_000);

  it('stops on Ctrl-C: the step in progress is not judged, the steps before it are reported', async () => {
    server = await startMiniAssaServer({ delayMs: () => 2 });
    const controller = new AbortController();
    const steps: string[] = [];
    // Abort while the second step is under way.
    const watching: Reporter = { name: 'watching', onCapacityStep: (step, info) => {
      steps.push(`${info.label} ${info.index}: ${step.load}`);
      if (info.index === 1) setTimeout(() => controller.abort(), 300);
    } };
    const report = await runCapacity(options(server.url, { from: 20, to: 100, step: 20, slo: ['reply.p99<1s'], reporters: [watching], signal: controller.signal }));
    const c = report.capacity!;
    expect(c.steps.map((s) => s.load)).toEqual([20]);
    expect(steps).toEqual(['step 1: 20']);
    expect(c.stoppedBecause).toBe('stopped (Ctrl-C)');
    expect(report.summary).toMatchObject({ exitCode: 130, incomplete: 'stopped by an interrupt (Ctrl-C) after 1 judged step: the search did not finish' });
    expect(c.knee).toBeNull();
    expect(c.heldUpTo).toBe(20);
    expect(c.firstBroken).toBeNull();
  }, 60_000);

  it('is a connection error (exit 2), found by the preflight before the first step, when nobody listens at the target', async () => {
    server = await startMiniAssaServer({ delayMs: () => 1 });
    const unreachable = server.url;
    const port = new URL(unreachable).port;
    await server.close();
    server = undefined;
    const lines: string[] = [];
    const output = { ...memoryOutput(), out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) };
    await expect(runCapacity(options(unreachable, { from: 10, to: 20, step: 10, slo: ['reply.p99<1s'], output, timers: { connectTimeout: 500 } }))).rejects.toMatchObject({
      code: 'CC_ERR_CONNECT',
      exitCode: 2,
      message: `cannot connect to ${unreachable}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
    expect(lines).toEqual([]);
  }, 60_000);

  it('steps the total message rate at a fixed number of clients with --vary rate', async () => {
    server = await startMiniAssaServer({ delayMs: () => 2 });
    // A reporter that throws on a step is named once and hears no more; the search goes on.
    let calls = 0;
    const broken: Reporter = { name: 'broken', onCapacityStep: () => { calls++; throw new Error('disk full'); } };
    const output = memoryOutput();
    const report = await runCapacity(options(server.url, { vary: 'rate', from: 40, to: 120, step: 40, clients: 20, ratePerClient: undefined, stepDurationMs: 1000, slo: ['reply.p99<1s'], reporters: [broken], output }));
    expect(calls).toBe(1);
    expect(output.stderr).toEqual(['chat-conform: reporter broken failed in onCapacityStep (disk full); no more steps go to it']);
    const c = report.capacity!;
    expect(c.vary).toBe('rate');
    expect(c.steps.map((s) => [s.load, s.unit, s.clients, s.ratePerClient])).toEqual([[40, 'rate', 20, 2], [80, 'rate', 20, 4], [120, 'rate', 20, 6]]);
    // The open model sends on a timetable: the server answers about the offered rate.
    for (const s of c.steps) expect(Math.abs(s.throughput - s.load) / s.load).toBeLessThan(0.15);
    expect(server.stats.peakConnections).toBe(20);
    expect(c.knee).toBeNull();
    expect(c.conclusion).toBe('no knee found up to 120 messages/s: the SLO held at every step');
  }, 60_000);

  it('runs the same steps against the embedded reference server with --baseline reference', async () => {
    server = await startMiniAssaServer({ delayMs: f });
    // Longer steps: the embedded server runs inside this process, and one of its stalls must not
    // reach the event-loop lag p99 of a short step (which would mark the generator saturated).
    const baseline = await startEmbeddedTarget({ profiles: ['assa'], signingKey: resolveSigningKey(), limits: { maxConnections: 1000 } });
    const report = await runCapacity(options(server.url, { from: 40, to: 120, step: 40, stepDurationMs: 2000, slo: ['reply.p99<500ms'], baseline })).finally(() => baseline.close());
    const c = report.capacity!;
    const verdicts = (steps: CapacityStep[] | undefined): [number, boolean, boolean][] | undefined => steps?.map((s) => [s.load, s.sloPassed, s.generatorSaturated]);
    expect(verdicts(c.steps), JSON.stringify(c.steps)).toEqual([[40, true, false], [80, true, false], [120, false, false]]);
    expect(verdicts(c.baseline), JSON.stringify(c.baseline)).toEqual([[40, true, false], [80, true, false], [120, true, false]]);
    expect(c.knee).toBe(80);
    expect(c.baselineKnee).toBeNull();
    expect(c.baselineHeldUpTo).toBe(120);
    expect(report.target).toEqual({ url: server.url, embedded: false });
    expect(validateReport(report)).toEqual([]);
  }, 90_000);
});

describe('capacity flags', () => {
  it('exits 2 on an SLO that does not parse, naming the flag, before any load is sent', async () => {
    const io = memoryIO();
    expect(await main(['node', 'chat-conform', 'capacity', '--slo', 'reply.p99<<100ms', '--out', out], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain(`chat-conform: CC_ERR_USAGE option '--slo <expr>' argument 'reply.p99<<100ms' is invalid. invalid threshold "reply.p99<<100ms" (SLO): expected METRIC OP VALUE[UNIT] (e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1%)`);
    await expect(capacityCommand({ slo: ['p99 under 100ms'], out }, memoryIO(), root)).rejects.toMatchObject({ code: 'CC_ERR_BAD_THRESHOLD', exitCode: 2 });
    // An unknown metric is refused too, once the profile is known, with the nearest name.
    await expect(capacityCommand({ slo: ['reply.p99<1s', 'delivery.lots==0'], out }, memoryIO(), root)).rejects.toMatchObject({
      code: 'CC_ERR_BAD_THRESHOLD', exitCode: 2, message: 'invalid threshold "delivery.lots==0" (SLO): unknown metric delivery.lots', hint: 'did you mean delivery.lost? the metrics are listed in docs/load.md#metrics',
    });
  });

  it('exits 2 without an SLO, on --step with --search binary, and on --from above --to', async () => {
    await expect(capacityCommand({ out }, memoryIO(), root)).rejects.toMatchObject({ code: 'CC_ERR_USAGE', exitCode: 2, message: 'capacity needs at least one --slo, e.g. --slo "reply.p99<100ms"' });
    await expect(capacityCommand({ slo: ['reply.p99<1s'], step: 10, search: 'binary', out }, memoryIO(), root)).rejects.toMatchObject({ code: 'CC_ERR_USAGE', exitCode: 2 });
    await expect(capacityCommand({ slo: ['reply.p99<1s'], from: 500, to: 100, out }, memoryIO(), root)).rejects.toMatchObject({ code: 'CC_ERR_BAD_FLAG', exitCode: 2, message: 'invalid value 100 for --to: expected at least --from (500)' });
    await expect(capacityCommand({ slo: ['reply.p99<1s'], clients: 50, out }, memoryIO(), root)).rejects.toMatchObject({
      code: 'CC_ERR_BAD_FLAG', message: 'invalid value 50 for --clients: is the fixed count of a --vary rate search; a client search steps it from --from to --to',
    });
    const io = memoryIO();
    expect(await main(['node', 'chat-conform', 'capacity', '--slo', 'reply.p99<1s', '--vary', 'users'], io)).toBe(2);
  });
});
