import type { CaseResult, Finding, RunReport, TranscriptEntry } from './model.js';

/**
 * Redaction: secrets never reach a report, a log line or a rendered file. Applied to the run's
 * options and to every transcript, finding and evidence before anything is written or printed.
 * Over-redacting is the safe side: a field that merely looks secret is hidden.
 */

export const REDACTED = '[REDACTED]';

/** Key names whose values are secrets: secret, password, token, jwt_token, key, authorization... */
const SECRET_KEY = /secret|passw(?:or)?d|passphrase|token|jwt|authori[sz]ation|credential|cookie|(?:^|[_\-.])(?:api|private|signing|access)?_?key$|^key$|apikey/i;

/** A JWT (or any JWS/JWE compact form): three base64url segments, the header starting `eyJ`. */
const JWT = /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;

/** `Authorization: Bearer x`, `authorization=Basic x`, in headers and logged request lines. */
const AUTH_HEADER = /\b(authorization|proxy-authorization)(\s*[:=]\s*)(?:(bearer|basic|digest|token)\s+)?[^\s",;}]+/gi;

/** `"password": "x"` inside JSON text (transcripts are the raw wire text). */
const JSON_SECRET_VALUE = /"([^"\\]{1,64})"(\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)/g;

/** `token=x` in URLs and query strings; the value ends where a URL cannot go on (quotes, backticks, angle brackets). */
const QUERY_SECRET = /([?&;])([^=&#\s]{1,64})=([^&#\s"'`<>]*)/g;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Redacts secrets inside free text: JWTs, Authorization headers, secret JSON fields, query parameters. */
export function redactText(text: string): string {
  if (text.length === 0) return text;
  let out = text.replace(JWT, REDACTED);
  out = out.replace(AUTH_HEADER, (_m, name: string, sep: string, scheme: string | undefined) => `${name}${sep}${scheme ? `${scheme} ` : ''}${REDACTED}`);
  if (out.includes('"')) {
    out = out.replace(JSON_SECRET_VALUE, (whole, key: string, sep: string) => (isSecretKey(key) ? `"${key}"${sep}"${REDACTED}"` : whole));
  }
  if (out.includes('=')) {
    out = out.replace(QUERY_SECRET, (whole, lead: string, key: string) => (isSecretKey(key) ? `${lead}${key}=${REDACTED}` : whole));
  }
  return out;
}

/**
 * Redacts a JSON-like value deeply: values under secret-looking keys become `[REDACTED]`, and
 * every string is scrubbed with `redactText`. Returns a new value; the input is not changed.
 */
export function redact<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && isSecretKey(key) && value !== null && value !== undefined && value !== '' && typeof value !== 'boolean') {
    return REDACTED;
  }
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, undefined));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k);
    return out;
  }
  return value;
}

export function redactTranscriptEntry(entry: TranscriptEntry): TranscriptEntry {
  const out: TranscriptEntry = { ...entry, text: redactText(entry.text) };
  if (entry.event !== undefined) out.event = redactText(entry.event);
  if (entry.schemaErrors) out.schemaErrors = entry.schemaErrors.map((e) => redact(e));
  return out;
}

export function redactFinding(finding: Finding): Finding {
  return redact(finding);
}

export function redactCase(result: CaseResult): CaseResult {
  return {
    ...result,
    ...(result.description !== undefined ? { description: redactText(result.description) } : {}),
    ...(result.decidedBy ? { decidedBy: redactFinding(result.decidedBy) } : {}),
    ...(result.blockedBy ? { blockedBy: redact(result.blockedBy) } : {}),
    findings: result.findings.map(redactFinding),
    transcript: result.transcript.map(redactTranscriptEntry),
  };
}

/**
 * The report as it may be written: options, target URL, cases, transcripts, evidence, root causes
 * and message-shape samples redacted.
 * Metric names and encodings are left alone (a counter named errors.INVALID_TOKEN is not a secret).
 */
export function redactReport(report: RunReport): RunReport {
  return {
    ...report,
    target: { ...report.target, url: redactText(report.target.url) },
    options: redact(report.options),
    cases: report.cases.map(redactCase),
    ...(report.rootCauses ? { rootCauses: redact(report.rootCauses) } : {}),
    ...(report.shapes ? { shapes: redact(report.shapes) } : {}),
    ...(report.capacity?.limitingFactor !== undefined
      ? { capacity: { ...report.capacity, limitingFactor: redactText(report.capacity.limitingFactor) } }
      : {}),
    ...(report.generator?.reason !== undefined ? { generator: { ...report.generator, reason: redactText(report.generator.reason) } } : {}),
  };
}
