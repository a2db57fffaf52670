import { ccError } from '../errors.js';
import { mergeSummaries } from '../metrics/store.js';
import { REPORT_VERSION, type CapacityResult, type CapacityStep, type CaseResult, type GeneratorHealth, type HistogramSummary, type LoadResult, type RunReport, type ShapeFinding, type ThresholdResult } from './model.js';
import { mergeDeliveryRows, mergeViolations } from './load-figures.js';
import { rootCausesOf } from './root-causes.js';
import { summariseRun, verdictRank } from './run-summary.js';
import { ShapeCollector } from './shapes.js';
import { reevaluateThresholds } from './thresholds.js';

/**
 * Combines the reports of shards of one run (`--shard i/n`, or several machines) into the report
 * of the whole run: cases concatenated by id, histograms merged exactly from their HDR encodings,
 * counters and delivery figures summed, thresholds re-evaluated on the merged metrics, root causes
 * found again in the merged cases, message shapes added up (version 1 reports have none).
 * Series points and capacity steps at the same t / load are summed, with latency taken as the
 * worst shard's (per-interval histograms are not kept, so that part is an upper bound, not exact).
 */
export function mergeReports(reports: readonly RunReport[]): RunReport {
  const first = reports[0];
  if (!first) throw ccError('CC_ERR_REPORT_MERGE', { reason: 'no reports given' });
  for (const r of reports) {
    if (r.command !== first.command) throw ccError('CC_ERR_REPORT_MERGE', { reason: `commands differ (${first.command} and ${r.command})` });
    if (r.profile !== first.profile) throw ccError('CC_ERR_REPORT_MERGE', { reason: `profiles differ (${first.profile} and ${r.profile})` });
  }
  const startedAt = reports.map((r) => r.startedAt).sort()[0] ?? first.startedAt;
  const finishedAt = reports.map((r) => r.finishedAt).sort().at(-1) ?? first.finishedAt;
  const cases = mergeCases(reports.flatMap((r) => r.cases));
  const load = mergeLoad(reports.map((r) => r.load).filter((l): l is LoadResult => l !== undefined));
  const expressions = new Map<string, ThresholdResult>();
  for (const t of reports.flatMap((r) => r.thresholds ?? [])) expressions.set(`${t.source}\u0000${t.expression}`, t);
  // With merged metrics, re-evaluate; without any (a conformance run), a threshold passes only if it passed everywhere.
  const recorded = [...expressions.values()];
  const thresholds = load
    ? reevaluateThresholds(recorded, load)
    : recorded.map((t) => ({ ...t, passed: reports.every((r) => (r.thresholds ?? []).every((x) => x.expression !== t.expression || x.passed)) }));
  const shapes = mergeShapes(reports);
  const shards = reports.flatMap((r, i) => r.shards ?? [{ index: i, count: reports.length }]).sort((a, b) => a.index - b.index);
  const merged: RunReport = {
    reportVersion: REPORT_VERSION,
    tool: first.tool,
    command: first.command,
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)) || Math.max(...reports.map((r) => r.durationMs)),
    target: first.target,
    profile: first.profile,
    options: first.options,
    summary: mergedSummary(reports, summariseRun(cases, thresholds, { strict: first.options.strict === true, shapes })),
    cases,
    shards,
  };
  const rootCauses = rootCausesOf(cases, { target: first.target.url });
  if (rootCauses.length) merged.rootCauses = rootCauses;
  if (reports.some((r) => r.shapes)) merged.shapes = shapes;
  if (load) merged.load = load;
  if (thresholds.length) merged.thresholds = thresholds;
  const capacity = mergeCapacity(reports.map((r) => r.capacity).filter((c): c is CapacityResult => c !== undefined));
  if (capacity) merged.capacity = capacity;
  const generator = mergeGenerator(reports.map((r) => r.generator).filter((g): g is GeneratorHealth => g !== undefined));
  if (generator) merged.generator = generator;
  const coverage = mergeCoverage(reports);
  if (coverage) merged.coverage = coverage;
  return merged;
}

/** The first message of each error code over slices or shards (the first slice's wins), or nothing. */
export function errorSamplesOf(parts: readonly (Record<string, string> | undefined)[]): { errorSamples?: Record<string, string> } {
  const samples: Record<string, string> = {};
  for (const p of parts) for (const [code, text] of Object.entries(p ?? {})) samples[code] ??= text;
  return Object.keys(samples).length ? { errorSamples: samples } : {};
}

/** A shard cut short (Ctrl-C) leaves the merged run incomplete too, with its exit code. */
function mergedSummary(reports: readonly RunReport[], summary: RunReport['summary']): RunReport['summary'] {
  const cut = reports.filter((r) => r.summary.incomplete !== undefined);
  if (!cut.length) return summary;
  const first = cut[0] as RunReport;
  return { ...summary, exitCode: first.summary.exitCode, incomplete: `${cut.length} of ${reports.length} shards incomplete: ${first.summary.incomplete as string}` };
}

/** By id; a case present in several shards keeps its worst result. */
function mergeCases(all: CaseResult[]): CaseResult[] {
  const byId = new Map<string, CaseResult>();
  for (const c of all) {
    const seen = byId.get(c.id);
    if (!seen || verdictRank(c.verdict) < verdictRank(seen.verdict)) byId.set(c.id, c);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function mergeShapes(reports: readonly RunReport[]): ShapeFinding[] {
  const collector = new ShapeCollector();
  for (const shape of reports.flatMap((r) => r.shapes ?? [])) collector.addShape(shape);
  return collector.result();
}

function sumInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + v;
}

function mergeLoad(loads: LoadResult[]): LoadResult | undefined {
  if (!loads.length) return undefined;
  const names = [...new Set(loads.flatMap((l) => Object.keys(l.histograms)))].sort();
  const histograms: Record<string, HistogramSummary> = {};
  for (const name of names) {
    const parts = loads.map((l) => l.histograms[name]).filter((h): h is HistogramSummary => h !== undefined);
    const units = new Set(parts.map((p) => p.unit));
    if (units.size > 1) throw ccError('CC_ERR_REPORT_MERGE', { reason: `histogram ${name} has different units (${[...units].join(', ')})` });
    const merged = mergeSummaries(parts);
    if (merged) histograms[name] = merged;
  }
  const counters: Record<string, number> = {};
  for (const l of loads) sumInto(counters, l.counters);
  const out: LoadResult = {
    clients: loads.reduce((s, l) => s + l.clients, 0),
    durationMs: Math.max(...loads.map((l) => l.durationMs)),
    histograms,
    counters: Object.fromEntries(Object.entries(counters).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  if (loads.some((l) => l.delivery)) out.delivery = mergeDeliveryRows(loads.flatMap((l) => l.delivery ?? []));
  Object.assign(out, errorSamplesOf(loads.map((l) => l.errorSamples)));
  if (loads.some((l) => l.schemaViolations)) {
    const v = mergeViolations(loads.map((l) => l.schemaViolations ?? []));
    out.schemaViolations = v.violations;
    const omitted = v.omitted + loads.reduce((s, l) => s + (l.schemaViolationsOmitted ?? 0), 0);
    if (omitted) out.schemaViolationsOmitted = omitted;
  }
  if (loads.some((l) => l.series)) {
    const points = new Map<number, NonNullable<LoadResult['series']>[number]>();
    for (const p of loads.flatMap((l) => l.series ?? [])) {
      const q = points.get(p.t);
      if (!q) points.set(p.t, { ...p });
      else {
        q.sent += p.sent;
        q.received += p.received;
        q.connected += p.connected;
        q.p50 = Math.max(q.p50, p.p50);
        q.p99 = Math.max(q.p99, p.p99);
      }
    }
    out.series = [...points.values()].sort((a, b) => a.t - b.t);
  }
  return out;
}

function mergeCapacity(parts: CapacityResult[]): CapacityResult | undefined {
  const first = parts[0];
  if (!first) return undefined;
  const byLoad = new Map<number, CapacityStep>();
  for (const s of parts.flatMap((p) => p.steps)) {
    const m = byLoad.get(s.load);
    if (!m) byLoad.set(s.load, { ...s, broken: [...s.broken] });
    else {
      m.throughput += s.throughput;
      m.p50Ms = Math.max(m.p50Ms, s.p50Ms);
      m.p99Ms = Math.max(m.p99Ms, s.p99Ms);
      m.sloPassed &&= s.sloPassed;
      m.generatorSaturated ||= s.generatorSaturated;
      m.broken = [...new Set([...m.broken, ...s.broken])];
    }
  }
  const steps = [...byLoad.values()].sort((a, b) => a.load - b.load);
  const firstBroken = steps.find((s) => !s.sloPassed)?.load ?? null;
  const passing = steps.filter((s) => s.sloPassed && (firstBroken === null || s.load < firstBroken));
  const out: CapacityResult = { vary: first.vary, steps, knee: passing.at(-1)?.load ?? null, firstBroken };
  const factor = parts.find((p) => p.limitingFactor)?.limitingFactor;
  if (factor) out.limitingFactor = factor;
  return out;
}

function mergeGenerator(parts: GeneratorHealth[]): GeneratorHealth | undefined {
  if (!parts.length) return undefined;
  const reasons = parts.map((p) => p.reason).filter((r): r is string => r !== undefined);
  const out: GeneratorHealth = {
    eventLoopLagP99Ms: Math.max(...parts.map((p) => p.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(...parts.map((p) => p.eventLoopLagMaxMs)),
    cpuPercent: Math.max(...parts.map((p) => p.cpuPercent)),
    saturated: parts.some((p) => p.saturated),
  };
  if (reasons.length) out.reason = [...new Set(reasons)].join('; ');
  return out;
}

function mergeCoverage(reports: readonly RunReport[]): RunReport['coverage'] {
  const parts = reports.map((r) => r.coverage).filter((c): c is NonNullable<RunReport['coverage']> => c !== undefined);
  if (!parts.length) return undefined;
  const messages = new Map<string, { id: string; sent: number; received: number }>();
  for (const m of parts.flatMap((p) => p.messages)) {
    const x = messages.get(m.id);
    if (!x) messages.set(m.id, { ...m });
    else {
      x.sent += m.sent;
      x.received += m.received;
    }
  }
  const out: NonNullable<RunReport['coverage']> = { messages: [...messages.values()], unmatched: parts.reduce((s, p) => s + p.unmatched, 0) };
  if (parts.some((p) => p.operations)) {
    const ops = new Map<string, { id: string; count: number }>();
    for (const o of parts.flatMap((p) => p.operations ?? [])) {
      const x = ops.get(o.id);
      if (!x) ops.set(o.id, { ...o });
      else x.count += o.count;
    }
    out.operations = [...ops.values()];
  }
  const samples = parts.flatMap((p) => p.unmatchedSamples ?? []);
  if (samples.length) out.unmatchedSamples = [...new Set(samples)].slice(0, 10);
  return out;
}
