import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { GeneratorHealth } from '../report/model.js';

/**
 * The load generator watches itself. When its own event loop lags or its CPU is pegged, the
 * latencies it records include its own delay, so the result is marked untrustworthy instead of
 * being blamed on the server.
 */
export interface HealthLimits {
  /** Event-loop delay p99 above which the generator counts as saturated (ms). */
  maxLagP99Ms: number;
  /** CPU use of this thread above which it counts as saturated (percent of one core). */
  maxCpuPercent: number;
}

export const DEFAULT_HEALTH_LIMITS: HealthLimits = { maxLagP99Ms: 50, maxCpuPercent: 90 };

export class HealthMonitor {
  private readonly histogram: IntervalHistogram;
  private readonly startCpu = process.cpuUsage();
  private readonly startWall = performance.now();

  constructor(private readonly limits: HealthLimits = DEFAULT_HEALTH_LIMITS) {
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
  }

  /** Current reading; callable any number of times. */
  read(): GeneratorHealth {
    const cpu = process.cpuUsage(this.startCpu);
    const wallMs = Math.max(1, performance.now() - this.startWall);
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
    // The histogram counts in nanoseconds, and includes the sampling resolution itself.
    const lagP99Ms = this.histogram.count > 0 ? this.histogram.percentile(99) / 1e6 : 0;
    const lagMaxMs = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    return assessHealth({ eventLoopLagP99Ms: lagP99Ms, eventLoopLagMaxMs: lagMaxMs, cpuPercent }, this.limits);
  }

  stop(): GeneratorHealth {
    const result = this.read();
    this.histogram.disable();
    return result;
  }
}

/** Pure judgement of a reading against the limits. */
export function assessHealth(
  reading: { eventLoopLagP99Ms: number; eventLoopLagMaxMs: number; cpuPercent: number },
  limits: HealthLimits = DEFAULT_HEALTH_LIMITS,
): GeneratorHealth {
  const reasons: string[] = [];
  if (reading.eventLoopLagP99Ms > limits.maxLagP99Ms) {
    reasons.push(`event-loop lag p99 ${reading.eventLoopLagP99Ms.toFixed(1)}ms > ${limits.maxLagP99Ms}ms`);
  }
  if (reading.cpuPercent > limits.maxCpuPercent) {
    reasons.push(`generator CPU ${reading.cpuPercent.toFixed(0)}% > ${limits.maxCpuPercent}%`);
  }
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    eventLoopLagP99Ms: round(reading.eventLoopLagP99Ms),
    eventLoopLagMaxMs: round(reading.eventLoopLagMaxMs),
    cpuPercent: round(reading.cpuPercent),
    saturated: reasons.length > 0,
    ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
  };
}
