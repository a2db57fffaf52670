import { compactIds, foldKey } from '../report/fold.js';
import { VERDICT_ORDER, type CapacityResult, type CaseResult, type CaseTraffic, type DeliveryRow, type Finding, type HistogramSummary, type RunReport, type SchemaViolation, type ShapeFinding, type ThresholdResult, type TranscriptEntry, type Verdict } from '../report/model.js';
import { effectiveVerdict } from '../report/run-summary.js';
import { formatDuration } from '../util/duration.js';
import { escapeControl } from './escape.js';

/** Small formatting helpers shared by the text reporters (console, markdown, junit, html). */

export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${ms.toFixed(1)}ms`;
  return formatDuration(ms);
}

/** A histogram value in its unit: latencies (µs) shown in ms. */
export function formatMetric(value: number, unit: HistogramSummary['unit']): string {
  switch (unit) {
    case 'us': return formatMs(value / 1000);
    case 'ms': return formatMs(value);
    case 'bytes': return `${Math.round(value)} B`;
    case 'count': return String(Math.round(value * 100) / 100);
  }
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(Math.round(n * 1000) / 1000);
}

/** Evidence values as compact JSON (undefined shown as such). */
export function inlineJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

export const PERCENTILE_COLUMNS = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
] as const;

export function isFailing(verdict: Verdict, strict: boolean): boolean {
  return verdict === 'FAIL' || verdict === 'ERROR' || (strict && verdict === 'NON-STRICT');
}

/** Whether a case fails the run: by its verdict, or a NOT-ASSESSED one by its blocking finding's. */
export function caseFails(result: CaseResult, strict: boolean): boolean {
  return isFailing(effectiveVerdict(result), strict);
}

/**
 * Where a finding's rule comes from, when it is not the seed, and what it would be without the
 * cap: `reading assa.D12.closed-rooms; FAIL under --decisions enforce`. Empty for the seed.
 */
export function findingSourceNote(f: Finding): string {
  const src = f.source;
  if (!src || src.kind === 'seed') return f.cappedFrom ? `capped from ${f.cappedFrom}` : '';
  const what = `${src.kind}${src.rule ? ` ${src.rule}` : ''}`;
  if (!f.cappedFrom) return what;
  // --decisions enforce lifts the cap of a decision, never the leniency of the seed's silence.
  return src.kind === 'lenient' ? `${what}; capped from ${f.cappedFrom}` : `${what}; ${f.cappedFrom} under --decisions enforce`;
}

/** A finding's verdict with its source note: `NON-STRICT (reading assa.D12.closed-rooms; FAIL under --decisions enforce)`. */
export function findingVerdictText(f: Finding): string {
  const note = findingSourceNote(f);
  return note ? `${f.verdict} (${note})` : f.verdict;
}

/** A case's source: `seed`, or the decision's class and id (`choice assa.D5.close-codes`). */
export function caseSourceText(result: CaseResult): string {
  const src = result.source;
  if (!src || src.kind === 'seed') return 'seed';
  return `${src.kind}${src.decision ? ` ${src.decision}` : ''}`;
}

/**
 * What the case line says of a case's source, when it is not the seed: the deciding finding's
 * note (with what --decisions enforce would make it), else the case's decision.
 */
export function caseSourceNote(result: CaseResult): string {
  const decided = result.decidedBy;
  if (decided?.source && decided.source.kind !== 'seed') return findingSourceNote(decided);
  const source = caseSourceText(result);
  return source === 'seed' ? '' : source;
}

/** `blocked at CONNECT (setup[0].connect, line 5)`. */
export function blockedText(result: CaseResult): string {
  const b = result.blockedBy;
  if (!b) return 'blocked (the report does not say where)';
  return `blocked at ${b.label} (${b.path}${b.line !== undefined ? `, line ${b.line}` : ''})`;
}

/** `2 connections, 0 bytes in, 180 bytes out`. */
export function trafficText(t: CaseTraffic): string {
  const plural = (n: number, word: string): string => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(t.connections, 'connection')}, ${plural(t.bytesIn, 'byte')} in, ${plural(t.bytesOut, 'byte')} out`;
}

/** A shape's source: `seed`, `lenient optional-null`, `reading assa.D12.closed-rooms`. */
export function shapeSourceText(s: ShapeFinding): string {
  return `${s.source.kind}${s.source.rule ? ` ${s.source.rule}` : ''}`;
}

/** `×120, seen in 15 cases` (a shape's count and spread). */
export function shapeCountText(s: ShapeFinding): string {
  return `×${formatCount(s.count)}, seen in ${formatCount(s.caseCount)} case${s.caseCount === 1 ? '' : 's'}`;
}

/** Failing cases whose non-PASS findings (and blocking step) say the same, grouped: one group per distinct story. */
export interface FailureGroup {
  /** The first case of the group: its findings, evidence and transcript stand for all. */
  first: CaseResult;
  cases: CaseResult[];
}

/**
 * The failing cases, folded: cases whose findings are the same once their own names are set
 * aside (src/report/fold.ts) form one group, in the order their first case ran.
 */
export function foldFailures(cases: readonly CaseResult[], strict: boolean): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const c of cases) {
    if (!caseFails(c, strict)) continue;
    const keys = shownFindings(c).map((f) => foldKey(f, c.id));
    if (c.blockedBy) keys.unshift(c.blockedBy.label, foldKey(c.blockedBy.finding, c.id));
    const key = [c.verdict, ...keys].join('\u0001');
    const group = groups.get(key);
    if (group) group.cases.push(c);
    else groups.set(key, { first: c, cases: [c] });
  }
  return [...groups.values()];
}

/** The findings worth showing for a case: all but PASS, without the blocking one (shown as such). */
export function shownFindings(result: CaseResult): Finding[] {
  const all = result.findings.length ? result.findings : result.decidedBy ? [result.decidedBy] : [];
  const blocking = result.blockedBy?.finding;
  return all.filter((f) => f.verdict !== 'PASS' && !(blocking && f.code === blocking.code && f.message === blocking.message && f.step?.path === blocking.step?.path));
}

/** The ids of a group's cases, compactly. */
export function groupIds(group: FailureGroup, limit?: number): string {
  return compactIds(group.cases.map((c) => c.id), limit);
}

/** What a group's cases carried together; undefined when a case has no figures. */
export function groupTraffic(group: FailureGroup): CaseTraffic | undefined {
  if (!group.cases.every((c) => c.traffic)) return undefined;
  const sum = { connections: 0, bytesIn: 0, bytesOut: 0 };
  for (const c of group.cases) {
    const t = c.traffic as CaseTraffic;
    sum.connections += t.connections;
    sum.bytesIn += t.bytesIn;
    sum.bytesOut += t.bytesOut;
  }
  return sum;
}

/** Whether the run was strict (NON-STRICT counts as failing), from its recorded options. */
export function isStrict(report: RunReport): boolean {
  return report.options.strict === true;
}

/** The transcript index the deciding finding points at, if any. */
export function failingIndex(result: CaseResult): number | undefined {
  return result.decidedBy?.evidence?.transcriptIndex ?? result.findings.find((f) => f.evidence?.transcriptIndex !== undefined)?.evidence?.transcriptIndex;
}

/**
 * The part of a transcript worth showing for a failure: `before` entries ahead of the failing one
 * and `after` behind it, or the last entries when no finding points into the transcript.
 */
export function transcriptWindow(result: CaseResult, before = 3, after = 1): { index: number; entry: TranscriptEntry }[] {
  const t = result.transcript;
  const at = failingIndex(result);
  const from = at === undefined ? Math.max(0, t.length - before - 1) : Math.max(0, at - before);
  const to = at === undefined ? t.length : Math.min(t.length, at + after + 1);
  const out: { index: number; entry: TranscriptEntry }[] = [];
  for (let i = from; i < to; i++) out.push({ index: i, entry: t[i] as TranscriptEntry });
  return out;
}

/** One transcript line without escaping: `  9.7ms alice <- SEND_MESSAGE_RESPONSE {...}`. */
export function transcriptLine(entry: TranscriptEntry): string {
  const arrow = entry.direction === 'out' ? '->' : '<-';
  const name = entry.message ?? entry.event ?? '';
  const text = entry.text + (entry.truncated ? ' [truncated]' : '');
  return `${entry.at.toFixed(1).padStart(7)}ms ${entry.client} ${arrow} ${name}${text ? ` ${text}` : ''}`;
}

/** Where a case lives: file:line when known. */
export function caseLocation(result: CaseResult): string | undefined {
  if (!result.file) return undefined;
  return result.line !== undefined ? `${result.file}:${result.line}` : result.file;
}

export function summaryLine(report: RunReport): string {
  const s = report.summary;
  const parts = (['PASS', 'NON-STRICT', 'INFORMATIONAL', 'NOT-ASSESSED', 'FAIL', 'ERROR'] as const).filter((v) => (s.byVerdict[v] ?? 0) > 0).map((v) => `${s.byVerdict[v]} ${v}`);
  const items: string[] = [];
  if (s.total > 0 || report.command === 'run') items.push(`${s.total} case${s.total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`);
  const causes = report.rootCauses?.length ?? 0;
  if (causes > 0) items.push(`${causes} root cause${causes === 1 ? '' : 's'}`);
  const shapes = report.shapes ?? [];
  if (shapes.length > 0) {
    const counts = VERDICT_ORDER.map((v) => [v, shapes.filter((x) => x.verdict === v).length] as const).filter(([, n]) => n > 0);
    items.push(`${shapes.length} message shape${shapes.length === 1 ? '' : 's'} (${counts.map(([v, n]) => `${n} ${v}`).join(', ')})`);
  }
  if (report.thresholds?.length) items.push(`thresholds ${report.thresholds.length - s.thresholdsFailed}/${report.thresholds.length} passed`);
  items.push(formatDuration(report.durationMs), `exit ${s.exitCode}`);
  return items.join('; ');
}

const UNIT_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };

/**
 * A threshold's actual value as a person reads it: in the unit its bound was written in (3325 µs
 * against `reply.p99<100ms` is `3.325ms`), rates in percent, counts as numbers; null is "no data".
 * Reports written before thresholds kept their unit show latencies in ms.
 */
export function formatThresholdActual(t: Pick<ThresholdResult, 'metric' | 'actual' | 'unit'>, report?: RunReport): string {
  const actual = t.actual;
  if (actual === null) return 'no data';
  // Two decimals from 1 up (198.02ms), three significant digits below (0.0123%).
  const round = (x: number): string => String(Math.abs(x) >= 1 ? Math.round(x * 100) / 100 : Number(x.toPrecision(3)));
  const unit = t.unit ?? (t.metric.endsWith('.rate') ? '%' : undefined);
  if (unit === '%') return `${round(actual)}%`;
  if (unit !== undefined && unit !== '') return `${round(actual / (UNIT_US[unit] as number))}${unit}`;
  if (unit === '') return formatCount(actual);
  const normalised = t.metric.replace(/\.p99\.9$/, '.p999');
  const dot = normalised.lastIndexOf('.');
  const histogram = report?.load?.histograms[normalised.slice(0, dot)];
  if (histogram && ['p50', 'p90', 'p99', 'p999', 'max', 'min', 'mean'].includes(normalised.slice(dot + 1))) return formatMetric(actual, histogram.unit);
  return formatCount(actual);
}

/**
 * Connections and reconnections in one sentence, from the counters, the same wherever it is shown
 * (console, Markdown, HTML) so the figures agree: `connections: 1,000 opened, 0 attempts failed;
 * drops 600; reconnections: 600 attempted, 590 succeeded, 10 gave up`.
 */
export function connectionsLine(counters: Record<string, number>): string {
  const n = (k: string): string => formatCount(counters[k] ?? 0);
  return `connections: ${n('connections.opened')} opened, ${n('connect.errors')} attempts failed; drops ${n('drops')}; reconnections: ${n('reconnect.attempts')} attempted, ${n('reconnects')} succeeded, ${n('reconnect.failed')} gave up`;
}

/** A capacity run's result in one sentence (reports written before it was stored: rebuilt from the knee). */
export function capacityConclusionText(c: CapacityResult): string {
  return c.conclusion ?? `knee: ${c.knee ?? 'not found'}; first broken: ${c.firstBroken ?? 'none'}${c.limitingFactor ? `; limited by ${c.limitingFactor}` : ''}`;
}

/** The reference server's result beside the target's: its knee, or how far it held. */
export function baselineText(c: CapacityResult): string {
  return c.baselineKnee != null ? `knee ${c.baselineKnee}` : c.baselineHeldUpTo !== undefined ? `no knee up to ${c.baselineHeldUpTo}` : 'not found';
}

/** A room whose delivery figures show a server fault (what the delivery tables list). */
export function deliveryProblem(d: DeliveryRow): boolean {
  return d.lost > 0 || d.duplicated > 0 || d.reordered > 0 || (d.leaked ?? 0) > 0 || (d.selfMissing ?? 0) > 0;
}

/** Where a load run's schema violation comes from, with the rule beside a source other than the seed: `reading assa.D7.replies`. */
export function violationSourceText(v: Pick<SchemaViolation, 'source' | 'rule'>): string {
  return v.rule ? `${v.source} ${v.rule}` : v.source;
}

/** Kinds of schema violation shown in the console; the report lists them all (up to its cap). */
const CONSOLE_VIOLATIONS = 10;

/** The schema evidence: counts by class, then each kind with its first sample. */
export function violationLines(report: RunReport): string[] {
  const list = report.load?.schemaViolations ?? [];
  if (!list.length) return [];
  const c = report.load?.counters ?? {};
  const lines = [`  schema: ${c['schema.violations'] ?? 0} messages FAIL (counted in schema.violations); ${c['schema.non_strict'] ?? 0} NON-STRICT and ${c['schema.informational'] ?? 0} INFORMATIONAL, listed apart`];
  for (const v of list.slice(0, CONSOLE_VIOLATIONS)) {
    lines.push(`    ${v.class} ${escapeControl(v.message)} ${escapeControl(v.pointer || '/')} ×${v.count}: expected ${escapeControl(v.expected)}, actual ${escapeControl(v.actual)} (${escapeControl(violationSourceText(v))})`);
    lines.push(`      first: ${escapeControl(v.sample.text)}${v.sample.truncated ? ' [cut at 500 bytes]' : ''}`);
  }
  const more = list.length - CONSOLE_VIOLATIONS;
  if (more > 0) lines.push(`    ... ${more} more kinds in the report`);
  if (report.load?.schemaViolationsOmitted) lines.push(`    ... and ${report.load.schemaViolationsOmitted} violations of further kinds, counted but not listed`);
  return lines;
}
