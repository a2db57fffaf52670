import type { RunReport, ShapeFinding, Verdict } from './model.js';
import { textTable } from '../util/text-table.js';
import { verdictRank } from './run-summary.js';

/**
 * BASE against HEAD: percentile deltas per latency metric, verdict changes per case, thresholds
 * that stopped passing and the capacity knee. Runs of the same build differ by noise, so a
 * percentile counts as a regression only when its growth is beyond both a relative band
 * (`maxRegression`, default 10%) and an absolute floor (`minChangeMs`, default 2 ms: on loopback a
 * sub-millisecond latency moves by 20% and more between two runs of the same build), and only when
 * both runs have enough values above it to place it (`minTailSamples`, default 10: a p99 of 200
 * values is the second largest; `max` is one value and never counts). A verdict that got worse (or
 * a new case that fails), a threshold that passed in BASE and fails in HEAD, a message shape that
 * got worse (or a new one that fails), and a knee that moved down by more than the band and more
 * than one step are regressions too. Either report may be version 1.
 */

export const COMPARED_STATS = ['p50', 'p90', 'p99', 'p999', 'max'] as const;
export type ComparedStat = (typeof COMPARED_STATS)[number];

export interface MetricDelta {
  metric: string;
  stat: ComparedStat;
  /** In ms for latencies (µs histograms), else the histogram's unit. */
  base: number;
  head: number;
  /** (head - base) / base; null when base is 0. */
  change: number | null;
  regression: boolean;
  /** False when either run has too few values above this statistic for it to count (`max`: never). */
  judged: boolean;
}

export interface VerdictChange {
  id: string;
  title: string;
  base: Verdict | null;
  head: Verdict | null;
  worse: boolean;
}

/** A message shape (profile, direction, message, pointer, code, source) whose verdict changed. */
export interface ShapeChange {
  shape: string;
  base: Verdict | null;
  head: Verdict | null;
  worse: boolean;
}

export interface ReportComparison {
  metrics: MetricDelta[];
  verdicts: VerdictChange[];
  shapes: ShapeChange[];
  thresholds: { expression: string; base: boolean | null; head: boolean | null; worse: boolean }[];
  knee: { base: number | null; head: number | null; regression: boolean } | null;
  regressions: number;
  /** Requested metrics that match no histogram the two reports share (a typo must not pass silently). */
  unknownMetrics: string[];
  /** Histograms the two reports share. */
  sharedMetrics: string[];
}

export const DEFAULT_MAX_REGRESSION = 0.1;
export const DEFAULT_MIN_CHANGE_MS = 2;
export const DEFAULT_MIN_TAIL_SAMPLES = 10;

/** The share of values above each statistic: a statistic rests on count × share values. */
const TAIL: Record<ComparedStat, number> = { p50: 0.5, p90: 0.1, p99: 0.01, p999: 0.001, max: 0 };

export interface CompareOptions {
  /** The relative noise band: growth of a percentile allowed, as a fraction; default 0.1 (10%). */
  maxRegression?: number;
  /** The absolute floor for latencies, ms: growth below it is noise; default 2. */
  minChangeMs?: number;
  /** Values a run must have above a statistic for it to count; default 10 (so `max` never does). */
  minTailSamples?: number;
  /** Only these metrics: a histogram name (`reply`) or one statistic (`reply.p99`). Default: all. */
  metrics?: readonly string[];
}

function selected(metrics: readonly string[] | undefined, name: string, stat: string): boolean {
  if (!metrics || metrics.length === 0) return true;
  return metrics.includes(name) || metrics.includes(`${name}.${stat}`) || (stat === 'p999' && metrics.includes(`${name}.p99.9`));
}

export function compareReports(base: RunReport, head: RunReport, options: CompareOptions = {}): ReportComparison {
  const bound = options.maxRegression ?? DEFAULT_MAX_REGRESSION;
  const floorMs = options.minChangeMs ?? DEFAULT_MIN_CHANGE_MS;
  const tail = options.minTailSamples ?? DEFAULT_MIN_TAIL_SAMPLES;
  const metrics: MetricDelta[] = [];
  const bh = base.load?.histograms ?? {};
  const hh = head.load?.histograms ?? {};
  for (const name of Object.keys(bh).filter((n) => n in hh).sort()) {
    const b = bh[name];
    const h = hh[name];
    if (!b || !h || b.count === 0 || h.count === 0) continue;
    const scale = b.unit === 'us' ? 1000 : 1;
    const floor = b.unit === 'us' || b.unit === 'ms' ? floorMs : 0;
    for (const stat of COMPARED_STATS) {
      if (!selected(options.metrics, name, stat)) continue;
      const bv = b[stat] / scale;
      const hv = h[stat] / scale;
      const change = bv === 0 ? null : (hv - bv) / bv;
      const judged = Math.min(b.count, h.count) * TAIL[stat] >= tail;
      metrics.push({ metric: name, stat, base: bv, head: hv, change, judged, regression: judged && change !== null && change > bound && hv - bv > floor });
    }
  }
  const verdicts: VerdictChange[] = [];
  const baseCases = new Map(base.cases.map((c) => [c.id, c]));
  const headCases = new Map(head.cases.map((c) => [c.id, c]));
  for (const id of [...new Set([...baseCases.keys(), ...headCases.keys()])].sort()) {
    const b = baseCases.get(id);
    const h = headCases.get(id);
    if (b && h && b.verdict === h.verdict) continue;
    const worse = h !== undefined && (b ? verdictRank(h.verdict) < verdictRank(b.verdict) : h.verdict === 'FAIL' || h.verdict === 'ERROR');
    verdicts.push({ id, title: (h ?? b)?.title ?? id, base: b?.verdict ?? null, head: h?.verdict ?? null, worse });
  }
  const shapes: ShapeChange[] = [];
  const bs = new Map((base.shapes ?? []).map((x) => [shapeName(x), x.verdict]));
  const hs = new Map((head.shapes ?? []).map((x) => [shapeName(x), x.verdict]));
  for (const shape of [...new Set([...bs.keys(), ...hs.keys()])].sort()) {
    const b = bs.get(shape) ?? null;
    const h = hs.get(shape) ?? null;
    if (b === h) continue;
    const worse = h !== null && (b !== null ? verdictRank(h) < verdictRank(b) : h === 'FAIL' || h === 'ERROR');
    shapes.push({ shape, base: b, head: h, worse });
  }
  const thresholds: ReportComparison['thresholds'] = [];
  const bt = new Map((base.thresholds ?? []).map((t) => [t.expression, t.passed]));
  const ht = new Map((head.thresholds ?? []).map((t) => [t.expression, t.passed]));
  for (const expression of [...new Set([...bt.keys(), ...ht.keys()])].sort()) {
    const b = bt.get(expression) ?? null;
    const h = ht.get(expression) ?? null;
    if (b === h) continue;
    thresholds.push({ expression, base: b, head: h, worse: h === false && b !== false });
  }
  let knee: ReportComparison['knee'] = null;
  if (base.capacity || head.capacity) {
    // The figure of a run: its knee, or how far it held when nothing broke. A knee is only known to
    // the step (or the binary search's resolution), so a move of one step is no regression.
    const figure = (r: RunReport): number | null => r.capacity?.knee ?? r.capacity?.heldUpTo ?? null;
    const b = figure(base);
    const h = figure(head);
    const grain = Number(base.options.step ?? base.options.resolution ?? 0) || 0;
    knee = { base: b, head: h, regression: b !== null && (h === null || ((b - h) / b > bound && b - h > grain)) };
  }
  const shared = Object.keys(bh).filter((n) => n in hh).sort();
  const unknownMetrics = (options.metrics ?? []).filter((m) => !shared.some((n) => m === n || m.startsWith(`${n}.`)));
  const regressions = metrics.filter((m) => m.regression).length + verdicts.filter((v) => v.worse).length + shapes.filter((x) => x.worse).length + thresholds.filter((t) => t.worse).length + (knee?.regression ? 1 : 0);
  return { metrics, verdicts, shapes, thresholds, knee, regressions, unknownMetrics, sharedMetrics: shared };
}

/** A shape as one line: `assa server SEND_MESSAGE_RESPONSE /data/seq_id CC_SCHEMA_INVALID (seed)`. */
export function shapeName(s: ShapeFinding): string {
  return `${s.profile} ${s.direction} ${s.message} ${s.pointer} ${s.code} (${s.source.kind}${s.source.rule ? ` ${s.source.rule}` : ''})`;
}

function pct(change: number | null): string {
  if (change === null) return 'n/a';
  const sign = change > 0 ? '+' : '';
  return `${sign}${(change * 100).toFixed(1)}%`;
}

function num(v: number): string {
  return v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : String(Math.round(v));
}

/** The comparison as a readable text table. */
export function formatComparison(c: ReportComparison, options: CompareOptions = {}): string {
  const bound = options.maxRegression ?? DEFAULT_MAX_REGRESSION;
  const floorMs = options.minChangeMs ?? DEFAULT_MIN_CHANGE_MS;
  const lines: string[] = [];
  if (c.metrics.length) {
    lines.push('Latency (ms):');
    const rows = [['metric', 'stat', 'base', 'head', 'change', '']];
    for (const m of c.metrics) {
      const note = m.regression ? `REGRESSION (> ${(bound * 100).toFixed(1)}% and > ${floorMs}ms)` : m.judged ? '' : 'not judged: too few values above it';
      rows.push([m.metric, m.stat === 'p999' ? 'p99.9' : m.stat, num(m.base), num(m.head), pct(m.change), note]);
    }
    lines.push(...textTable(rows, 2).map((l) => `  ${l}`));
  }
  if (c.verdicts.length) {
    lines.push('', 'Verdict changes:');
    const rows = [['case', 'title', 'base', 'head', '']];
    for (const v of c.verdicts) rows.push([v.id, v.title.length > 48 ? `${v.title.slice(0, 45)}...` : v.title, v.base ?? '(absent)', v.head ?? '(absent)', v.worse ? 'WORSE' : v.head === null ? 'removed' : 'better']);
    lines.push(...textTable(rows, 2).map((l) => `  ${l}`));
  }
  if (c.shapes.length) {
    lines.push('', 'Message-shape changes:');
    for (const x of c.shapes) lines.push(`  ${x.shape}: ${x.base ?? '(absent)'} -> ${x.head ?? '(absent)'}${x.worse ? '  WORSE' : ''}`);
  }
  if (c.thresholds.length) {
    lines.push('', 'Threshold changes:');
    for (const t of c.thresholds) lines.push(`  ${t.expression}: ${t.base === null ? 'absent' : t.base ? 'pass' : 'FAIL'} -> ${t.head === null ? 'absent' : t.head ? 'pass' : 'FAIL'}${t.worse ? '  WORSE' : ''}`);
  }
  if (c.knee) lines.push('', `Capacity (knee, or how far it held): ${c.knee.base ?? 'none'} -> ${c.knee.head ?? 'none'}${c.knee.regression ? '  REGRESSION' : ''}`);
  if (!lines.length) lines.push('Nothing to compare: no common metrics and no verdict changes.');
  lines.push('', c.regressions === 0 ? 'No regressions.' : `${c.regressions} regression${c.regressions === 1 ? '' : 's'}.`);
  return lines.join('\n');
}
