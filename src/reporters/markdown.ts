import type { CapacityStep, CaseResult, Finding, RunReport } from '../report/model.js';
import { escapeMarkdownCell, escapeMarkdownFence } from './escape.js';
import { emit } from './json.js';
import {
  baselineText, blockedText, capacityConclusionText, caseLocation, caseSourceNote, caseSourceText, connectionsLine, deliveryProblem, findingVerdictText, foldFailures,
  formatCount, formatMetric, formatMs, formatThresholdActual, groupIds, groupTraffic, inlineJson, isFailing, isStrict, PERCENTILE_COLUMNS, shapeSourceText,
  shownFindings, summaryLine, trafficText, transcriptLine, transcriptWindow, violationSourceText, type FailureGroup,
} from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/**
 * GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY` (and GitLab comments): root causes first,
 * then message shapes, the cases (each with its source; a NOT-ASSESSED one with where it was
 * blocked) and the failures, folded where cases failed alike. GitHub caps a step summary at 1 MiB,
 * so the case table stops at a third of `maxBytes` and failure details at `maxBytes`, each with a
 * note saying how many were left out.
 */

const ICON: Record<string, string> = { PASS: '✅', 'NON-STRICT': '🟡', INFORMATIONAL: 'ℹ️', 'NOT-ASSESSED': '🚧', FAIL: '❌', ERROR: '💥' };
const DEFAULT_MAX_BYTES = 900 * 1024;

const cell = escapeMarkdownCell;

function tableOf(header: string[], rows: string[][], align: ('l' | 'r')[] = []): string[] {
  const sep = header.map((_, i) => (align[i] === 'r' ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function renderMarkdown(report: RunReport, options: { maxBytes?: number } = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const strict = isStrict(report);
  const s = report.summary;
  const ok = s.exitCode === 0;
  const out: string[] = [];
  out.push(`## ${ok ? '✅' : '❌'} chat-conform ${report.command}: ${cell(report.profile)} against ${cell(report.target.embedded ? 'the embedded reference server' : report.target.url)}`);
  out.push('', cell(summaryLine(report)), '');
  if (s.total > 0) {
    out.push(...tableOf(['verdict', 'cases'], (['PASS', 'NON-STRICT', 'INFORMATIONAL', 'NOT-ASSESSED', 'FAIL', 'ERROR'] as const).map((v) => [`${ICON[v]} ${v}`, String(s.byVerdict[v] ?? 0)]), ['l', 'r']));
    out.push('');
  }
  if (report.rootCauses?.length) {
    out.push('### Root causes', '');
    for (const r of report.rootCauses) out.push(`- ${ICON[r.verdict]} ${cell(r.message)} (<code>${cell(r.code)}</code>)`);
    out.push('');
  }
  const shapes = report.shapes ?? [];
  if (shapes.length) {
    out.push(`### Message shapes (${shapes.length})`, '');
    out.push(...tableOf(['verdict', 'message', 'pointer', 'source', 'code', 'seen', 'cases', 'what'], shapes.map((x) => [
      `${ICON[x.verdict]} ${x.verdict}`, `${cell(x.message)} (${x.direction === 'server' ? 'from the server' : 'from a client'})`, `<code>${cell(x.pointer)}</code>`, cell(shapeSourceText(x)),
      `<code>${cell(x.code)}</code>`, formatCount(x.count), formatCount(x.caseCount), cell(x.sample.detail ?? ''),
    ]), ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'l']));
    out.push('');
  }
  if (report.cases.length && report.command === 'run') out.push(...caseTable(report.cases, Math.floor(maxBytes / 3)));
  if (report.thresholds?.length) {
    out.push('### Thresholds', '');
    out.push(...tableOf(['', 'threshold', 'actual', 'source'], report.thresholds.map((t) => [t.passed ? '✅' : '❌', cell(t.expression), formatThresholdActual(t, report), t.source]), ['l', 'l', 'r', 'l']));
    out.push('');
  }
  const load = report.load;
  if (load) {
    out.push(`### Latency (${load.clients} clients, ${formatMs(load.durationMs)})`, '');
    const names = Object.keys(load.histograms).sort();
    out.push(...tableOf(['metric', 'count', ...PERCENTILE_COLUMNS.map(([, l]) => l)], names.map((n) => {
      const h = load.histograms[n];
      return h ? [cell(n), formatCount(h.count), ...PERCENTILE_COLUMNS.map(([k]) => formatMetric(h[k], h.unit))] : [];
    }), ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
    out.push('');
    out.push(cell(connectionsLine(load.counters)), '');
    const counters = Object.entries(load.counters).sort(([a], [b]) => (a < b ? -1 : 1));
    if (counters.length) {
      out.push('<details><summary>Counters</summary>', '');
      out.push(...tableOf(['counter', 'value'], counters.map(([k, v]) => [cell(k), formatCount(v)]), ['l', 'r']));
      out.push('', '</details>', '');
    }
    if (load.schemaViolations?.length) {
      out.push('### Schema violations', '', 'Only FAIL counts toward `schema.violations`; NON-STRICT and INFORMATIONAL follow the rule\'s source.', '');
      out.push(...tableOf(
        ['class', 'source', 'message', 'pointer', 'count', 'expected', 'actual', 'first message'],
        load.schemaViolations.map((v) => [v.class, cell(violationSourceText(v)), cell(v.message), cell(v.pointer || '/'), formatCount(v.count), cell(v.expected), cell(v.actual), cell(v.sample.text.length > 120 ? `${v.sample.text.slice(0, 117)}...` : v.sample.text)]),
        ['l', 'l', 'l', 'l', 'r', 'l', 'l', 'l'],
      ));
      out.push('');
    }
    const broken = (load.delivery ?? []).filter(deliveryProblem);
    if (broken.length) {
      out.push('### Delivery problems', '');
      out.push(...tableOf(
        ['room', 'expected', 'delivered', 'lost', 'duplicated', 'reordered', 'self copies', 'own missing', 'leaked'],
        broken.map((d) => [cell(d.room), ...[d.expected, d.delivered, d.lost, d.duplicated, d.reordered, d.selfCopies ?? 0, d.selfMissing ?? 0, d.leaked ?? 0].map(String)]),
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ));
      out.push('');
    }
  }
  if (report.capacity) {
    const c = report.capacity;
    out.push(`### Capacity (varying ${c.vary})`, '');
    const slo = (st: CapacityStep): string => (st.sloPassed ? '✅' : `❌ ${cell(st.broken.join(', '))}`);
    const baseline = c.baseline ? new Map(c.baseline.map((st) => [st.load, st])) : undefined;
    const head = ['load', 'throughput/s', 'p50', 'p99', 'SLO', ...(baseline ? ['reference throughput/s', 'reference p99', 'reference SLO'] : [])];
    const body = c.steps.map((st) => {
      const b = baseline?.get(st.load);
      const ref = baseline ? (b ? [formatCount(b.throughput), formatMs(b.p99Ms), slo(b)] : ['–', '–', '–']) : [];
      return [String(st.load), formatCount(st.throughput), formatMs(st.p50Ms), formatMs(st.p99Ms), slo(st), ...ref];
    });
    out.push(...tableOf(head, body, ['r', 'r', 'r', 'r', 'l', ...(baseline ? (['r', 'r', 'l'] as const) : [])]));
    out.push('', `**${cell(capacityConclusionText(c))}**${baseline ? `; reference server: **${baselineText(c)}**` : ''}`, '');
  }
  if (report.generator?.saturated) out.push(`> [!WARNING]\n> The load generator saturated: results are not trustworthy.${report.generator.reason ? ` ${cell(report.generator.reason)}` : ''}`, '');

  const groups = foldFailures(report.cases, strict);
  if (groups.length) {
    const failing = groups.reduce((n, g) => n + g.cases.length, 0);
    out.push(`### Failures (${failing})`, '');
    let size = Buffer.byteLength(out.join('\n'));
    let shown = 0;
    for (const g of groups) {
      const text = failureBlock(g);
      // Keep room for the closing note.
      if (size + Buffer.byteLength(text) + 200 > maxBytes) break;
      size += Buffer.byteLength(text);
      out.push(text);
      shown += g.cases.length;
    }
    if (shown < failing) out.push(`*${failing - shown} more failures left out to fit the step summary; see the HTML report.*`, '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/** Every case with its source, and where a NOT-ASSESSED one was blocked; rows stop at `maxBytes`. */
function caseTable(cases: readonly CaseResult[], maxBytes: number): string[] {
  const rows: string[][] = [];
  let size = 0;
  for (const c of cases) {
    const note = c.verdict === 'NOT-ASSESSED' ? blockedText(c) : c.decidedBy && c.verdict !== 'PASS' ? c.decidedBy.message : '';
    const row = [`${ICON[c.verdict]} ${c.verdict}`, `<code>${cell(c.id)}</code>`, cell(caseSourceNote(c) || caseSourceText(c)), cell(note)];
    size += Buffer.byteLength(row.join(' | ')) + 6;
    if (size > maxBytes) break;
    rows.push(row);
  }
  const out = [`<details><summary>Cases (${cases.length})</summary>`, '', ...tableOf(['verdict', 'case', 'source', 'decided by'], rows)];
  if (rows.length < cases.length) out.push('', `*${cases.length - rows.length} more cases left out to fit the step summary; see the HTML report.*`);
  return [...out, '', '</details>', ''];
}

function findingItem(f: Finding, times: string): string[] {
  const lines = [`- ${times}**${cell(findingVerdictText(f))}** <code>${cell(f.code)}</code>${f.section ? ` (${cell(f.section)})` : ''}: ${cell(f.message)}`];
  const e = f.evidence;
  if (e) lines.push(`  - evidence: ${cell([e.client, e.message, e.pointer].filter(Boolean).join(' '))}${'expected' in e || 'actual' in e ? `: expected ${cell(inlineJson(e.expected))}, actual ${cell(inlineJson(e.actual))}` : ''}`);
  return lines;
}

/** One failing case, or cases that failed alike (their findings once, "×N", the first case's transcript). */
function failureBlock(g: FailureGroup): string {
  const c = g.first;
  const n = g.cases.length;
  const times = n > 1 ? `×${n} ` : '';
  const block: string[] = [];
  block.push(n > 1
    ? `<details><summary>${ICON[c.verdict]} ×${n} <code>${cell(groupIds(g, 10))}</code></summary>`
    : `<details><summary>${ICON[c.verdict]} <code>${cell(c.id)}</code> ${cell(c.title)}</summary>`, '');
  const source = caseSourceText(c);
  const where = [c.specSections.join(', '), n > 1 ? undefined : caseLocation(c), source === 'seed' ? 'source: seed' : `source: ${source}`].filter(Boolean).join(' · ');
  block.push(`*${cell(where)}*`, '');
  if (c.blockedBy) {
    const traffic = groupTraffic(g);
    block.push(`- ${times}**${cell(blockedText(c))}**${traffic ? `; ${n > 1 ? 'together ' : ''}${cell(trafficText(traffic))}` : ''}`);
    block.push(...findingItem(c.blockedBy.finding, times));
  }
  for (const f of shownFindings(c)) block.push(...findingItem(f, times));
  const window = transcriptWindow(c);
  if (window.length) block.push('', ...(n > 1 ? [`Transcript of <code>${cell(c.id)}</code>:`, ''] : []), '```text', ...window.map(({ entry }) => escapeMarkdownFence(transcriptLine(entry))), '```');
  block.push('', '</details>', '');
  return block.join('\n');
}

export function markdownReporter(ctx: ReporterContext): Reporter {
  return { name: 'markdown', onRunEnd: (report) => emit(ctx, 'summary.md', renderMarkdown(report)) };
}
