import type { CapacityStep, CaseResult, Finding, RunReport, TranscriptEntry, Verdict } from '../report/model.js';
import { VERDICT_ORDER } from '../report/model.js';
import { escapeHtml } from './escape.js';
import {
  baselineText, blockedText, capacityConclusionText, caseLocation, caseSourceNote, caseSourceText, connectionsLine, deliveryProblem, failingIndex, findingSourceNote,
  formatCount, formatMetric, formatMs, formatThresholdActual, inlineJson, PERCENTILE_COLUMNS, shapeSourceText, summaryLine, trafficText, violationSourceText,
} from './format.js';
import { emit } from './json.js';
import { capacityChart, histogramChart, percentileChart, seriesChart } from './svg.js';
import type { Reporter, ReporterContext } from './types.js';

/**
 * The self-contained HTML report: one file, inline CSS, inline script, inline SVG charts, and a
 * Content-Security-Policy that forbids every fetch, so it opens from an artifact store or an
 * e-mail attachment and never calls home.
 */

const e = escapeHtml;

const CSS = `
:root{--pass:#15803d;--fail:#b91c1c;--error:#7e22ce;--ns:#b45309;--info:#0e7490;--na:#475569;--border:#d4d4d8;--muted:#52525b}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:0 24px 48px;color:#18181b;background:#fff}
h1{font-size:20px;margin:20px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.muted{color:var(--muted)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;word-break:break-all;margin:0}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.tiles{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}.tile{border:1px solid var(--border);border-radius:6px;padding:8px 14px;min-width:110px}.tile b{display:block;font-size:22px}
.v{display:inline-block;padding:1px 6px;border-radius:4px;color:#fff;font-weight:600;font-size:12px;white-space:nowrap}
.v-PASS{background:var(--pass)}.v-FAIL{background:var(--fail)}.v-ERROR{background:var(--error)}.v-NON-STRICT{background:var(--ns)}.v-INFORMATIONAL{background:var(--info)}.v-NOT-ASSESSED{background:var(--na)}
.blocked{border-left:4px solid var(--na);background:#f1f5f9;padding:6px 10px;margin:6px 0}
ul.root-causes li{margin:4px 0}
.ok{color:var(--pass);fill:var(--pass)}.bad{color:var(--fail);fill:var(--fail)}
.filters{display:flex;gap:10px;align-items:center;margin:8px 0}.filters input{padding:4px 8px;min-width:280px}
tr.schema-error td{background:#fef2f2}tr.failing td{outline:2px solid var(--fail);outline-offset:-2px}
.schema-errors{margin:4px 0 0;padding-left:18px;color:var(--fail)}
details>summary{cursor:pointer}
svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid var(--border);border-radius:4px;margin:6px 0}
svg text{font:11px system-ui,sans-serif;fill:#3f3f46}svg .axis{stroke:#71717a}svg .grid{stroke:#e4e4e7}svg .bar{fill:#2563eb}
svg .marker{stroke-width:1.5;stroke-dasharray:3 3}svg .knee{stroke:#16a34a}svg .broken{stroke:#dc2626}svg .unit{fill:#71717a}
.warn{border-left:4px solid var(--fail);background:#fef2f2;padding:8px 12px}
`;

const SCRIPT = `
(function(){
  var input=document.getElementById('case-filter'),select=document.getElementById('verdict-filter'),count=document.getElementById('case-count');
  var table=document.getElementById('case-table');
  if(!input||!select||!table)return;
  var rows=table.querySelectorAll('tbody>tr.case');
  function apply(){
    var text=input.value.trim().toLowerCase(),verdict=select.value,shown=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i],ok=(!verdict||r.getAttribute('data-verdict')===verdict)&&(!text||(r.getAttribute('data-search')||'').indexOf(text)!==-1);
      r.hidden=!ok;if(ok)shown++;
    }
    if(count)count.textContent=shown+' of '+rows.length+' cases';
  }
  input.addEventListener('input',apply);select.addEventListener('change',apply);apply();
})();
`;

function badge(v: Verdict): string {
  return `<span class="v v-${v}">${v}</span>`;
}

function findingItem(f: Finding): string {
  const where = [f.section, f.step ? `${f.step.path}${f.step.line !== undefined ? ` (line ${f.step.line})` : ''}` : undefined].filter(Boolean).join(' · ');
  let evidence = '';
  if (f.evidence) {
    const ev = f.evidence;
    const about = [ev.client, ev.message, ev.pointer].filter(Boolean).join(' ');
    const values = 'expected' in ev || 'actual' in ev ? `: expected <code>${e(inlineJson(ev.expected))}</code>, actual <code>${e(inlineJson(ev.actual))}</code>` : '';
    evidence = `<div class="muted">evidence: ${e(about)}${values}</div>`;
  }
  const note = findingSourceNote(f);
  return `<li>${badge(f.verdict)}${note ? ` <span class="source">(${e(note)})</span>` : ''} <code>${e(f.code)}</code>${where ? ` <span class="muted">${e(where)}</span>` : ''}: ${e(f.message)}${evidence}</li>`;
}

/** Where a NOT-ASSESSED case was blocked, by what, and what its connections carried. */
function blockedBlock(c: CaseResult): string {
  if (c.verdict !== 'NOT-ASSESSED') return '';
  const finding = c.blockedBy ? `<ul class="findings">${findingItem(c.blockedBy.finding)}</ul>` : '';
  return `<div class="blocked"><b>Not assessed:</b> ${e(blockedText(c))}${c.traffic ? `; ${e(trafficText(c.traffic))}` : ''}${finding}</div>`;
}

function transcriptTable(result: CaseResult): string {
  if (!result.transcript.length) return '<p class="muted">No traffic.</p>';
  const failing = failingIndex(result);
  const rows = result.transcript.map((t: TranscriptEntry, i) => {
    const classes = [t.schemaErrors?.length ? 'schema-error' : '', i === failing ? 'failing' : ''].filter(Boolean).join(' ');
    const errors = t.schemaErrors?.length
      ? `<ul class="schema-errors">${t.schemaErrors.map((s) => `<li><code>${e(s.pointer)}</code> ${e(s.message)}${s.expected !== undefined ? `; expected <code>${e(inlineJson(s.expected))}</code>` : ''}${s.actual !== undefined ? `, actual <code>${e(inlineJson(s.actual))}</code>` : ''}</li>`).join('')}</ul>`
      : '';
    const text = t.text ? `<pre>${e(t.text)}${t.truncated ? ' <span class="muted">[truncated]</span>' : ''}</pre>` : '';
    return `<tr${classes ? ` class="${classes}"` : ''}><td class="num">${i}</td><td class="num">${t.at.toFixed(1)}</td><td>${e(t.client)}</td><td>${t.direction === 'out' ? '→' : '←'}</td><td>${e(t.message ?? t.event ?? '')}</td><td class="num">${t.bytes}</td><td>${text}${errors}</td></tr>`;
  });
  return `<table class="transcript"><thead><tr><th>#</th><th>ms</th><th>client</th><th></th><th>message</th><th>bytes</th><th>text</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function caseRow(c: CaseResult): string {
  const source = caseSourceText(c);
  const search = [c.id, c.title, c.verdict, source, ...c.specSections, ...c.tags, c.decidedBy?.code ?? '', c.blockedBy?.label ?? ''].join(' ').toLowerCase();
  const location = caseLocation(c);
  const blocking = c.blockedBy?.finding;
  const findings = c.findings.filter((f) => !(blocking && f.code === blocking.code && f.message === blocking.message));
  const title = c.verdict === 'NOT-ASSESSED' ? `${c.title} (${blockedText(c)})` : c.title;
  const detail = `<details><summary>${e(title)}</summary>
${c.description ? `<p>${e(c.description)}</p>` : ''}${location ? `<p class="muted">${e(location)}</p>` : ''}
${blockedBlock(c)}${findings.length ? `<ul class="findings">${findings.map(findingItem).join('')}</ul>` : ''}
${transcriptTable(c)}</details>`;
  return `<tr class="case" data-verdict="${c.verdict}" data-search="${e(search)}"><td>${badge(c.verdict)}</td><td><code>${e(c.id)}</code></td><td>${detail}</td><td>${e(caseSourceNote(c) || source)}</td><td>${e(c.specSections.join(', '))}</td><td>${c.strength}</td><td class="num">${e(formatMs(c.durationMs))}</td></tr>`;
}

function rootCausesSection(report: RunReport): string {
  if (!report.rootCauses?.length) return '';
  const items = report.rootCauses.map((r) => `<li>${badge(r.verdict)} ${e(r.message)} <code>${e(r.code)}</code><details><summary>${r.cases.length} cases</summary><p><code>${e(r.cases.join(', '))}</code></p></details></li>`);
  return `<section id="root-causes"><h2>Root causes</h2><ul class="root-causes">${items.join('')}</ul></section>`;
}

function shapesSection(report: RunReport): string {
  const shapes = report.shapes ?? [];
  if (!shapes.length) return '';
  const rows = shapes.map((x) => {
    const sample = x.sample;
    const values = 'expected' in sample || 'actual' in sample ? `<div class="muted">expected <code>${e(inlineJson(sample.expected))}</code>, actual <code>${e(inlineJson(sample.actual))}</code></div>` : '';
    const detail = `<details><summary>${e(sample.detail ?? x.code)}</summary>${values}<p class="muted">first in <code>${e(sample.case)}</code> at <code>${e(sample.pointer)}</code>; cases: <code>${e(x.cases.join(', '))}</code>${x.caseCount > x.cases.length ? ` and ${formatCount(x.caseCount - x.cases.length)} more` : ''}</p><pre>${e(sample.raw)}${sample.truncated ? ' <span class="muted">[truncated]</span>' : ''}</pre></details>`;
    return `<tr class="shape" data-verdict="${x.verdict}"><td>${badge(x.verdict)}</td><td><code>${e(x.message)}</code> <span class="muted">${x.direction === 'server' ? 'from the server' : 'from a client'}</span></td><td><code>${e(x.pointer)}</code></td><td>${e(shapeSourceText(x))}</td><td><code>${e(x.code)}</code></td><td class="num">${formatCount(x.count)}</td><td class="num">${formatCount(x.caseCount)}</td><td>${detail}</td></tr>`;
  });
  return `<section id="shapes"><h2>Message shapes</h2>
<p class="muted">Every schema finding of the run, once per message, field, code and source, whether or not a case had the message as its subject.</p>
<table id="shape-table"><thead><tr><th>verdict</th><th>message</th><th>pointer</th><th>source</th><th>code</th><th>messages</th><th>cases</th><th>what</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function casesSection(report: RunReport): string {
  if (!report.cases.length) return '';
  const options = VERDICT_ORDER.map((v) => `<option value="${v}">${v} (${report.summary.byVerdict[v] ?? 0})</option>`).join('');
  return `<section id="cases"><h2>Cases</h2>
<div class="filters"><input id="case-filter" type="search" placeholder="Filter by id, title, section, tag or code" aria-label="filter cases"><select id="verdict-filter" aria-label="verdict"><option value="">all verdicts</option>${options}</select><span id="case-count" class="muted">${report.cases.length} cases</span></div>
<table id="case-table"><thead><tr><th>verdict</th><th>id</th><th>case</th><th>source</th><th>spec</th><th>strength</th><th>time</th></tr></thead><tbody>
${report.cases.map(caseRow).join('\n')}
</tbody></table></section>`;
}

function loadSection(report: RunReport): string {
  const load = report.load;
  if (!load) return '';
  const names = Object.keys(load.histograms).sort();
  const rows = names.map((n) => {
    const h = load.histograms[n];
    return h ? `<tr><td>${e(n)}</td><td class="num">${formatCount(h.count)}</td>${PERCENTILE_COLUMNS.map(([k]) => `<td class="num">${e(formatMetric(h[k], h.unit))}</td>`).join('')}</tr>` : '';
  });
  const histograms = names
    .map((n) => {
      const h = load.histograms[n];
      const chart = h && h.unit === 'us' ? histogramChart(n, h) : null;
      return chart ? `<details${n === names.find((x) => load.histograms[x]?.unit === 'us' && (load.histograms[x]?.count ?? 0) > 0) ? ' open' : ''}><summary>Histogram: ${e(n)}</summary>${chart}</details>` : '';
    })
    .join('');
  const counters = Object.entries(load.counters).sort(([a], [b]) => (a < b ? -1 : 1));
  const columns = ['expected', 'delivered', 'lost', 'duplicated', 'reordered', 'self copies', 'own missing', 'leaked', 'offline copies'];
  const delivery = load.delivery?.length
    ? `<h3>Delivery integrity</h3><table><thead><tr><th>room</th>${columns.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${load.delivery.map((d) => `<tr${deliveryProblem(d) ? ' class="schema-error"' : ''}><td>${e(d.room)}</td>${[d.expected, d.delivered, d.lost, d.duplicated, d.reordered, d.selfCopies ?? 0, d.selfMissing ?? 0, d.leaked ?? 0, d.offlineCopies ?? 0].map((n) => `<td class="num">${n}</td>`).join('')}</tr>`).join('')}</tbody></table>`
    : '';
  const violations = load.schemaViolations?.length
    ? `<h3>Schema violations</h3><p class="muted">Only FAIL counts toward schema.violations; NON-STRICT and INFORMATIONAL follow a rule's source, as in conformance runs.${load.schemaViolationsOmitted ? ` ${load.schemaViolationsOmitted} more, of further kinds, were counted but not listed.` : ''}</p><table><thead><tr><th>class</th><th>source</th><th>message</th><th>pointer</th><th>count</th><th>expected</th><th>actual</th><th>first message</th></tr></thead><tbody>${load.schemaViolations.map((v) => `<tr${v.class === 'FAIL' ? ' class="schema-error"' : ''}><td>${e(v.class)}</td><td>${e(violationSourceText(v))}</td><td>${e(v.message)}</td><td><code>${e(v.pointer || '/')}</code></td><td class="num">${formatCount(v.count)}</td><td>${e(v.expected)}</td><td>${e(v.actual)}</td><td><details><summary>sample</summary><pre>${e(v.sample.text)}${v.sample.truncated ? ' [cut at 500 bytes]' : ''}</pre></details></td></tr>`).join('')}</tbody></table>`
    : '';
  const g = report.generator;
  const generator = g
    ? `<p${g.saturated ? ' class="warn"' : ''}>Generator: event-loop lag p99 ${e(formatMs(g.eventLoopLagP99Ms))}, max ${e(formatMs(g.eventLoopLagMaxMs))}, CPU ${g.cpuPercent}%.${g.saturated ? ` <b>Saturated: these results are not trustworthy.</b>${g.reason ? ` ${e(g.reason)}` : ''}` : ''}</p>`
    : '';
  return `<section id="load"><h2>Load: ${load.clients} clients, ${e(formatMs(load.durationMs))}</h2>
<table id="percentile-table"><thead><tr><th>metric</th><th>count</th>${PERCENTILE_COLUMNS.map(([, l]) => `<th>${l}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>
${percentileChart(load) ?? ''}
${histograms}
${seriesChart(load) ?? ''}
<p>${e(connectionsLine(load.counters))}</p>
<h3>Counters</h3><table><tbody>${counters.map(([k, v]) => `<tr><td>${e(k)}</td><td class="num">${formatCount(v)}</td></tr>`).join('')}</tbody></table>
${delivery}${violations}${generator}</section>`;
}

function thresholdsSection(report: RunReport): string {
  if (!report.thresholds?.length) return '';
  return `<section id="thresholds"><h2>Thresholds</h2><table><thead><tr><th></th><th>threshold</th><th>actual</th><th>source</th></tr></thead><tbody>${report.thresholds
    .map((t) => `<tr><td class="${t.passed ? 'ok' : 'bad'}">${t.passed ? '✔ pass' : '✘ FAIL'}</td><td><code>${e(t.expression)}</code></td><td class="num">${e(formatThresholdActual(t, report))}</td><td>${t.source}</td></tr>`)
    .join('')}</tbody></table></section>`;
}

function capacitySection(report: RunReport): string {
  const c = report.capacity;
  if (!c) return '';
  const verdict = (s: CapacityStep): string => (s.generatorSaturated ? '<td class="bad">generator saturated</td>' : `<td class="${s.sloPassed ? 'ok' : 'bad'}">${s.sloPassed ? 'met' : 'missed'}</td>`);
  const figures = (s: CapacityStep | undefined): string =>
    s ? `<td class="num">${e(formatCount(s.throughput))}</td><td class="num">${e(formatMs(s.p50Ms))}</td><td class="num">${e(formatMs(s.p99Ms))}</td>${verdict(s)}` : '<td colspan="4" class="muted">not run</td>';
  // With a baseline, the reference server's figures for the same load sit beside the target's.
  const baseline = c.baseline ? new Map(c.baseline.map((s) => [s.load, s])) : undefined;
  const rows = c.steps.map((s) => `<tr><td class="num">${s.load}</td>${figures(s)}<td>${e(s.broken.join(', '))}${s.generatorSaturated && s.saturation ? ` (${e(s.saturation)})` : ''}</td>${baseline ? figures(baseline.get(s.load)) : ''}</tr>`);
  const head = `<tr><th>load</th><th>throughput/s</th><th>p50</th><th>p99</th><th>SLO</th><th>broken</th>${baseline ? '<th>reference throughput/s</th><th>reference p50</th><th>reference p99</th><th>reference SLO</th>' : ''}</tr>`;
  const baselineBroken = c.baseline?.filter((s) => !s.sloPassed && !s.generatorSaturated).sort((a, b) => a.load - b.load)[0]?.load ?? null;
  const baselineChart = c.baseline?.length
    ? `<figure data-series="baseline"><figcaption>Reference server, same steps (<b>${e(baselineText(c))}</b>)</figcaption>${capacityChart({ ...c, steps: c.baseline, knee: c.baselineKnee ?? null, firstBroken: baselineBroken }) ?? ''}</figure>`
    : '';
  return `<section id="capacity"><h2>Capacity (varying ${c.vary})</h2>
<p><b>${e(capacityConclusionText(c))}</b>.${c.slo?.length ? ` SLO: <code>${e(c.slo.join(', '))}</code>.` : ''}${c.stoppedBecause ? ` Stopped: ${e(c.stoppedBecause)}.` : ''}</p>
<figure data-series="target">${baselineChart ? '<figcaption>Target</figcaption>' : ''}${capacityChart(c) ?? ''}</figure>${baselineChart}
<table><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function coverageSection(report: RunReport): string {
  const cov = report.coverage;
  if (!cov) return '';
  const exercised = cov.messages.filter((m) => m.sent + m.received > 0).length;
  const messages = cov.messages.map((m) => `<tr class="${m.sent + m.received > 0 ? '' : 'unexercised'}"><td><code>${e(m.id)}</code></td><td class="num">${m.sent}</td><td class="num">${m.received}</td><td class="${m.sent + m.received > 0 ? 'ok' : 'bad'}">${m.sent + m.received > 0 ? 'exercised' : 'not exercised'}</td></tr>`);
  const ops = cov.operations?.length
    ? `<h3>Operations: ${cov.operations.filter((o) => o.count > 0).length} of ${cov.operations.length} exercised</h3><table><thead><tr><th>operation</th><th>times</th></tr></thead><tbody>${cov.operations.map((o) => `<tr><td><code>${e(o.id)}</code></td><td class="num ${o.count > 0 ? 'ok' : 'bad'}">${o.count}</td></tr>`).join('')}</tbody></table>`
    : '';
  const samples = cov.unmatchedSamples?.length ? `<ul>${cov.unmatchedSamples.map((s) => `<li><pre>${e(s)}</pre></li>`).join('')}</ul>` : '';
  return `<section id="coverage"><h2>Spec coverage</h2>
<h3>Messages: ${exercised} of ${cov.messages.length} exercised</h3>
<table><thead><tr><th>message</th><th>sent</th><th>received</th><th></th></tr></thead><tbody>${messages.join('')}</tbody></table>
${ops}
<h3>Traffic that matched no message: ${cov.unmatched}</h3>${samples}</section>`;
}

export function renderHtml(report: RunReport): string {
  const s = report.summary;
  const title = `chat-conform ${report.command}: ${report.profile} (exit ${s.exitCode})`;
  const tiles = [
    `<div class="tile"><span class="muted">exit code</span><b class="${s.exitCode === 0 ? 'ok' : 'bad'}">${s.exitCode}</b></div>`,
    ...(s.total ? VERDICT_ORDER.map((v) => `<div class="tile">${badge(v)}<b>${s.byVerdict[v] ?? 0}</b></div>`) : []),
    ...(report.thresholds?.length ? [`<div class="tile"><span class="muted">thresholds failed</span><b class="${s.thresholdsFailed ? 'bad' : 'ok'}">${s.thresholdsFailed} / ${report.thresholds.length}</b></div>`] : []),
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(`${report.tool.name} ${report.tool.version}`)}">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${e(title)}</h1>
<p class="muted">${e(summaryLine(report))}</p></header>
<section id="summary"><div class="tiles">${tiles}</div>
<table><tbody>
<tr><th>target</th><td><code>${e(report.target.url)}</code>${report.target.embedded ? ' (embedded reference server)' : ''}</td></tr>
<tr><th>profile</th><td>${e(report.profile)}</td></tr>
<tr><th>started</th><td>${e(report.startedAt)}</td></tr>
<tr><th>finished</th><td>${e(report.finishedAt)} (${e(formatMs(report.durationMs))})</td></tr>
<tr><th>tool</th><td>${e(`${report.tool.name} ${report.tool.version}`)} · report version ${report.reportVersion}</td></tr>
${report.shards?.length ? `<tr><th>shards</th><td>${report.shards.map((x) => `${x.index + 1}/${x.count}`).join(', ')}</td></tr>` : ''}
</tbody></table>
<details><summary>Options (secrets redacted)</summary><pre>${e(JSON.stringify(report.options, null, 2))}</pre></details></section>
${rootCausesSection(report)}
${shapesSection(report)}
${thresholdsSection(report)}
${loadSection(report)}
${capacitySection(report)}
${casesSection(report)}
${coverageSection(report)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export function htmlReporter(ctx: ReporterContext): Reporter {
  return { name: 'html', onRunEnd: (report) => emit(ctx, 'report.html', renderHtml(report)) };
}
