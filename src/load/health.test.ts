import { describe, expect, it } from 'vitest';
import { assessHealth, HealthMonitor } from './health.js';

describe('assessHealth', () => {
  it('trusts a generator under both limits', () => {
    expect(assessHealth({ eventLoopLagP99Ms: 12, eventLoopLagMaxMs: 30, cpuPercent: 40 })).toEqual({
      eventLoopLagP99Ms: 12, eventLoopLagMaxMs: 30, cpuPercent: 40, saturated: false,
    });
  });

  it('marks it saturated, saying why, when the event loop lags or the CPU is pegged', () => {
    const r = assessHealth({ eventLoopLagP99Ms: 80, eventLoopLagMaxMs: 200, cpuPercent: 97 }, { maxLagP99Ms: 50, maxCpuPercent: 90 });
    expect(r.saturated).toBe(true);
    expect(r.reason).toBe('event-loop lag p99 80.0ms > 50ms; generator CPU 97% > 90%');
  });
});

describe('HealthMonitor', () => {
  it('sees a blocked event loop', async () => {
    const monitor = new HealthMonitor({ maxLagP99Ms: 20, maxCpuPercent: 1000 });
    await new Promise((r) => setTimeout(r, 30));
    const until = Date.now() + 120;
    while (Date.now() < until) { /* block the loop on purpose */ }
    await new Promise((r) => setTimeout(r, 30));
    const health = monitor.stop();
    expect(health.eventLoopLagMaxMs).toBeGreaterThanOrEqual(100);
    expect(health.saturated).toBe(true);
  });
});
