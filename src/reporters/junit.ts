import type { CaseResult, RunReport, ThresholdResult } from '../report/model.js';
import { escapeXml, escapeXmlAttr } from './escape.js';
import { emit } from './json.js';
import { caseLocation, formatThresholdActual, inlineJson, isStrict, transcriptLine } from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/**
 * JUnit XML: one <testsuite> of cases (one <testcase> per case) and, for load and capacity runs,
 * one of thresholds (one <testcase> per threshold). FAIL is a <failure>, ERROR an <error>,
 * NON-STRICT a <failure> only under --strict. Only the attributes every consumer accepts
 * (GitHub test-reporter actions, GitLab, Jenkins' junit-10.xsd): no `file` on <testcase>;
 * the scenario file and line go into the failure text instead.
 */

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function failureText(result: CaseResult): string {
  const lines: string[] = [];
  const location = caseLocation(result);
  if (location) lines.push(`scenario: ${location}`);
  if (result.specSections.length) lines.push(`spec: ${result.specSections.join(', ')} (${result.strength})`);
  for (const f of result.findings) {
    if (f.verdict === 'PASS') continue;
    lines.push(`${f.verdict} ${f.code}${f.section ? ` [${f.section}]` : ''}${f.step ? ` at ${f.step.path}${f.step.line !== undefined ? ` (line ${f.step.line})` : ''}` : ''}: ${f.message}`);
    const e = f.evidence;
    if (e) lines.push(`  evidence: ${[e.client, e.message, e.pointer].filter(Boolean).join(' ')}${'expected' in e || 'actual' in e ? `: expected ${inlineJson(e.expected)}, actual ${inlineJson(e.actual)}` : ''}`);
  }
  return lines.join('\n');
}

function caseElement(result: CaseResult, strict: boolean): string {
  const name = `${result.id}: ${result.title}`;
  const classname = `${result.profile}.${result.tags[0] ?? 'conformance'}`;
  const open = `    <testcase name="${escapeXmlAttr(name)}" classname="${escapeXmlAttr(classname)}" time="${seconds(result.durationMs)}"`;
  const decided = result.decidedBy ?? result.findings[0];
  // CI systems show the message attribute first (GitHub annotations, GitLab's summary): give it the section and the evidence.
  const ev = decided?.evidence;
  const evidence = ev && ('expected' in ev || 'actual' in ev)
    ? ` [${[ev.message, ev.pointer].filter(Boolean).join(' ')}: expected ${inlineJson(ev.expected)}, actual ${inlineJson(ev.actual)}]`
    : '';
  const message = decided ? `${decided.section ? `${decided.section}: ` : ''}${decided.message}${evidence}` : result.verdict;
  let body = '';
  if (result.verdict === 'ERROR') {
    body = `      <error message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(decided?.code ?? 'ERROR')}">${escapeXml(failureText(result))}</error>\n`;
  } else if (result.verdict === 'FAIL' || (strict && result.verdict === 'NON-STRICT')) {
    body = `      <failure message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(decided?.code ?? result.verdict)}">${escapeXml(failureText(result))}</failure>\n`;
  }
  if (body && result.transcript.length) {
    body += `      <system-out>${escapeXml(result.transcript.map(transcriptLine).join('\n'))}</system-out>\n`;
  } else if (!body && result.verdict !== 'PASS') {
    // NON-STRICT and INFORMATIONAL pass, but what was observed is worth keeping beside the test.
    body = `      <system-out>${escapeXml(`${result.verdict}\n${failureText(result)}`)}</system-out>\n`;
  }
  return body ? `${open}>\n${body}    </testcase>\n` : `${open}/>\n`;
}

function thresholdElement(report: RunReport, t: ThresholdResult): string {
  const open = `    <testcase name="${escapeXmlAttr(t.expression)}" classname="thresholds.${escapeXmlAttr(t.source)}" time="0.000"`;
  if (t.passed) return `${open}/>\n`;
  const actual = t.actual === null ? 'no data' : `actual ${formatThresholdActual(t, report)}`;
  return `${open}>\n      <failure message="${escapeXmlAttr(`threshold ${t.expression} breached: ${actual}`)}" type="threshold">${escapeXml(`metric ${t.metric}: ${actual}`)}</failure>\n    </testcase>\n`;
}

export function renderJUnit(report: RunReport): string {
  const strict = isStrict(report);
  const cases = report.cases;
  const thresholds = report.thresholds ?? [];
  const errors = cases.filter((c) => c.verdict === 'ERROR').length;
  const failures = cases.filter((c) => c.verdict === 'FAIL' || (strict && c.verdict === 'NON-STRICT')).length;
  const thresholdFailures = thresholds.filter((t) => !t.passed).length;
  const suiteName = `chat-conform ${report.command} ${report.profile}`;
  const properties = [
    ['tool', `${report.tool.name} ${report.tool.version}`],
    ['target', report.target.url],
    ['profile', report.profile],
    ['command', report.command],
    ['exitCode', String(report.summary.exitCode)],
  ].map(([n, v]) => `      <property name="${escapeXmlAttr(n ?? '')}" value="${escapeXmlAttr(v ?? '')}"/>\n`).join('');
  const timestamp = report.startedAt.replace(/\.\d+Z$|Z$/, '');
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n';
  xml += `<testsuites name="chat-conform" tests="${cases.length + thresholds.length}" failures="${failures + thresholdFailures}" errors="${errors}" time="${seconds(report.durationMs)}">\n`;
  xml += `  <testsuite name="${escapeXmlAttr(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${seconds(report.cases.reduce((s, c) => s + c.durationMs, 0))}" timestamp="${escapeXmlAttr(timestamp)}">\n`;
  xml += `    <properties>\n${properties}    </properties>\n`;
  for (const c of cases) xml += caseElement(c, strict);
  xml += '  </testsuite>\n';
  if (thresholds.length) {
    xml += `  <testsuite name="${escapeXmlAttr(`${suiteName} thresholds`)}" tests="${thresholds.length}" failures="${thresholdFailures}" errors="0" skipped="0" time="${seconds(report.durationMs)}" timestamp="${escapeXmlAttr(timestamp)}">\n`;
    for (const t of thresholds) xml += thresholdElement(report, t);
    xml += '  </testsuite>\n';
  }
  xml += '</testsuites>\n';
  return xml;
}

export function junitReporter(ctx: ReporterContext): Reporter {
  return { name: 'junit', onRunEnd: (report) => emit(ctx, 'junit.xml', renderJUnit(report)) };
}
