import { describe, expect, it } from 'vitest';
import { parseThreshold } from '../load/thresholds.js';
import { MetricsStore } from '../metrics/store.js';
import type { CapacityStep, RunReport } from '../report/model.js';
import { REPORT_VERSION } from '../report/model.js';
import { capacityConclusion, judgeStep, limitingFactor } from './judge.js';
import { capacityExitCode, kneeOf } from './run.js';

/** A load run's report: `replies` reply latencies of 1..n ms, the given counters and lost deliveries. */
function stepReport(replies: number, counters: Record<string, number>, lost = 0, saturated = false): RunReport {
  const store = new MetricsStore();
  for (let i = 1; i <= replies; i++) store.record('reply', i * 1000);
  for (const [k, v] of Object.entries(counters)) store.increment(k, v);
  return {
    reportVersion: REPORT_VERSION,
    tool: { name: 'chat-conform', version: '0.0.0' },
    command: 'load',
    startedAt: '2026-11-22T04:00:00.000Z',
    finishedAt: '2026-11-22T04:00:02.000Z',
    durationMs: 2000,
    target: { url: 'tcp://127.0.0.1:1', embedded: false },
    profile: 'assa',
    options: { clients: 50, rate: 2 },
    summary: { total: 0, byVerdict: { PASS: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, 'NOT-ASSESSED': 0, FAIL: 0, ERROR: 0 }, thresholdsFailed: 0, exitCode: 0 },
    cases: [],
    load: { clients: 50, durationMs: 2000, histograms: store.summariseAll(), counters: store.counters(), delivery: [{ room: 'r0', expected: 100, delivered: 100 - lost, lost, duplicated: 0, reordered: 0 }] },
    generator: { eventLoopLagP99Ms: saturated ? 80 : 2, eventLoopLagMaxMs: saturated ? 120 : 5, cpuPercent: 40, saturated, ...(saturated ? { reason: 'event-loop lag p99 80.0ms > 50ms' } : {}) },
  };
}

const slos = [parseThreshold('reply.p99<150ms', 'slo'), parseThreshold('delivery.lost==0', 'slo')];

function step(load: number, sloPassed: boolean, generatorSaturated = false): CapacityStep {
  return { load, unit: 'clients', throughput: load, p50Ms: 1, p99Ms: 2, sloPassed, broken: sloPassed ? [] : ['reply.p99<150ms'], generatorSaturated };
}

describe('judging a step', () => {
  it('takes throughput from the replies per second of the steady phase and judges every SLO', () => {
    const s = judgeStep(stepReport(200, { 'messages.sent': 200 }), 50, 'clients', slos, 2000);
    expect(s).toMatchObject({ load: 50, unit: 'clients', throughput: 100, p50Ms: 100.03, sloPassed: false, broken: ['reply.p99<150ms'], clients: 50, ratePerClient: 2, connectErrors: 0, generatorSaturated: false });
    expect(s.p99Ms).toBeCloseTo(198, 0);
    expect(s.slo?.map((r) => [r.expression, r.passed])).toEqual([['reply.p99<150ms', false], ['delivery.lost==0', true]]);
    expect(limitingFactor(s)).toBe('latency: reply.p99<150ms broken (actual 198.02ms) at 50 clients');
  });

  it('names loss before the latency that comes with it', () => {
    const s = judgeStep(stepReport(200, {}, 3), 50, 'clients', slos, 2000);
    expect(s.broken).toEqual(['reply.p99<150ms', 'delivery.lost==0']);
    expect(limitingFactor(s)).toBe('message loss: delivery.lost==0 broken (actual 3) at 50 clients');
  });

  it('breaks a step whose connections failed, even when every SLO held, and says the server stopped accepting them', () => {
    const s = judgeStep(stepReport(100, { 'connect.errors': 7 }), 80, 'clients', slos, 2000);
    expect(s.slo?.every((r) => r.passed)).toBe(true);
    expect(s).toMatchObject({ sloPassed: false, broken: ['connect.errors==0'], connectErrors: 7 });
    expect(limitingFactor(s)).toBe('the server stopped accepting connections (7 connection attempts failed at 80 clients)');
  });

  it('names an errors SLO, in messages/s for a rate search', () => {
    const s = judgeStep(stepReport(10, { 'messages.sent': 10, 'errors.ROOM_FULL': 2 }), 400, 'rate', [parseThreshold('errors.rate<1%', 'slo')], 2000);
    expect(limitingFactor(s)).toBe('errors: errors.rate<1% broken (actual 20%) at 400 messages/s');
  });

  it('marks a step where the generator saturated, with the reason', () => {
    const s = judgeStep(stepReport(10, {}, 0, true), 50, 'clients', slos, 2000);
    expect(s).toMatchObject({ generatorSaturated: true, saturation: 'event-loop lag p99 80.0ms > 50ms', sloPassed: true });
  });
});

describe('the knee', () => {
  it('is the highest passing load below the first broken one', () => {
    expect(kneeOf([step(100, true), step(200, true), step(300, false)])).toMatchObject({ knee: 200, firstBroken: { load: 300 }, heldUpTo: undefined });
    // Nothing broke: no knee, only how far the server held.
    expect(kneeOf([step(100, true), step(200, true)])).toEqual({ knee: null, firstBroken: undefined, heldUpTo: 200 });
    // A bisection that passed above a break (noise) does not lift the knee past the break.
    expect(kneeOf([step(100, true), step(150, false), step(200, true), step(300, false)])).toMatchObject({ knee: 100, firstBroken: { load: 150 } });
  });

  it('ignores saturated steps: neither a knee nor the server\'s first break', () => {
    const { knee, firstBroken, heldUpTo } = kneeOf([step(100, true), step(200, true), step(300, false, true)]);
    expect(knee).toBeNull();
    expect(heldUpTo).toBe(200);
    expect(firstBroken).toBeUndefined();
  });

  it('sets the exit code: 0 with a knee, 1 when the first step broke, 2 when no step was judged', () => {
    expect(capacityExitCode({ vary: 'clients', steps: [], knee: 100, firstBroken: 200 })).toBe(0);
    expect(capacityExitCode({ vary: 'clients', steps: [], knee: null, heldUpTo: 150, firstBroken: null })).toBe(0);
    expect(capacityExitCode({ vary: 'clients', steps: [], knee: null, firstBroken: 100 })).toBe(1);
    expect(capacityExitCode({ vary: 'clients', steps: [], knee: null, firstBroken: null })).toBe(2);
  });
});

describe('the conclusion', () => {
  const steps = [step(50, true), step(100, true), step(150, true)];
  it('says there is no knee when no step broke, and how far the SLO held', () => {
    expect(capacityConclusion({ vary: 'clients', steps, knee: null, heldUpTo: 150, firstBroken: null })).toBe('no knee found up to 150 clients: the SLO held at every step');
  });

  it('names the knee and what broke above it, or that the first step broke', () => {
    expect(capacityConclusion({ vary: 'rate', steps, knee: 100, firstBroken: 150, limitingFactor: 'errors: timeouts==0 broken (actual 3) at 150 messages/s' }))
      .toBe('knee: 100 messages/s, the highest load that met every SLO; first broken: 150 messages/s: errors: timeouts==0 broken (actual 3) at 150 messages/s');
    expect(capacityConclusion({ vary: 'clients', steps, knee: null, firstBroken: 50, limitingFactor: 'latency: x' })).toBe('no knee at or above 50 clients: the first step already broke the SLO: latency: x');
  });

  it('blames the generator, not the server, when it saturated before anything broke', () => {
    expect(capacityConclusion({ vary: 'clients', steps: [step(50, true), step(100, false, true)], knee: null, heldUpTo: 50, firstBroken: null, limitingFactor: 'the load generator, not the server: saturated at 100' }))
      .toBe('no knee found up to 50 clients: the SLO held at every step the generator could measure; limited by the load generator, not the server: saturated at 100');
  });
});

