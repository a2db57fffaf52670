import type { CaseResult, Finding, RootCause, RunReport, ShapeFinding, ThresholdResult, Verdict } from '../report/model.js';
import { effectiveVerdict } from '../report/run-summary.js';
import { escapeXml, escapeXmlAttr } from './escape.js';
import { emit } from './json.js';
import { blockedText, caseLocation, caseSourceText, findingVerdictText, formatCount, formatThresholdActual, inlineJson, isFailing, isStrict, shapeCountText, shapeSourceText, trafficText, transcriptLine } from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/**
 * JUnit XML: one <testsuite> of cases (one <testcase> per case); a `preconditions` one when
 * cases were NOT-ASSESSED (one <testcase> per root cause, and one per blocked case no root cause
 * covers), a `message shapes` one when the run has shapes (one <testcase> per shape) and, for load
 * and capacity runs, one of thresholds (one <testcase> per threshold). FAIL is a <failure>, ERROR
 * an <error>, NON-STRICT a <failure> only under --strict; a NOT-ASSESSED case is <skipped>, and
 * its blocking finding fails in `preconditions` instead, so CI counts the failure once, where it
 * happened. Only the attributes every consumer accepts (GitHub test-reporter actions, GitLab,
 * Jenkins' junit-10.xsd): no `file` on <testcase>; the scenario file and line go into the failure
 * text instead.
 */

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function failureText(result: CaseResult): string {
  const lines: string[] = [];
  const location = caseLocation(result);
  if (location) lines.push(`scenario: ${location}`);
  if (result.specSections.length) lines.push(`spec: ${result.specSections.join(', ')} (${result.strength})`);
  const source = caseSourceText(result);
  if (source !== 'seed') lines.push(`source: ${source}`);
  if (result.blockedBy) lines.push(`${blockedText(result)}${result.traffic ? `; ${trafficText(result.traffic)}` : ''}`);
  for (const f of result.findings) {
    if (f.verdict === 'PASS') continue;
    lines.push(...findingText(f));
  }
  return lines.join('\n');
}

function findingText(f: Finding): string[] {
  const lines = [`${findingVerdictText(f)} ${f.code}${f.section ? ` [${f.section}]` : ''}${f.step ? ` at ${f.step.path}${f.step.line !== undefined ? ` (line ${f.step.line})` : ''}` : ''}: ${f.message}`];
  const e = f.evidence;
  if (e) lines.push(`  evidence: ${[e.client, e.message, e.pointer].filter(Boolean).join(' ')}${'expected' in e || 'actual' in e ? `: expected ${inlineJson(e.expected)}, actual ${inlineJson(e.actual)}` : ''}`);
  return lines;
}

/** <failure>, <error> or nothing, by what the verdict does to the run. */
function problem(verdict: Verdict, strict: boolean, message: string, type: string, text: string): string {
  if (verdict === 'ERROR') return `      <error message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">${escapeXml(text)}</error>\n`;
  if (isFailing(verdict, strict)) return `      <failure message="${escapeXmlAttr(message)}" type="${escapeXmlAttr(type)}">${escapeXml(text)}</failure>\n`;
  return '';
}

function testcase(name: string, classname: string, ms: number, body: string): string {
  const open = `    <testcase name="${escapeXmlAttr(name)}" classname="${escapeXmlAttr(classname)}" time="${seconds(ms)}"`;
  return body ? `${open}>\n${body}    </testcase>\n` : `${open}/>\n`;
}

/** Stands in the run's verdict: fails as its blocking findings do. */
function rootCauseElement(r: RootCause, strict: boolean): string {
  const text = `${r.message}\ncases: ${r.cases.join(', ')}`;
  const body = problem(r.verdict, strict, r.message, r.code, text) || `      <system-out>${escapeXml(`${r.verdict}\n${text}`)}</system-out>\n`;
  return testcase(`${r.label}: ${r.cases.length} of ${r.total} cases blocked`, 'preconditions', 0, body);
}

/** A blocked case no root cause covers: its precondition, failing as its blocking finding does. */
function blockedElement(result: CaseResult, strict: boolean): string {
  const b = result.blockedBy;
  const finding = b?.finding ?? { verdict: 'ERROR' as const, code: 'CC_CASE_INTERNAL', message: 'the report does not say what blocked the case' };
  const text = [`${blockedText(result)}${result.traffic ? `; ${trafficText(result.traffic)}` : ''}`, ...findingText(finding)].join('\n');
  const body = problem(effectiveVerdict(result), strict, `${b?.label ?? 'precondition'}: ${finding.message}`, finding.code, text) || `      <system-out>${escapeXml(`${finding.verdict}\n${text}`)}</system-out>\n`;
  return testcase(`${b?.label ?? 'precondition'} (${result.id})`, 'preconditions', result.durationMs, body);
}

function shapeElement(s: ShapeFinding, strict: boolean): string {
  const name = `${s.message} ${s.pointer} (${shapeSourceText(s)}) ${s.code}`;
  const what = `${s.sample.detail ?? s.code}; ${shapeCountText(s)}`;
  const text = [
    `${s.verdict} ${s.direction === 'server' ? 'from the server' : 'from a client'}: ${what}`,
    `cases: ${s.cases.join(', ')}${s.caseCount > s.cases.length ? ` and ${formatCount(s.caseCount - s.cases.length)} more` : ''}`,
    `first in ${s.sample.case} at ${s.sample.pointer}${'expected' in s.sample || 'actual' in s.sample ? `: expected ${inlineJson(s.sample.expected)}, actual ${inlineJson(s.sample.actual)}` : ''}`,
    `${s.sample.raw}${s.sample.truncated ? ' [truncated]' : ''}`,
  ].join('\n');
  const body = problem(s.verdict, strict, `${s.message} ${s.pointer}: ${what}`, s.code, text) || `      <system-out>${escapeXml(text)}</system-out>\n`;
  return testcase(name, `shapes.${s.profile}`, 0, body);
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
  if (result.verdict === 'NOT-ASSESSED') {
    const b = result.blockedBy;
    body = `      <skipped message="${escapeXmlAttr(`not assessed: blocked at ${b?.label ?? 'an unnamed step'}: ${b?.finding.message ?? 'the report does not say why'}`)}">${escapeXml(failureText(result))}</skipped>\n`;
  } else if (result.verdict === 'ERROR') {
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

function suite(name: string, tests: number, failures: number, errors: number, skipped: number, ms: number, timestamp: string, body: string): string {
  return `  <testsuite name="${escapeXmlAttr(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(ms)}" timestamp="${escapeXmlAttr(timestamp)}">\n${body}  </testsuite>\n`;
}

export function renderJUnit(report: RunReport): string {
  const strict = isStrict(report);
  const cases = report.cases;
  const thresholds = report.thresholds ?? [];
  const errors = cases.filter((c) => c.verdict === 'ERROR').length;
  const failures = cases.filter((c) => c.verdict === 'FAIL' || (strict && c.verdict === 'NON-STRICT')).length;
  const skipped = cases.filter((c) => c.verdict === 'NOT-ASSESSED').length;
  const thresholdFailures = thresholds.filter((t) => !t.passed).length;
  const rootCauses = report.rootCauses ?? [];
  const covered = new Set(rootCauses.flatMap((r) => r.cases));
  const uncovered = cases.filter((c) => c.verdict === 'NOT-ASSESSED' && !covered.has(c.id));
  const preconditions = [...rootCauses.map((r) => ({ verdict: r.verdict, xml: rootCauseElement(r, strict) })), ...uncovered.map((c) => ({ verdict: effectiveVerdict(c), xml: blockedElement(c, strict) }))];
  const shapes = (report.shapes ?? []).map((s) => ({ verdict: s.verdict, xml: shapeElement(s, strict) }));
  const counts = (parts: readonly { verdict: Verdict }[]): { failures: number; errors: number } => ({
    failures: parts.filter((p) => p.verdict !== 'ERROR' && isFailing(p.verdict, strict)).length,
    errors: parts.filter((p) => p.verdict === 'ERROR').length,
  });
  const pre = counts(preconditions);
  const sh = counts(shapes);
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
  const tests = cases.length + preconditions.length + shapes.length + thresholds.length;
  xml += `<testsuites name="chat-conform" tests="${tests}" failures="${failures + pre.failures + sh.failures + thresholdFailures}" errors="${errors + pre.errors + sh.errors}" time="${seconds(report.durationMs)}">\n`;
  xml += `  <testsuite name="${escapeXmlAttr(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.cases.reduce((s, c) => s + c.durationMs, 0))}" timestamp="${escapeXmlAttr(timestamp)}">\n`;
  xml += `    <properties>\n${properties}    </properties>\n`;
  for (const c of cases) xml += caseElement(c, strict);
  xml += '  </testsuite>\n';
  if (preconditions.length) xml += suite(`${suiteName} preconditions`, preconditions.length, pre.failures, pre.errors, 0, 0, timestamp, preconditions.map((p) => p.xml).join(''));
  if (shapes.length) xml += suite(`${suiteName} message shapes`, shapes.length, sh.failures, sh.errors, 0, 0, timestamp, shapes.map((p) => p.xml).join(''));
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
