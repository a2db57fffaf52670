/**
 * `probe`: connect to a server and report what it does on the wire, as checks with verdicts.
 * WebSocket: the handshake (headers both ways, header-case retries when refused), subprotocol and
 * extensions, the first messages, frame and payload faults, whether a ping is answered, and how
 * the connection closes. Byte streams: framing, the first lines, encoding faults, the close.
 * Every step has a deadline; an unreachable target or a bad URL throws (exit 2).
 */
import type { CodecName, FramingName, TransportScheme } from '../profile/types.js';
import { isCcError } from '../errors.js';
import { codecFor } from '../codec/index.js';
import { connect } from './connect.js';
import { connectLenientWs } from './lenient-ws-transport.js';
import { diagnosticOf } from './connect-errors.js';
import { WIRE_DIAGNOSTICS, isWireCode, wireDiagnostic } from './diagnostics.js';
import { parseTarget } from './target.js';
import { TcpConnection } from './tcp-transport.js';
import type { Connection, ConnectOptions, Diagnostic, HandshakeInfo, InboundEvent } from './types.js';

export type ProbeVerdict = 'PASS' | 'NON-STRICT' | 'FAIL';

export interface ProbeCheck {
  id: 'connect' | 'handshake' | 'header-case' | 'subprotocol' | 'framing' | 'frames' | 'encoding' | 'payloads' | 'ping' | 'close';
  verdict: ProbeVerdict;
  summary: string;
  diagnostics: Diagnostic[];
}

export interface ProbeMessage {
  /** ms since the connection opened. */
  at: number;
  bytes: number;
  text: string;
  truncated: boolean;
}

export interface ProbeResult {
  target: string;
  scheme: TransportScheme;
  lenient: boolean;
  verdict: ProbeVerdict;
  checks: ProbeCheck[];
  handshake?: HandshakeInfo;
  /** The Upgrade/Connection spelling that worked when the standard one was refused. */
  headerCasing?: string;
  subprotocol?: string;
  extensions?: string;
  framing?: FramingName;
  firstMessages: ProbeMessage[];
  ping?: { answered: boolean; rttMs?: number };
  close?: { by: 'server' | 'client'; code?: number; reason?: string; clean: boolean };
  /** Every diagnostic seen, in order. */
  diagnostics: Diagnostic[];
  durationMs: number;
}

export interface ProbeOptions {
  url: string;
  /** Deadline of each step (connect + handshake, ping, close), in ms. Default 5 s. */
  timeoutMs?: number;
  /** How long to listen for what the server sends first, in ms. Default 2 s (at most the timeout). */
  listenMs?: number;
  lenient?: boolean;
  insecure?: boolean;
  headers?: Record<string, string>;
  subprotocols?: string[];
  codec?: CodecName;
  maxInboundBytes?: number;
}

const FIRST_MESSAGES_KEPT = 20;
const PAYLOAD_CODES = new Set<string>(['CC_WIRE_NOT_JSON', 'CC_WIRE_NOT_MSGPACK', 'CC_WIRE_NOT_OBJECT']);
const ENCODING_CODES = new Set<string>(['CC_WIRE_LINE_INVALID_UTF8']);
const CLOSE_CODES = new Set<string>(['CC_WIRE_NO_CLOSE_FRAME', 'CC_WIRE_CLOSE_TIMEOUT', 'CC_WIRE_RESET_MID_MESSAGE', 'CC_WIRE_CONNECTION_RESET']);
const CASE_SUSPECTS = new Set<string>(['CC_WIRE_HANDSHAKE_STATUS', 'CC_WIRE_HANDSHAKE_CLOSED', 'CC_WIRE_HANDSHAKE_TIMEOUT', 'CC_WIRE_HANDSHAKE_UPGRADE']);

function verdictOf(diags: readonly Diagnostic[]): ProbeVerdict {
  if (diags.some((d) => d.severity === 'fail')) return 'FAIL';
  if (diags.some((d) => d.severity === 'non-strict')) return 'NON-STRICT';
  return 'PASS';
}

function worst(checks: readonly ProbeCheck[]): ProbeVerdict {
  if (checks.some((c) => c.verdict === 'FAIL')) return 'FAIL';
  if (checks.some((c) => c.verdict === 'NON-STRICT')) return 'NON-STRICT';
  return 'PASS';
}

function check(id: ProbeCheck['id'], summary: string, diagnostics: Diagnostic[] = [], verdict?: ProbeVerdict): ProbeCheck {
  return { id, verdict: verdict ?? verdictOf(diagnostics), summary, diagnostics };
}

function describeDiags(diags: readonly Diagnostic[]): string {
  return diags.map((d) => `${d.code} ${d.message}`).join('; ');
}

/** Listens for `ms`, collecting events; stops early when the connection closes. */
function listen(conn: Connection, ms: number): Promise<InboundEvent[]> {
  const events: InboundEvent[] = [];
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      conn.setListener(null);
      resolve(events);
    };
    const timer = setTimeout(done, ms);
    conn.setListener((e) => {
      events.push(e);
      if (e.kind === 'close') done();
    });
  });
}

export async function probe(options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 5000;
  const listenMs = Math.min(options.listenMs ?? 2000, timeoutMs);
  const lenient = options.lenient === true;
  const target = parseTarget(options.url);
  const isWs = target.scheme === 'ws' || target.scheme === 'wss';
  const connectOptions: ConnectOptions = {
    url: options.url,
    codec: options.codec ?? 'json',
    connectTimeout: timeoutMs,
    closeTimeout: timeoutMs,
    maxInboundBytes: options.maxInboundBytes ?? 1024 * 1024 + 64 * 1024,
    lenient,
    tls: { insecure: options.insecure === true },
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.subprotocols ? { subprotocols: options.subprotocols } : {}),
  };
  const result: ProbeResult = { target: target.href, scheme: target.scheme, lenient, verdict: 'PASS', checks: [], firstMessages: [], diagnostics: [], durationMs: 0 };
  const finish = (): ProbeResult => {
    result.verdict = worst(result.checks);
    result.durationMs = Math.round(performance.now() - started);
    return result;
  };

  let conn: Connection;
  const t0 = performance.now();
  /** Diagnostics already placed in a check, so the listening window does not count them twice. */
  const alreadyReported = new Set<Diagnostic>();
  try {
    conn = await connect(connectOptions);
  } catch (err) {
    const refused = diagnosticOf(err);
    if (!isCcError(err) || err.code !== 'CC_ERR_HANDSHAKE' || !refused) throw err;
    result.diagnostics.push(refused);
    const seen = (refused.detail?.handshake ?? undefined) as HandshakeInfo | undefined;
    if (seen) result.handshake = seen;
    result.checks.push(check('handshake', `${refused.code} ${refused.message}`, [refused]));
    if (lenient || !CASE_SUSPECTS.has(refused.code)) return finish();
    // The standard spelling was refused: try the others below ws (seed 002's box needed one).
    try {
      conn = await connectLenientWs(target, { ...connectOptions, lenient: true, url: target.href }, codecFor(connectOptions.codec), err);
    } catch {
      result.checks.push(check('header-case', 'no other spelling of the Upgrade and Connection headers was accepted either', [], 'FAIL'));
      return finish();
    }
    const caseDiag = conn.diagnostics.find((d) => d.code === 'CC_WIRE_HEADER_CASE');
    if (caseDiag) {
      alreadyReported.add(caseDiag);
      const d: Diagnostic = { ...caseDiag, severity: 'non-strict' };
      result.checks.push(check('header-case', `accepted only "${String(caseDiag.detail?.worked)}" (probe continues with it, below ws)`, [d]));
      result.headerCasing = String(caseDiag.detail?.worked);
    }
  }
  const openedAt = performance.now();

  try {
    if (isWs) {
      if (!result.checks.some((c) => c.id === 'handshake')) {
        const caseDiag = conn.diagnostics.find((d) => d.code === 'CC_WIRE_HEADER_CASE');
        if (caseDiag) {
          // Lenient probe: the handshake needed another header spelling.
          result.headerCasing = String(caseDiag.detail?.worked);
          result.checks.push(check('handshake', `accepted only "${result.headerCasing}"`, [caseDiag]));
          alreadyReported.add(caseDiag);
        } else {
          result.checks.push(check('handshake', `${conn.handshake?.statusLine ?? '101'}, Sec-WebSocket-Accept valid (${Math.round(openedAt - t0)} ms)`));
        }
      }
      if (conn.handshake) result.handshake = conn.handshake;
      result.subprotocol = conn.protocol;
      result.extensions = conn.extensions;
      const offered = options.subprotocols ?? [];
      result.checks.push(check('subprotocol', `${offered.length ? `offered ${offered.join(', ')}; ` : 'none offered; '}selected ${conn.protocol ? JSON.stringify(conn.protocol) : 'none'}; extensions ${conn.extensions ? JSON.stringify(conn.extensions) : 'none'}`));
    } else {
      result.framing = conn instanceof TcpConnection ? conn.framing : target.framing;
      result.checks.push(check('connect', `${target.secure ? 'TLS ' : ''}connected in ${Math.round(openedAt - t0)} ms`));
    }

    const events = await listen(conn, listenMs);
    const windowDiags = events.flatMap((e) => (e.kind === 'diagnostic' && !alreadyReported.has(e.diagnostic) ? [e.diagnostic] : []));
    const messages = events.filter((e) => e.kind === 'message').length;
    result.firstMessages = conn.transcript.filter((r) => r.direction === 'in').slice(0, FIRST_MESSAGES_KEPT)
      .map((r) => ({ at: Math.round(r.at - openedAt), bytes: r.bytes, text: r.text, truncated: r.truncated }));
    const within = `in the first ${listenMs} ms`;

    const wireDiags = windowDiags.filter((d) => !PAYLOAD_CODES.has(d.code) && !ENCODING_CODES.has(d.code) && !CLOSE_CODES.has(d.code));
    if (isWs) {
      result.checks.push(check('frames', wireDiags.length ? describeDiags(wireDiags) : `no frame violations ${within}`, wireDiags));
    } else {
      const framingDiags = [...wireDiags];
      let summary = result.framing === 'length-prefixed' ? '4-byte big-endian length prefix' : 'newline-delimited';
      if (conn instanceof TcpConnection) {
        const pending = conn.inboundPending();
        if (pending.bytes > 0 && result.framing === 'ndjson' && pending.sample.includes(0x0d)) {
          framingDiags.push(wireDiagnostic('CC_WIRE_BARE_CR', `${pending.bytes} bytes arrived without a \\n but with \\r: the server seems to end lines with a bare \\r (try --lenient)`, { pendingBytes: pending.bytes }, { lenient }));
        } else if (pending.bytes > 0) summary += `; ${pending.bytes} bytes of an unfinished message after ${listenMs} ms`;
      }
      summary += `; ${messages} complete message${messages === 1 ? '' : 's'} ${within}`;
      result.checks.push(check('framing', framingDiags.length ? `${summary}; ${describeDiags(framingDiags)}` : summary, framingDiags));
      const enc = windowDiags.filter((d) => ENCODING_CODES.has(d.code));
      result.checks.push(check('encoding', enc.length ? describeDiags(enc) : 'every line is valid UTF-8', enc));
    }
    const payloadDiags = windowDiags.filter((d) => PAYLOAD_CODES.has(d.code));
    const codecName = connectOptions.codec === 'json' ? 'JSON objects' : 'MessagePack maps';
    result.checks.push(check('payloads', payloadDiags.length ? describeDiags(payloadDiags)
      : messages ? `${messages} message${messages === 1 ? '' : 's'} ${within}, all ${codecName}` : `nothing sent ${within}`, payloadDiags));

    if (isWs) {
      const ping = (conn as Connection).ping?.bind(conn);
      // No ping check once the server has closed: there is nothing to ping, and no verdict to give.
      if (!conn.closed && ping) {
        const rtt = await ping(timeoutMs);
        result.ping = rtt === undefined ? { answered: false } : { answered: true, rttMs: Math.round(rtt * 10) / 10 };
        result.checks.push(rtt === undefined
          ? check('ping', `no pong within ${timeoutMs} ms`, [wireDiagnostic('CC_WIRE_NO_PONG', `no pong within ${timeoutMs} ms`, { timeoutMs })])
          : check('ping', `pong in ${result.ping.rttMs} ms`));
      }
    }

    // How it closes: on its own during the window, or in answer to our close.
    const closeEvent = events.find((e) => e.kind === 'close');
    const windowCloseDiags = windowDiags.filter((d) => CLOSE_CODES.has(d.code));
    if (closeEvent && closeEvent.kind === 'close') {
      result.close = { by: 'server', clean: closeEvent.clean, ...(closeEvent.code !== undefined ? { code: closeEvent.code } : {}), ...(closeEvent.reason ? { reason: closeEvent.reason } : {}) };
      const how = isWs ? `with close code ${closeEvent.code ?? 'none'}${closeEvent.reason ? ` (${JSON.stringify(closeEvent.reason)})` : ''}` : 'its side';
      result.checks.push(check('close', `the server closed ${how} ${within}${windowCloseDiags.length ? `: ${describeDiags(windowCloseDiags)}` : ''}`, windowCloseDiags));
    } else {
      const before = conn.diagnostics.length;
      const t = performance.now();
      const closed = await conn.close(1000, 'probe done', timeoutMs);
      const closeDiags = conn.diagnostics.slice(before).filter((d) => CLOSE_CODES.has(d.code));
      result.close = { by: 'client', clean: closed.clean, ...(closed.code !== undefined ? { code: closed.code } : {}), ...(closed.reason ? { reason: closed.reason } : {}) };
      const answered = isWs ? `the server answered our close 1000 with ${closed.code ?? 'no code'}` : 'the server closed its side after ours';
      result.checks.push(check('close', closed.clean && closeDiags.length === 0 ? `${answered} in ${Math.round(performance.now() - t)} ms` : describeDiags(closeDiags) || 'the close did not complete cleanly', closeDiags, closed.clean || closeDiags.length ? undefined : 'FAIL'));
    }
  } finally {
    conn.destroy();
  }
  for (const d of conn.diagnostics) if (!result.diagnostics.includes(d)) result.diagnostics.push(d);
  return finish();
}

/** One line per check, then the handshake and the first messages; for people. */
export function formatProbe(r: ProbeResult): string[] {
  const lines = [`probe ${r.target} (${r.lenient ? 'lenient' : 'strict'})`];
  for (const c of r.checks) {
    const d = c.diagnostics.find((x) => x.severity !== 'info');
    const where = d && isWireCode(d.code) ? ` [${WIRE_DIAGNOSTICS[d.code].section}]` : '';
    lines.push(`${c.verdict.padEnd(10)}  ${c.id.padEnd(11)}  ${c.summary}${where}`);
  }
  if (r.handshake) {
    lines.push('handshake:');
    lines.push(`  > ${r.handshake.requestLine}`);
    for (const [k, v] of r.handshake.requestHeaders) lines.push(`  > ${k}: ${v}`);
    lines.push(`  < ${r.handshake.statusLine}`);
    for (const [k, v] of r.handshake.responseHeaders) lines.push(`  < ${k}: ${v}`);
  }
  if (r.firstMessages.length) {
    lines.push('first messages:');
    for (const m of r.firstMessages) lines.push(`  +${m.at}ms ${m.bytes} B ${m.text.replace(/\s+/g, ' ').slice(0, 200)}${m.truncated || m.text.length > 200 ? '…' : ''}`);
  }
  const count = (v: ProbeVerdict): number => r.checks.filter((c) => c.verdict === v).length;
  lines.push(`verdict: ${r.verdict} (${count('FAIL')} failed, ${count('NON-STRICT')} non-strict, ${count('PASS')} passed) in ${r.durationMs} ms`);
  return lines;
}

