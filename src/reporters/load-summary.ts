/**
 * The end of a load run as the console reporter says it (after `chat-conform load`, and for
 * `report render --reporter console` of a load report): the few lines that say whether it held
 * and why, from the canonical report.
 */
import { gateReasons, gateRelaxations, type ResolvedGate } from '../report/gate.js';
import type { DeliveryRow, HistogramSummary, RunReport } from '../report/model.js';
import { connectionsLine, formatThresholdActual, violationLines } from './format.js';

function ms(us: number): string {
  return us >= 10_000 ? `${(us / 1000).toFixed(0)}ms` : `${(us / 1000).toFixed(2)}ms`;
}

function latency(name: string, h: HistogramSummary | undefined): string | undefined {
  if (!h || h.count === 0) return undefined;
  return `${name.padEnd(16)} n=${h.count}  p50 ${ms(h.p50)}  p90 ${ms(h.p90)}  p99 ${ms(h.p99)}  p99.9 ${ms(h.p999)}  max ${ms(h.max)}`;
}

export function formatLoadSummary(report: RunReport): string[] {
  const load = report.load;
  if (!load) return [];
  const c = load.counters;
  // What makes the figures below partial or failing comes first: they are its evidence.
  const lines = report.summary.incomplete ? [`INCOMPLETE: ${report.summary.incomplete}`] : [];
  lines.push(...gateReasons(report).map((r) => `FAIL: ${r}`));
  lines.push(`load: ${load.clients} clients for ${(load.durationMs / 1000).toFixed(1)}s against ${report.target.url}${report.target.embedded ? ' (embedded reference server)' : ''}`);
  for (const name of ['connect', 'auth', 'reply', 'reply_scheduled', 'delivery']) {
    const line = latency(name, load.histograms[name]);
    if (line) lines.push(`  ${line}`);
  }
  lines.push(`  messages sent ${c['messages.sent'] ?? 0}, received ${c['messages.received'] ?? 0}; requests ${c.requests ?? 0}, replies ${c.replies ?? 0}, timeouts ${c.timeouts ?? 0}; schema violations ${c['schema.violations'] ?? 0}`);
  lines.push(`  ${connectionsLine(c)}`);
  lines.push(...violationLines(report));
  const errors = Object.entries(c).filter(([n]) => n.startsWith('errors.'));
  if (errors.length) lines.push(`  errors: ${errors.map(([n, v]) => `${n.slice(7)} ${v}`).join(', ')}`);
  for (const [code, text] of Object.entries(load.errorSamples ?? {})) lines.push(`    first ${code}: ${text}`);
  if (load.delivery?.length) {
    const sum = (k: Exclude<keyof DeliveryRow, 'room'>): number => load.delivery!.reduce((s, d) => s + (d[k] ?? 0), 0);
    const missing = sum('selfMissing') > 0 ? ` (${sum('selfMissing')} own copies missing)` : '';
    lines.push(`  delivery: ${load.delivery.length} rooms, expected ${sum('expected')}, delivered ${sum('delivered')}, lost ${sum('lost')}, duplicated ${sum('duplicated')}, reordered ${sum('reordered')}; self copies ${sum('selfCopies')}${missing}, leaked ${sum('leaked')}, offline copies ${sum('offlineCopies')}`);
  }
  for (const k of report.cases) lines.push(`  ${k.verdict.padEnd(5)} ${k.id}: ${k.decidedBy?.message ?? k.findings[0]?.message ?? k.title}`);
  const gate = (report.thresholds ?? []).filter((t) => t.source === 'gate');
  if (gate.length) {
    const broken = gate.filter((t) => !t.passed);
    const relaxed = report.options.gate ? gateRelaxations(report.options.gate as ResolvedGate) : [];
    lines.push(`  gate ${broken.length ? 'FAIL' : 'PASS'} ${gate.map((t) => t.expression).join(', ')}${relaxed.length ? `; relaxed: ${relaxed.join('; ')}` : ''}`);
    for (const t of broken) lines.push(`  gate FAIL ${t.expression} (actual ${formatThresholdActual(t, report)})`);
  }
  for (const t of (report.thresholds ?? []).filter((x) => x.source !== 'gate')) lines.push(`  threshold ${t.passed ? 'PASS' : 'FAIL'} ${t.expression} (actual ${formatThresholdActual(t, report)})`);
  const g = report.generator;
  if (g) {
    lines.push(`  generator: CPU ${g.cpuPercent}%, event-loop lag p99 ${g.eventLoopLagP99Ms}ms${g.saturated ? `  UNTRUSTWORTHY: the generator was saturated (${g.reason ?? ''}); latencies include its own delay` : ''}`);
  }
  return lines;
}
