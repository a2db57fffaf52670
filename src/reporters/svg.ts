import type { JsHistogram } from 'hdr-histogram-js';
import { decodeHistogram } from '../metrics/store.js';
import type { CapacityResult, HistogramSummary, LoadResult } from '../report/model.js';
import { escapeHtml } from './escape.js';

/**
 * Inline SVG charts for the HTML report, drawn here so the report needs no chart library and
 * no network: a latency-by-percentile plot, a latency histogram, a time series and the capacity
 * curve. Every label goes through escapeHtml.
 */

const W = 720;
const H = 300;
const M = { left: 60, right: 60, top: 20, bottom: 44 };
const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function num(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

function label(v: number): string {
  if (v >= 1000) return `${num(v / 1000)}k`;
  return v >= 10 ? String(Math.round(v)) : num(v);
}

function frame(title: string, inner: string, testId: string): string {
  return `<svg class="chart" data-chart="${testId}" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${inner}</svg>`;
}

function yAxis(max: number, unit: string, side: 'left' | 'right' = 'left'): string {
  const x = side === 'left' ? M.left : W - M.right;
  let out = `<line x1="${x}" y1="${M.top}" x2="${x}" y2="${H - M.bottom}" class="axis"/>`;
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = H - M.bottom - ((H - M.top - M.bottom) * i) / 4;
    if (side === 'left') out += `<line x1="${M.left}" y1="${num(y)}" x2="${W - M.right}" y2="${num(y)}" class="grid"/>`;
    out += `<text x="${side === 'left' ? x - 6 : x + 6}" y="${num(y + 4)}" text-anchor="${side === 'left' ? 'end' : 'start'}">${escapeHtml(label(v))}</text>`;
  }
  const ty = M.top - 6;
  out += `<text x="${x}" y="${ty}" text-anchor="${side === 'left' ? 'start' : 'end'}" class="unit">${escapeHtml(unit)}</text>`;
  return out;
}

function legend(names: string[], colours: readonly number[] = names.map((_, i) => i)): string {
  return names.map((n, i) => `<g transform="translate(${M.left + 10 + i * 120},${H - 12})"><rect width="12" height="4" y="-4" fill="${PALETTE[(colours[i] ?? i) % PALETTE.length]}"/><text x="16" y="0">${escapeHtml(n)}</text></g>`).join('');
}

/** The x axis: its baseline and labels at given x positions. */
function xAxis(ticks: readonly (readonly [number, string])[]): string {
  let out = `<line x1="${M.left}" y1="${H - M.bottom}" x2="${W - M.right}" y2="${H - M.bottom}" class="axis"/>`;
  for (const [x, text] of ticks) out += `<text x="${num(x)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHtml(text)}</text>`;
  return out;
}

/** A plot with a linear x axis from 0 to xMax and two y axes (left and right), with mappers. */
function dualAxisPlot(xMax: number, xLabel: (v: number) => string, left: { max: number; unit: string }, right: { max: number; unit: string }) {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => [M.left + pw * f, xLabel(xMax * f)] as const);
  return {
    axes: yAxis(left.max, left.unit) + yAxis(right.max, right.unit, 'right') + xAxis(ticks),
    x: (v: number) => M.left + (pw * v) / xMax,
    yLeft: (v: number) => H - M.bottom - (ph * v) / left.max,
    yRight: (v: number) => H - M.bottom - (ph * v) / right.max,
  };
}

function polyline(points: [number, number][], colour: string, dashed = false): string {
  return `<polyline fill="none" stroke="${colour}" stroke-width="2"${dashed ? ' stroke-dasharray="5 4"' : ''} points="${points.map(([x, y]) => `${num(x)},${num(y)}`).join(' ')}"/>`;
}

/** Percentiles on a log axis: x = log10(1/(1-p)), so 90, 99, 99.9, 99.99 are evenly spaced. */
const PERCENTILE_TICKS = [0, 90, 99, 99.9, 99.99];
const PERCENTILE_POINTS = (() => {
  const out: number[] = [];
  for (let x = 0; x <= 4; x += 0.05) out.push(100 * (1 - 10 ** -x));
  return out;
})();

function latencyHistograms(load: LoadResult): [string, HistogramSummary][] {
  return Object.entries(load.histograms).filter(([, h]) => h.unit === 'us' && h.count > 0).sort(([a], [b]) => (a < b ? -1 : 1));
}

export function percentileChart(load: LoadResult): string | null {
  const hs = latencyHistograms(load);
  if (!hs.length) return null;
  const series = hs.map(([name, s]) => {
    const h = decodeHistogram(s.encoded);
    return { name, values: PERCENTILE_POINTS.map((p) => h.getValueAtPercentile(p) / 1000) };
  });
  const max = niceMax(Math.max(...series.flatMap((s) => s.values)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const xOf = (p: number) => M.left + (pw * Math.log10(1 / (1 - Math.min(p, 99.99) / 100))) / 4;
  const yOf = (v: number) => H - M.bottom - (ph * v) / max;
  let inner = yAxis(max, 'ms') + xAxis(PERCENTILE_TICKS.map((t) => [xOf(t), `p${t}`] as const));
  series.forEach((s, i) => {
    inner += polyline(s.values.map((v, j) => [xOf(PERCENTILE_POINTS[j] ?? 0), yOf(v)]), PALETTE[i % PALETTE.length] ?? '#000');
  });
  inner += legend(series.map((s) => s.name));
  return frame('Latency by percentile', inner, 'latency-percentiles');
}

/** Bars over log-spaced latency bins, counts from the HDR buckets (exact per bucket). */
export function histogramChart(name: string, summary: HistogramSummary, bins = 40): string | null {
  if (summary.count === 0) return null;
  const h = decodeHistogram(summary.encoded) as unknown as JsHistogram;
  const lo = Math.max(1, summary.min);
  const hi = Math.max(lo * 1.01, summary.max);
  const counts = new Array<number>(bins).fill(0);
  const span = Math.log(hi / lo);
  for (let i = 0; i < h.countsArrayLength; i++) {
    const c = h.getCountAtIndex(i);
    if (c === 0) continue;
    const v = Math.max(lo, h.valueFromIndex(i));
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((Math.log(v / lo) / span) * bins)));
    counts[bin] = (counts[bin] ?? 0) + c;
  }
  const maxCount = niceMax(Math.max(...counts));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const bw = pw / bins;
  let inner = yAxis(maxCount, 'count') + xAxis([0, Math.floor(bins / 2), bins].map((i) => [M.left + i * bw, `${num((lo * Math.exp((span * i) / bins)) / 1000)} ms`] as const));
  counts.forEach((c, i) => {
    const bh = (ph * c) / maxCount;
    const from = lo * Math.exp((span * i) / bins) / 1000;
    const to = lo * Math.exp((span * (i + 1)) / bins) / 1000;
    inner += `<rect class="bar" x="${num(M.left + i * bw + 1)}" y="${num(H - M.bottom - bh)}" width="${num(Math.max(1, bw - 2))}" height="${num(bh)}"><title>${escapeHtml(`${num(from)}–${num(to)} ms: ${c}`)}</title></rect>`;
  });
  return frame(`Latency histogram: ${name}`, inner, 'latency-histogram');
}

export function seriesChart(load: LoadResult): string | null {
  const s = load.series ?? [];
  if (s.length < 2) return null;
  const tMax = Math.max(...s.map((p) => p.t));
  const plot = dualAxisPlot(tMax, (t) => `${num(t / 1000)} s`, { max: niceMax(Math.max(...s.map((p) => Math.max(p.sent, p.received)))), unit: 'messages / interval' }, { max: niceMax(Math.max(...s.map((p) => p.p99))), unit: 'ms' });
  let inner = plot.axes;
  inner += polyline(s.map((p) => [plot.x(p.t), plot.yLeft(p.sent)]), PALETTE[0] ?? '#000');
  inner += polyline(s.map((p) => [plot.x(p.t), plot.yLeft(p.received)]), PALETTE[2] ?? '#000');
  inner += polyline(s.map((p) => [plot.x(p.t), plot.yRight(p.p50)]), PALETTE[3] ?? '#000', true);
  inner += polyline(s.map((p) => [plot.x(p.t), plot.yRight(p.p99)]), PALETTE[1] ?? '#000', true);
  inner += legend(['sent', 'received', 'p50 (ms)', 'p99 (ms)'], [0, 2, 3, 1]);
  return frame('Throughput and latency over time', inner, 'series');
}

export function capacityChart(c: CapacityResult): string | null {
  if (!c.steps.length) return null;
  const steps = [...c.steps].sort((a, b) => a.load - b.load);
  const plot = dualAxisPlot(niceMax(Math.max(...steps.map((s) => s.load))), label, { max: niceMax(Math.max(...steps.map((s) => s.throughput))), unit: 'throughput / s' }, { max: niceMax(Math.max(...steps.map((s) => s.p99Ms))), unit: 'ms' });
  let inner = plot.axes;
  for (const [value, name, cls] of [[c.knee, 'knee', 'knee'], [c.firstBroken, 'first broken', 'broken']] as const) {
    if (value === null) continue;
    const x = num(plot.x(value));
    inner += `<line x1="${x}" y1="${M.top}" x2="${x}" y2="${H - M.bottom}" class="marker ${cls}"/><text x="${num(plot.x(value) + 4)}" y="${M.top + 12}">${escapeHtml(`${name} ${value}`)}</text>`;
  }
  inner += polyline(steps.map((s) => [plot.x(s.load), plot.yLeft(s.throughput)]), PALETTE[0] ?? '#000');
  inner += polyline(steps.map((s) => [plot.x(s.load), plot.yRight(s.p50Ms)]), PALETTE[1] ?? '#000', true);
  inner += polyline(steps.map((s) => [plot.x(s.load), plot.yRight(s.p99Ms)]), PALETTE[2] ?? '#000', true);
  for (const s of steps) inner += `<circle cx="${num(plot.x(s.load))}" cy="${num(plot.yLeft(s.throughput))}" r="3.5" class="${s.sloPassed ? 'ok' : 'bad'}"><title>${escapeHtml(`${s.load} ${s.unit}: ${s.throughput}/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, SLO ${s.sloPassed ? 'met' : 'missed'}`)}</title></circle>`;
  inner += legend(['throughput', 'p50 (ms)', 'p99 (ms)']);
  // The x unit sits at the right end of the axis: the legend fills the bottom-left row.
  inner += `<text x="${W - M.right}" y="${H - M.bottom + 30}" text-anchor="end" class="unit">${escapeHtml(c.vary === 'clients' ? 'clients' : 'messages / s')}</text>`;
  return frame('Capacity: throughput and latency against load', inner, 'capacity');
}
