/**
 * Limits at scale (ASSA §10.1, §10.2): what every client of a limits run observed, tallied per
 * worker or shard (`LimitTally`, plain numbers that add up exactly), and the report cases built
 * from the merged tally, one per rule with its verdict and evidence.
 */
import { capVerdict, caseVerdict } from '../conformance/verdict.js';
import type { FindingCode } from '../findings.js';
import type { CaseResult, Finding, Verdict } from '../report/model.js';
import type { DecisionClass, DecisionPolicy } from '../spec/source.js';
import { formatDuration } from '../util/duration.js';

export interface LimitTally {
  clients: number;
  /** The generator's own longest event-loop stall (worst slice), allowed on late timer events. */
  lagAllowanceMs: number;
  /** Most clients authenticated at the same moment, summed over slices (slices overlap in time). */
  authenticatedPeak: number;
  authFailed: number;
  /** Clients watched for a PING interval: those that waited too long by the seed, and by our reading (the first one). */
  pingChecked: number;
  pingLate: number;
  firstPingLate: number;
  pingWorstGapMs: number;
  /** Answering clients watched past the drop timeout, and those the server closed anyway. */
  keepaliveChecked: number;
  keepaliveDropped: number;
  keepaliveShort: number;
  /**
   * Silent clients: dropped at the pong timeout after CONNECT (our reading), elsewhere within the
   * seed's bounds, before half the pong timeout, or not by the ping interval plus the pong timeout.
   */
  silentChecked: number;
  silentDroppedInWindow: number;
  silentOffReading: number;
  silentTooEarly: number;
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
  /** Refused in any way; of those, by closing the connection, and in another form than assa.D3.refusal's. */
  oversizeRefused: number;
  oversizeClosed: number;
  oversizeOtherForm: number;
  oversizeNoAnswer: number;
  /** Regular clients (not silent, not oversize senders) closed by the server during the run. */
  unexpectedDrops: number;
  /** Deliveries lost or duplicated in regular rooms while the limits were probed. */
  deliveryLost: number;
  examples: string[];
}

export function emptyTally(): LimitTally {
  return {
    clients: 0, lagAllowanceMs: 0, authenticatedPeak: 0, authFailed: 0, pingChecked: 0, pingLate: 0, firstPingLate: 0, pingWorstGapMs: 0,
    keepaliveChecked: 0, keepaliveDropped: 0, keepaliveShort: 0, silentChecked: 0, silentDroppedInWindow: 0, silentOffReading: 0, silentTooEarly: 0,
    silentNever: 0, silentWorstMs: 0, textMaxSent: 0, textMaxAccepted: 0, textMaxRefused: 0, textOverSent: 0, textOverRefused: 0,
    textOverAccepted: 0, textOverDelivered: 0, textNoAnswer: 0, oversizeSent: 0, oversizeRefused: 0, oversizeClosed: 0, oversizeOtherForm: 0, oversizeNoAnswer: 0,
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
  /** The profile's decisions and policy: a deviation from a decision is capped by its class, as `run` caps it. */
  decisions: readonly { id: string; class: DecisionClass }[];
  policy: DecisionPolicy;
  file?: string;
  line?: number;
}

function finding(verdict: Verdict, code: FindingCode, message: string, section: string): Finding {
  return { verdict, code, message, section };
}

/**
 * A deviation from one of the profile's decisions: a FAIL capped by the decision's class (a reading
 * NON-STRICT, a choice INFORMATIONAL; both FAIL under `decisionPolicy: enforce`), citing it.
 */
function fromDecision(ctx: LimitContext, id: string, code: FindingCode, message: string, section: string): Finding {
  const kind = ctx.decisions.find((d) => d.id === id)?.class ?? 'reading';
  const verdict = capVerdict('FAIL', kind, ctx.policy);
  return { ...finding(verdict, code, message, section), source: { kind, rule: id }, ...(verdict === 'FAIL' ? {} : { cappedFrom: 'FAIL' as const }) };
}

/** The report cases of a limits run, from the merged tally. */
export function limitCases(t: LimitTally, ctx: LimitContext, durationMs: number): CaseResult[] {
  const cases: CaseResult[] = [];
  const add = (id: string, title: string, sections: string[], findings: Finding[], decisions: string[]): void => {
    // The verdict rule of a conformance case: the worst finding decides.
    const { verdict, decidedBy } = caseVerdict(findings, 'MUST');
    cases.push({
      id, title, profile: ctx.profile, specSections: sections, strength: 'MUST', tags: ['load', 'limits', ...decisions],
      verdict, durationMs: Math.round(durationMs), ...(decidedBy ? { decidedBy } : {}),
      ...(ctx.file ? { file: ctx.file } : {}), ...(ctx.line ? { line: ctx.line } : {}),
      findings, transcript: [],
    });
  };
  const tol = t.lagAllowanceMs > 0 ? `${formatDuration(ctx.toleranceMs)} + ${formatDuration(t.lagAllowanceMs)} generator lag` : formatDuration(ctx.toleranceMs);

  add('load.limits.connections', `${ctx.clients} concurrent authenticated clients`, ['ASSA §10.1'], [
    t.authenticatedPeak >= ctx.clients
      ? finding('PASS', 'CC_LOAD_CONNECTIONS', `${t.authenticatedPeak} clients were authenticated at the same time`, 'ASSA §10.1')
      : finding('FAIL', 'CC_LOAD_CONNECTIONS', `at most ${t.authenticatedPeak} of ${ctx.clients} clients were authenticated at the same time (${t.authFailed} authentications failed)`, 'ASSA §10.1'),
  ], ['assa.D18.connections']);

  const pingFindings: Finding[] = [];
  if (t.pingChecked === 0) pingFindings.push(finding('ERROR', 'CC_LOAD_NOT_OBSERVED', 'no client was connected long enough to observe a PING interval', 'ASSA §10.2'));
  else {
    if (t.pingLate > 0) pingFindings.push(finding('FAIL', 'CC_LOAD_PING_LATE', `${t.pingLate} of ${t.pingChecked} clients waited longer than ${formatDuration(ctx.pingIntervalMs)} (+${tol}) between PINGs, or ${formatDuration(2 * ctx.pingIntervalMs)} for the first; worst gap ${formatDuration(t.pingWorstGapMs)}`, 'ASSA §10.2'));
    if (t.firstPingLate > 0) {
      pingFindings.push(fromDecision(ctx, 'assa.D5.heartbeat', 'CC_LOAD_FIRST_PING_LATE', `${t.firstPingLate} of ${t.pingChecked} clients got their first PING more than ${formatDuration(ctx.pingIntervalMs)} (+${tol}) after CONNECT (assa.D5.heartbeat: within the interval); every later gap was within it`, 'ASSA §10.2'));
    }
    if (!pingFindings.length) pingFindings.push(finding('PASS', 'CC_LOAD_PING', `${t.pingChecked} clients: every PING gap within the interval (worst ${formatDuration(t.pingWorstGapMs)})`, 'ASSA §10.2'));
  }
  add('load.limits.ping-interval', `every client gets PING within ${formatDuration(ctx.pingIntervalMs)}`, ['ASSA §10.2', 'ASSA §8.2'], pingFindings, ['assa.D5.heartbeat']);

  const deadline = ctx.pingIntervalMs + ctx.pongTimeoutMs;
  add('load.limits.pong-keepalive', `clients answering PONG stay connected past ${formatDuration(deadline)} (the PING interval plus the pong timeout)`, ['ASSA §10.2'], [
    t.keepaliveChecked === 0
      ? finding('ERROR', 'CC_LOAD_NOT_OBSERVED', `no answering client was watched past the drop deadline (run longer than ${formatDuration(deadline)})`, 'ASSA §10.2')
      : t.keepaliveDropped > 0
        ? finding('FAIL', 'CC_LOAD_KEEPALIVE_DROPPED', `${t.keepaliveDropped} of ${t.keepaliveChecked} clients that answered every PING were disconnected by the server`, 'ASSA §10.2')
        : finding('PASS', 'CC_LOAD_KEEPALIVE', `${t.keepaliveChecked} answering clients stayed connected past the drop deadline`, 'ASSA §10.2'),
  ], ['assa.D5.heartbeat']);

  if (t.silentChecked > 0) {
    const findings: Finding[] = [];
    if (t.silentNever + t.silentTooEarly > 0) {
      findings.push(finding('FAIL', 'CC_LOAD_SILENT_NOT_DROPPED', `${t.silentNever} of ${t.silentChecked} silent clients were not dropped within ${formatDuration(deadline)} (the PING interval plus the pong timeout, +${tol}) and ${t.silentTooEarly} were dropped before half the pong timeout`, 'ASSA §10.2'));
    }
    if (t.silentOffReading > 0) {
      findings.push(fromDecision(ctx, 'assa.D5.heartbeat', 'CC_LOAD_SILENT_DROP_TIME', `${t.silentOffReading} of ${t.silentChecked} silent clients were dropped, within the seed's bounds, but not ${formatDuration(ctx.pongTimeoutMs)} (+${tol}) after CONNECT as assa.D5.heartbeat counts it (latest after ${formatDuration(t.silentWorstMs)})`, 'ASSA §10.2'));
    }
    if (!findings.length) findings.push(finding('PASS', 'CC_LOAD_SILENT_DROPPED', `${t.silentDroppedInWindow} silent clients were dropped by the timeout (latest after ${formatDuration(t.silentWorstMs)})`, 'ASSA §10.2'));
    add('load.limits.pong-drop', `clients that stop answering are dropped after ${formatDuration(ctx.pongTimeoutMs)}`, ['ASSA §10.2'], findings, ['assa.D5.heartbeat']);
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
      findings.push(finding('FAIL', 'CC_LOAD_OVERSIZE_NOT_REFUSED', `${t.oversizeSent - t.oversizeRefused} of ${t.oversizeSent} messages of ${ctx.maxMessageBytes + 1} bytes were not refused (no refusal, no close) within the response timeout`, 'ASSA §10.1'));
    }
    if (t.unexpectedDrops > 0 || t.deliveryLost > 0) {
      findings.push(finding('FAIL', 'CC_LOAD_OTHERS_DISTURBED', `other clients were disturbed: ${t.unexpectedDrops} disconnected, ${t.deliveryLost} deliveries lost`, 'ASSA §10.1'));
    }
    if (!findings.length && t.oversizeOtherForm > 0) {
      findings.push(fromDecision(ctx, 'assa.D3.refusal', 'CC_LOAD_OVERSIZE_FORM', `${t.oversizeRefused} messages of ${ctx.maxMessageBytes + 1} bytes refused, no other client disconnected, no delivery lost; ${t.oversizeOtherForm} of them otherwise than assa.D3.refusal says (an ERROR reply on a stream, close 1009 on WebSocket): ${t.oversizeClosed} by closing the connection, ${t.oversizeRefused - t.oversizeClosed} with an error reply`, 'ASSA §10.1'));
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
