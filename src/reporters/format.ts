import type { CaseResult, HistogramSummary, RunReport, TranscriptEntry, Verdict } from '../report/model.js';
import { formatDuration } from '../util/duration.js';

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
  const parts = (['PASS', 'NON-STRICT', 'INFORMATIONAL', 'FAIL', 'ERROR'] as const).filter((v) => s.byVerdict[v] > 0).map((v) => `${s.byVerdict[v]} ${v}`);
  const items: string[] = [];
  if (s.total > 0 || report.command === 'run') items.push(`${s.total} case${s.total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`);
  if (report.thresholds?.length) items.push(`thresholds ${report.thresholds.length - s.thresholdsFailed}/${report.thresholds.length} passed`);
  items.push(formatDuration(report.durationMs), `exit ${s.exitCode}`);
  return items.join('; ');
}

/**
 * A threshold's actual value as a person reads it: latency statistics (held in µs) in ms,
 * rates in percent, counters as numbers.
 */
export function formatThresholdActual(report: RunReport, metric: string, actual: number | null): string {
  if (actual === null) return 'no such metric';
  const normalised = metric.replace(/\.p99\.9$/, '.p999');
  const dot = normalised.lastIndexOf('.');
  const histogram = report.load?.histograms[normalised.slice(0, dot)];
  const stat = normalised.slice(dot + 1);
  if (histogram && ['p50', 'p90', 'p99', 'p999', 'max', 'min', 'mean'].includes(stat)) return formatMetric(actual, histogram.unit);
  if (stat === 'rate') return `${Math.round(actual * 1000) / 1000}%`;
  return formatCount(actual);
}
