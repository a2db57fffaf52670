/**
 * Limits at scale (ASSA §10.1, §10.2): what every client of a limits run observed, tallied per
 * worker or shard (`LimitTally`, plain numbers that add up exactly), and the report cases built
 * from the merged tally, one per rule with its verdict and evidence.
 */
import type { CaseResult, Finding, Verdict } from '../report/model.js';
import { formatDuration } from '../util/duration.js';

export interface LimitTally {
  clients: number;
  /** The generator's own longest event-loop stall (worst slice), allowed on late timer events. */
  lagAllowanceMs: number;
  /** Most clients authenticated at the same moment, summed over slices (slices overlap in time). */
  authenticatedPeak: number;
  authFailed: number;
  /** Clients whose every gap between PINGs (from authentication) stayed within the interval. */
  pingChecked: number;
  pingLate: number;
  pingWorstGapMs: number;
  /** Answering clients watched past the drop timeout, and those the server closed anyway. */
  keepaliveChecked: number;
  keepaliveDropped: number;
  keepaliveShort: number;
  /** Silent clients: dropped in the window, too early, too late / never. */
  silentChecked: number;
  silentDroppedInWindow: number;
  silentEarly: number;
  silentNever: number;
  silentWorstMs: number;
  textMaxSent: number;
  textMaxAccepted: number;
  textMaxRefused: number;
  textOverSent: number;
  textOverRefused: number;
  /** Over-long texts that got a success reply or reached a recipient. */
  textOverAccepted: number;
  textOverDelivered: number;
  textNoAnswer: number;
  oversizeSent: number;
  oversizeRefused: number;
  oversizeNoAnswer: number;
  /** Regular clients (not silent, not oversize senders) closed by the server during the run. */
  unexpectedDrops: number;
  /** Deliveries lost or duplicated in regular rooms while the limits were probed. */
  deliveryLost: number;
  examples: string[];
}

export function emptyTally(): LimitTally {
  return {
    clients: 0, lagAllowanceMs: 0, authenticatedPeak: 0, authFailed: 0, pingChecked: 0, pingLate: 0, pingWorstGapMs: 0,
    keepaliveChecked: 0, keepaliveDropped: 0, keepaliveShort: 0, silentChecked: 0, silentDroppedInWindow: 0, silentEarly: 0,
    silentNever: 0, silentWorstMs: 0, textMaxSent: 0, textMaxAccepted: 0, textMaxRefused: 0, textOverSent: 0, textOverRefused: 0,
    textOverAccepted: 0, textOverDelivered: 0, textNoAnswer: 0, oversizeSent: 0, oversizeRefused: 0, oversizeNoAnswer: 0,
    unexpectedDrops: 0, deliveryLost: 0, examples: [],
  };
}

const MAX_EXAMPLES = 10;

export function addExample(t: LimitTally, text: string): void {
  if (t.examples.length < MAX_EXAMPLES) t.examples.push(text);
}

export function mergeTallies(parts: readonly LimitTally[]): LimitTally {
  const out = emptyTally();
  for (const p of parts) {
    for (const key of Object.keys(out) as (keyof LimitTally)[]) {
      if (key === 'examples') continue;
      if (key === 'pingWorstGapMs' || key === 'silentWorstMs' || key === 'lagAllowanceMs') out[key] = Math.max(out[key], p[key]);
      else (out[key] as number) += p[key] as number;
    }
    for (const e of p.examples) addExample(out, e);
  }
  return out;
}

export interface LimitContext {
  pingIntervalMs: number;
  pongTimeoutMs: number;
  toleranceMs: number;
  maxTextChars: number;
  maxMessageBytes: number;
  /** Clients the run asked for (all slices together). */
  clients: number;
  profile: string;
  file?: string;
  line?: number;
}

function finding(verdict: Verdict, code: string, message: string, section: string): Finding {
  return { verdict, code, message, section };
}

/** The report cases of a limits run, from the merged tally. */
export function limitCases(t: LimitTally, ctx: LimitContext, durationMs: number): CaseResult[] {
  const cases: CaseResult[] = [];
  const add = (id: string, title: string, sections: string[], findings: Finding[], decisions: string[]): void => {
    const worst = findings.find((f) => f.verdict === 'ERROR') ?? findings.find((f) => f.verdict === 'FAIL');
    const verdict: Verdict = worst?.verdict ?? 'PASS';
    cases.push({
      id, title, profile: ctx.profile, specSections: sections, strength: 'MUST', tags: ['load', 'limits', ...decisions],
      verdict, durationMs: Math.round(durationMs), ...(worst ? { decidedBy: worst } : {}),
      ...(ctx.file ? { file: ctx.file } : {}), ...(ctx.line ? { line: ctx.line } : {}),
      findings: findings.length ? findings : [finding('PASS', 'CC_LOAD_OK', 'held', sections[0] ?? '')], transcript: [],
    });
  };
  const tol = t.lagAllowanceMs > 0 ? `${formatDuration(ctx.toleranceMs)} + ${formatDuration(t.lagAllowanceMs)} generator lag` : formatDuration(ctx.toleranceMs);

  add('load.limits.connections', `${ctx.clients} concurrent authenticated clients`, ['ASSA §10.1'], [
    t.authenticatedPeak >= ctx.clients
      ? finding('PASS', 'CC_LOAD_CONNECTIONS', `${t.authenticatedPeak} clients were authenticated at the same time`, 'ASSA §10.1')
      : finding('FAIL', 'CC_LOAD_CONNECTIONS', `at most ${t.authenticatedPeak} of ${ctx.clients} clients were authenticated at the same time (${t.authFailed} authentications failed)`, 'ASSA §10.1'),
  ], ['assa.D18.connections']);

  add('load.limits.ping-interval', `every client gets PING within ${formatDuration(ctx.pingIntervalMs)}`, ['ASSA §10.2', 'ASSA §8.2'], [
    t.pingChecked === 0
      ? finding('ERROR', 'CC_LOAD_NOT_OBSERVED', 'no client was connected long enough to observe a PING interval', 'ASSA §10.2')
      : t.pingLate > 0
        ? finding('FAIL', 'CC_LOAD_PING_LATE', `${t.pingLate} of ${t.pingChecked} clients waited longer than ${formatDuration(ctx.pingIntervalMs)} (+${tol}) for a PING; worst gap ${formatDuration(t.pingWorstGapMs)}`, 'ASSA §10.2')
        : finding('PASS', 'CC_LOAD_PING', `${t.pingChecked} clients: every PING gap within the interval (worst ${formatDuration(t.pingWorstGapMs)})`, 'ASSA §10.2'),
  ], ['assa.D5.heartbeat']);

  add('load.limits.pong-keepalive', `clients answering PONG stay connected past ${formatDuration(ctx.pongTimeoutMs)}`, ['ASSA §10.2'], [
    t.keepaliveChecked === 0
      ? finding('ERROR', 'CC_LOAD_NOT_OBSERVED', `no answering client was watched past the drop timeout (run longer than ${formatDuration(ctx.pongTimeoutMs)})`, 'ASSA §10.2')
      : t.keepaliveDropped > 0
        ? finding('FAIL', 'CC_LOAD_KEEPALIVE_DROPPED', `${t.keepaliveDropped} of ${t.keepaliveChecked} clients that answered every PING were disconnected by the server`, 'ASSA §10.2')
        : finding('PASS', 'CC_LOAD_KEEPALIVE', `${t.keepaliveChecked} answering clients stayed connected past the drop timeout`, 'ASSA §10.2'),
  ], ['assa.D5.heartbeat']);

  if (t.silentChecked > 0) {
    const bad = t.silentEarly + t.silentNever;
    add('load.limits.pong-drop', `clients that stop answering are dropped after ${formatDuration(ctx.pongTimeoutMs)}`, ['ASSA §10.2'], [
      bad > 0
        ? finding('FAIL', 'CC_LOAD_SILENT_NOT_DROPPED', `${t.silentNever} of ${t.silentChecked} silent clients were not dropped within ${formatDuration(ctx.pongTimeoutMs)} (+${tol}) and ${t.silentEarly} were dropped early`, 'ASSA §10.2')
        : finding('PASS', 'CC_LOAD_SILENT_DROPPED', `${t.silentDroppedInWindow} silent clients were dropped by the timeout (latest after ${formatDuration(t.silentWorstMs)})`, 'ASSA §10.2'),
    ], ['assa.D5.heartbeat']);
  }

  if (t.textMaxSent > 0 || t.textOverSent > 0) {
    const findings: Finding[] = [];
    if (t.textMaxRefused > 0 || t.textMaxAccepted < t.textMaxSent) {
      findings.push(finding('FAIL', 'CC_LOAD_TEXT_MAX_REFUSED', `${t.textMaxSent - t.textMaxAccepted} of ${t.textMaxSent} messages of exactly ${ctx.maxTextChars} characters were not accepted`, 'ASSA §10.1'));
    }
    if (t.textOverAccepted + t.textOverDelivered + t.textNoAnswer > 0 || t.textOverRefused < t.textOverSent) {
      findings.push(finding('FAIL', 'CC_LOAD_TEXT_OVER_ACCEPTED', `of ${t.textOverSent} messages of ${ctx.maxTextChars + 1} characters, ${t.textOverRefused} were refused with MESSAGE_TOO_LONG, ${t.textOverAccepted} accepted, ${t.textOverDelivered} delivered, ${t.textNoAnswer} unanswered`, 'ASSA §10.1'));
    }
    if (!findings.length) findings.push(finding('PASS', 'CC_LOAD_TEXT_LIMIT', `${t.textMaxAccepted} messages of ${ctx.maxTextChars} characters accepted, ${t.textOverRefused} of ${ctx.maxTextChars + 1} refused with MESSAGE_TOO_LONG, under load`, 'ASSA §10.1'));
    add('load.limits.text-length', `${ctx.maxTextChars}-character messages delivered, ${ctx.maxTextChars + 1} refused, under load`, ['ASSA §10.1'], findings, ['assa.D2.text-length']);
  }

  if (t.oversizeSent > 0) {
    const findings: Finding[] = [];
    if (t.oversizeRefused < t.oversizeSent) {
      findings.push(finding('FAIL', 'CC_LOAD_OVERSIZE_NOT_REFUSED', `${t.oversizeSent - t.oversizeRefused} of ${t.oversizeSent} messages of ${ctx.maxMessageBytes + 1} bytes were not refused (no MESSAGE_TOO_LONG, no close 1009) within the response timeout`, 'ASSA §10.1'));
    }
    if (t.unexpectedDrops > 0 || t.deliveryLost > 0) {
      findings.push(finding('FAIL', 'CC_LOAD_OTHERS_DISTURBED', `other clients were disturbed: ${t.unexpectedDrops} disconnected, ${t.deliveryLost} deliveries lost`, 'ASSA §10.1'));
    }
    if (!findings.length) findings.push(finding('PASS', 'CC_LOAD_OVERSIZE_REFUSED', `${t.oversizeRefused} messages of ${ctx.maxMessageBytes + 1} bytes refused; no other client disconnected, no delivery lost`, 'ASSA §10.1'));
    add('load.limits.message-size', `${ctx.maxMessageBytes + 1}-byte messages refused without disturbing the others`, ['ASSA §10.1'], findings, ['assa.D3.message-size']);
  }
  if (t.examples.length) {
    const first = cases.find((c) => c.verdict === 'FAIL');
    first?.findings.push(finding('INFORMATIONAL', 'CC_LOAD_EXAMPLES', `examples: ${t.examples.join('; ')}`, first.specSections[0] ?? ''));
  }
  return cases;
}
