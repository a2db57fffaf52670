/**
 * Test support for the reporter tests: blank what changes between runs (times, hosts, durations,
 * the tool version) so rendered output can be compared with committed snapshots.
 */
import type { RunReport } from '../report/model.js';

export function blankVolatile(report: RunReport): RunReport {
  const r = structuredClone(report);
  r.startedAt = '2000-01-01T00:00:00.000Z';
  r.finishedAt = '2000-01-01T00:00:00.000Z';
  r.durationMs = 0;
  r.tool.version = '0.0.0';
  r.target.url = r.target.url.replace(/\/\/[^/:?#]+(:\d+)?/, '//HOST:PORT');
  for (const c of r.cases) {
    c.durationMs = 0;
    for (const t of c.transcript) t.at = 0;
  }
  if (r.load) r.load.durationMs = 0;
  if (r.generator) {
    r.generator.cpuPercent = 0;
    r.generator.eventLoopLagMaxMs = 0;
    r.generator.eventLoopLagP99Ms = 0;
  }
  return r;
}
