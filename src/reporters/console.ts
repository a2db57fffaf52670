import type { CaseResult, Finding, RunReport, Verdict } from '../report/model.js';
import { formatDuration } from '../util/duration.js';
import { escapeControl } from './escape.js';
import {
  blockedText, caseLocation, caseSourceNote, caseSourceText, failingIndex, findingVerdictText, foldFailures, formatMs, formatThresholdActual, groupIds, groupTraffic,
  inlineJson, isStrict, shapeCountText, shapeSourceText, shownFindings, summaryLine, trafficText, transcriptLine, transcriptWindow, type FailureGroup,
} from './format.js';
import { formatCapacitySummary, formatStepLine } from './capacity-summary.js';
import { formatLoadSummary } from './load-summary.js';
import type { LoadProgress, Reporter, ReporterContext } from './types.js';

/**
 * The default reporter: one line per case as it ends; at the end the root causes, the message
 * shapes, the failures expanded (transcript around the failing step and the evidence; cases that
 * fail alike folded into one "×N"), and the summary line; a load or capacity run's status line
 * while it runs (redrawn in place where the output can), a capacity run's line per step, and their
 * own summaries at the end. Colour only when `ctx.color` (a TTY without NO_COLOR).
 */

const COLOURS: Record<Verdict, string> = { PASS: '32', 'NON-STRICT': '33', INFORMATIONAL: '36', 'NOT-ASSESSED': '34', FAIL: '31', ERROR: '35' };
/** Message-shape lines printed before "and N more (see report.json)". */
const SHAPES_SHOWN = 50;
/** Case ids named in a folded failure before "and N more". */
const IDS_SHOWN = 10;

type Paint = (text: string, code: string) => string;

function painter(color: boolean | undefined): Paint {
  return color ? (t, code) => `\u001b[${code}m${t}\u001b[0m` : (t) => t;
}

/** `FAIL          assa.x  Title [reading assa.D12.closed-rooms] (12ms)`; NOT-ASSESSED says where it was blocked instead of its title. */
export function consoleCaseLine(result: CaseResult, paint: Paint = (t) => t): string {
  const verdict = paint(result.verdict.padEnd(13), COLOURS[result.verdict]);
  const duration = `(${formatMs(result.durationMs)})`;
  if (result.verdict === 'NOT-ASSESSED') return `${verdict} ${escapeControl(result.id)}  blocked at ${escapeControl(result.blockedBy?.label ?? '?')} ${duration}`;
  const note = caseSourceNote(result);
  return `${verdict} ${escapeControl(result.id)}  ${escapeControl(result.title)}${note ? ` [${escapeControl(note)}]` : ''} ${duration}`;
}

function findingLines(f: Finding, times: string): string[] {
  const step = f.step ? ` at ${f.step.path}${f.step.line !== undefined ? ` (line ${f.step.line})` : ''}` : '';
  const lines = [`  ${times}${escapeControl(findingVerdictText(f))} ${f.code}${f.section ? ` [${f.section}]` : ''}${escapeControl(step)}: ${escapeControl(f.message)}`];
  const e = f.evidence;
  if (e) {
    const about = [e.client, e.message, e.pointer].filter(Boolean).join(' ');
    const values = [`expected ${inlineJson(e.expected)}`, `actual ${inlineJson(e.actual)}`];
    lines.push(`    evidence: ${escapeControl(about)}${'expected' in e || 'actual' in e ? `: ${escapeControl(values.join(', '))}` : ''}`);
  }
  return lines;
}

/** One failing case, or a group of cases that failed alike: their findings once, "×N", and the first case's transcript. */
function failureBlock(group: FailureGroup, paint: Paint): string[] {
  const result = group.first;
  const n = group.cases.length;
  const times = n > 1 ? `×${n} ` : '';
  const lines: string[] = [];
  const verdict = paint(result.verdict, COLOURS[result.verdict]);
  if (n > 1) lines.push(`${verdict} ×${n}: ${escapeControl(groupIds(group, IDS_SHOWN))}`);
  else lines.push(`${verdict} ${escapeControl(result.id)}: ${escapeControl(result.title)}`);
  const source = caseSourceText(result);
  const where = [result.specSections.join(', '), n > 1 ? undefined : caseLocation(result), source === 'seed' ? undefined : source].filter(Boolean).join(' · ');
  if (where) lines.push(`  ${escapeControl(where)}`);
  if (result.blockedBy) {
    const traffic = groupTraffic(group);
    lines.push(`  ${times}${escapeControl(blockedText(result))}${traffic ? `; ${n > 1 ? 'together ' : ''}${trafficText(traffic)}` : ''}`);
    lines.push(...findingLines(result.blockedBy.finding, times));
  }
  for (const f of shownFindings(result)) lines.push(...findingLines(f, times));
  const window = transcriptWindow(result);
  if (window.length) {
    const at = failingIndex(result);
    lines.push(n > 1 ? `  transcript of ${escapeControl(result.id)}:` : '  transcript:');
    for (const { index, entry } of window) {
      const mark = index === at ? '>' : ' ';
      lines.push(`  ${mark} ${escapeControl(transcriptLine(entry))}`);
      for (const err of entry.schemaErrors ?? []) lines.push(`      schema: ${escapeControl(err.pointer)} ${escapeControl(err.message)}`);
    }
  }
  return lines;
}

/**
 * The whole end-of-run text, without the per-case lines (those are printed as cases end). A load
 * or capacity run ends with its own summary (load-summary.ts, capacity-summary.ts).
 */
export function renderConsoleSummary(report: RunReport, options: { color?: boolean } = {}): string {
  // Control characters from the wire (a refusal's text, a sample) show as \uXXXX, as everywhere else.
  if (report.command === 'load') return formatLoadSummary(report).map(escapeControl).join('\n');
  if (report.command === 'capacity') return formatCapacitySummary(report).map(escapeControl).join('\n');
  const paint = painter(options.color);
  const strict = isStrict(report);
  const lines: string[] = [];
  if (report.rootCauses?.length) {
    lines.push('', 'Root causes:');
    for (const r of report.rootCauses) lines.push(`  ${escapeControl(r.message)} [${paint(r.verdict, COLOURS[r.verdict])} ${r.code}]`);
  }
  const shapes = report.shapes ?? [];
  if (shapes.length) {
    lines.push('', `Message shapes (${shapes.length}):`);
    for (const s of shapes.slice(0, SHAPES_SHOWN)) {
      const arrow = s.direction === 'server' ? '<-' : '->';
      const detail = s.sample.detail ? `: ${s.sample.detail}` : '';
      lines.push(`  ${paint(s.verdict.padEnd(13), COLOURS[s.verdict])} ${arrow} ${escapeControl(`${s.message} ${s.pointer}${detail} (${shapeSourceText(s)}, ${s.code}) ${shapeCountText(s)}`)}`);
    }
    if (shapes.length > SHAPES_SHOWN) lines.push(`  and ${shapes.length - SHAPES_SHOWN} more (see report.json)`);
  }
  const groups = foldFailures(report.cases, strict);
  if (groups.length) {
    const failing = groups.reduce((n, g) => n + g.cases.length, 0);
    lines.push('', `Failures (${failing}):`);
    for (const g of groups) lines.push('', ...failureBlock(g, paint));
  }
  if (report.thresholds?.length) {
    lines.push('', 'Thresholds:');
    for (const t of report.thresholds) {
      const mark = t.passed ? paint('pass', '32') : paint('FAIL', '31');
      lines.push(`  ${mark} ${escapeControl(t.expression)} (actual ${formatThresholdActual(t, report)}, ${t.source})`);
    }
  }
  lines.push('', summaryLine(report));
  return lines.join('\n');
}

/** The full text for a report read from a file: case lines, then the summary (a load or capacity run: its summary, which names its cases). */
export function renderConsole(report: RunReport, options: { color?: boolean } = {}): string {
  if (report.command !== 'run') return renderConsoleSummary(report, options);
  const paint = painter(options.color);
  const caseLines = report.cases.map((c) => consoleCaseLine(c, paint));
  return [...caseLines, renderConsoleSummary(report, options).replace(/^\n/, caseLines.length ? '\n' : '')].join('\n');
}

/**
 * The status line of a load run, by phase:
 * `[3.2s/1.1m] setting up: 950 of 1000 clients ready  errors 0  timeouts 0`,
 * `[12s/1.1m] connected 1000  msg/s 200  p99 3.2ms  errors 0  timeouts 0`,
 * `[1.1m/1.1m] draining: 37 replies and 12 deliveries in flight, 1.6s left`, `[1.1m] closing connections`.
 */
export function formatStatusLine(p: LoadProgress): string {
  const clock = `[${formatDuration(p.elapsedMs)}${p.totalMs === null ? '' : `/${formatDuration(p.totalMs)}`}]`;
  const tail = `errors ${p.errors}  timeouts ${p.timeouts ?? 0}`;
  switch (p.phase) {
    case 'setup':
      return `${clock} setting up: ${p.ready ?? 0} of ${p.clients ?? '?'} clients ready  ${tail}`;
    case 'drain': {
      const f = p.inFlight ?? { replies: 0, deliveries: 0 };
      return `${clock} draining: ${f.replies} replies and ${f.deliveries} deliveries in flight, ${formatDuration(Math.max(0, p.drainLeftMs ?? 0))} left`;
    }
    case 'closing':
      return `${clock} closing connections`;
    default:
      return `${clock} connected ${p.connected}  msg/s ${Math.round(p.sentPerSecond)}  p99 ${p.p99Ms.toFixed(1)}ms  ${tail}`;
  }
}

export function consoleReporter(ctx: ReporterContext): Reporter {
  const paint = painter(ctx.color);
  let printed = 0;
  let lastProgress = '';
  return {
    name: 'console',
    onCaseEnd(result) {
      printed++;
      ctx.io.out(consoleCaseLine(result, paint));
    },
    onProgress(p: LoadProgress) {
      const line = formatStatusLine(p);
      if (ctx.io.status) ctx.io.status(line);
      else if (line !== lastProgress) ctx.io.out(line);
      lastProgress = line;
    },
    onCapacityStep(step, info) {
      ctx.io.out(formatStepLine(info.label, info.index, step));
    },
    onRunEnd(report) {
      // Rendering a stored report: nothing was printed live, so print the case lines first.
      const text = printed === 0 ? renderConsole(report, { color: ctx.color }) : renderConsoleSummary(report, { color: ctx.color });
      // A load or capacity summary goes out a line at a time, as its status lines did.
      if (report.command === 'run') ctx.io.out(text);
      else for (const line of text.split('\n')) ctx.io.out(line);
    },
  };
}
