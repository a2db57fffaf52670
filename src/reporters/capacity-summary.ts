/**
 * A capacity run as the console reporter says it: a line per step as it is judged, then the table,
 * the knee and what broke (after `chat-conform capacity`, and for `report render --reporter
 * console` of a capacity report).
 */
import type { CapacityStep, RunReport } from '../report/model.js';
import { textTable } from '../util/text-table.js';
import { baselineText, capacityConclusionText, formatCount, formatMs } from './format.js';

function unitOf(step: CapacityStep): string {
  return step.unit === 'clients' ? 'clients' : 'msg/s';
}

function verdicts(step: CapacityStep): string {
  const slo = (step.slo ?? []).map((r) => `${r.expression} ${r.passed ? 'ok' : 'BROKEN'}`);
  if ((step.connectErrors ?? 0) > 0) slo.push(`${step.connectErrors} connection attempts failed`);
  if ((step.clientsLost ?? 0) > 0) slo.push(`${step.clientsLost} clients gave up reconnecting`);
  return slo.join(', ');
}

/** The progress line of one step, e.g. `step 3: 300 clients  throughput 298.4/s  p50 1.20ms  p99 4.10ms  reply.p99<100ms ok`. */
export function formatStepLine(label: string, n: number, step: CapacityStep): string {
  const saturated = step.generatorSaturated ? `  GENERATOR SATURATED (${step.saturation ?? 'see generator health'}): not judged` : '';
  return `${label} ${n}: ${step.load} ${unitOf(step)}  throughput ${formatCount(step.throughput)}/s  p50 ${formatMs(step.p50Ms)}  p99 ${formatMs(step.p99Ms)}  ${verdicts(step)}${saturated}`;
}

/** The steps, and with a baseline the reference server's figures for the same load in the same row. */
function stepRows(steps: readonly CapacityStep[], baseline: readonly CapacityStep[] | undefined): string[][] {
  const verdict = (s: CapacityStep): string => (s.generatorSaturated ? 'saturated' : s.sloPassed ? 'met' : 'missed');
  const reference = baseline ? new Map(baseline.map((s) => [s.load, s])) : undefined;
  const rows = [['load', 'throughput/s', 'p50', 'p99', 'SLO', 'broken', ...(reference ? ['ref throughput/s', 'ref p99', 'ref SLO'] : [])]];
  for (const s of steps) {
    const b = reference?.get(s.load);
    const ref = reference ? (b ? [formatCount(b.throughput), formatMs(b.p99Ms), verdict(b)] : ['-', '-', '-']) : [];
    rows.push([String(s.load), formatCount(s.throughput), formatMs(s.p50Ms), formatMs(s.p99Ms), verdict(s), s.broken.join(', '), ...ref]);
  }
  return rows;
}

/** The table of steps (the reference server's beside them), the knee, the first broken step and why. */
export function formatCapacitySummary(report: RunReport): string[] {
  const c = report.capacity;
  if (!c) return [];
  const lines = report.summary.incomplete ? [`INCOMPLETE: ${report.summary.incomplete}`] : [];
  lines.push(`capacity: varying ${c.vary} against ${report.target.url}${report.target.embedded ? ' (embedded reference server)' : ''}; SLO ${(c.slo ?? []).join(', ')}`);
  lines.push(...textTable(stepRows(c.steps, c.baseline), 0).map((l) => `  ${l}`));
  lines.push(`${capacityConclusionText(c)}${c.baseline ? `; reference server: ${baselineText(c)}` : ''}`);
  if (c.stoppedBecause) lines.push(`stopped: ${c.stoppedBecause}`);
  return lines;
}
