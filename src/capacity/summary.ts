/** What `chat-conform capacity` prints: a line per step while it runs, then the table and the verdict. */
import type { CapacityStep, RunReport } from '../report/model.js';
import { baselineText, capacityConclusionText, formatCount, formatMs } from '../reporters/format.js';
import { textTable } from '../util/text-table.js';

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

function stepRows(steps: readonly CapacityStep[]): string[][] {
  const rows = [['load', 'throughput/s', 'p50', 'p99', 'SLO', 'broken']];
  for (const s of steps) {
    const verdict = s.generatorSaturated ? 'saturated' : s.sloPassed ? 'met' : 'missed';
    rows.push([String(s.load), formatCount(s.throughput), formatMs(s.p50Ms), formatMs(s.p99Ms), verdict, s.broken.join(', ')]);
  }
  return rows;
}

/** The table of steps, the knee, the first broken step and why (and the baseline beside it). */
export function formatCapacitySummary(report: RunReport): string[] {
  const c = report.capacity;
  if (!c) return [];
  const unit = c.vary === 'clients' ? 'clients' : 'messages/s';
  const lines = report.summary.incomplete ? [`INCOMPLETE: ${report.summary.incomplete}`] : [];
  lines.push(`capacity: varying ${c.vary} against ${report.target.url}${report.target.embedded ? ' (embedded reference server)' : ''}; SLO ${(c.slo ?? []).join(', ')}`);
  lines.push(...textTable(stepRows(c.steps), 0).map((l) => `  ${l}`));
  lines.push(capacityConclusionText(c));
  if (c.stoppedBecause) lines.push(`stopped: ${c.stoppedBecause}`);
  if (c.baseline) {
    lines.push('baseline (embedded reference server, same steps):');
    lines.push(...textTable(stepRows(c.baseline), 0).map((l) => `  ${l}`));
    lines.push(`baseline: ${baselineText(c)} ${unit}${c.knee !== null ? ` (target: knee ${c.knee})` : c.heldUpTo !== undefined ? ` (target: no knee up to ${c.heldUpTo})` : ''}`);
  }
  return lines;
}
