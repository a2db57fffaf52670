/**
 * The registry of wire diagnostics: every fault a peer can commit on the wire has one stable
 * `CC_WIRE_*` code, the section of the rule it breaks, and a one-line explanation. Transports never
 * invent codes inline; they call `wireDiagnostic()` with a key of this table.
 *
 * ws already detects most RFC 6455 faults and reports them as `err.code = 'WS_ERR_*'` plus a close
 * code (node_modules/ws/lib/receiver.js, `createError`); `fromWsError()` maps those codes instead of
 * re-parsing frames. The strict path only parses frame headers itself for what ws accepts silently
 * (non-minimal length encodings, a reset in the middle of a frame).
 */
import type { Diagnostic, Severity } from './types.js';

interface WireDef {
  readonly section: string;
  readonly explanation: string;
  /** Severity when the client is strict; lenient mode downgrades the recoverable ones. */
  readonly severity: Severity;
  /** Lenient mode carries on through it and records it as non-strict. */
  readonly recoverable?: boolean;
}

export const WIRE_DIAGNOSTICS = {
  // Deadlines.
  CC_WIRE_TIMEOUT: { section: 'chat-conform deadlines', explanation: 'nothing arrived before the deadline of the awaited event', severity: 'fail' },
  CC_WIRE_CONNECT_TIMEOUT: { section: 'chat-conform deadlines', explanation: 'the TCP (or TLS) connection was not established before the connect deadline', severity: 'fail' },
  CC_WIRE_HANDSHAKE_TIMEOUT: { section: 'RFC 6455 §4.1', explanation: 'the server accepted the connection but sent no complete handshake reply before the deadline', severity: 'fail' },
  CC_WIRE_CLOSE_TIMEOUT: { section: 'RFC 6455 §7.1.1', explanation: 'the close handshake did not complete before its deadline; the socket was destroyed', severity: 'fail' },
  CC_WIRE_WRITE_TIMEOUT: { section: 'chat-conform deadlines', explanation: 'the peer did not read what was sent (the write did not drain) before the deadline', severity: 'fail' },

  // Opening handshake.
  CC_WIRE_HANDSHAKE_STATUS: { section: 'RFC 6455 §4.1', explanation: 'the handshake was answered with a status other than 101 Switching Protocols', severity: 'fail' },
  CC_WIRE_HANDSHAKE_ACCEPT_MISSING: { section: 'RFC 6455 §4.1', explanation: 'the 101 reply has no Sec-WebSocket-Accept header', severity: 'fail' },
  CC_WIRE_HANDSHAKE_ACCEPT_WRONG: { section: 'RFC 6455 §4.1', explanation: 'Sec-WebSocket-Accept is not base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))', severity: 'fail' },
  CC_WIRE_HANDSHAKE_UPGRADE: { section: 'RFC 6455 §4.1', explanation: 'the 101 reply lacks `Upgrade: websocket` or `Connection: Upgrade`', severity: 'fail' },
  CC_WIRE_HANDSHAKE_SUBPROTOCOL: { section: 'RFC 6455 §4.1', explanation: 'the server selected a subprotocol the client did not offer, or none when one was required', severity: 'fail' },
  CC_WIRE_HANDSHAKE_EXTENSION: { section: 'RFC 6455 §9.1', explanation: 'the server accepted an extension the client did not offer, or sent an invalid Sec-WebSocket-Extensions', severity: 'fail' },
  CC_WIRE_HANDSHAKE_MALFORMED: { section: 'RFC 7230 §3', explanation: 'the handshake reply is not a well-formed HTTP/1.1 response', severity: 'fail' },
  CC_WIRE_HANDSHAKE_CLOSED: { section: 'RFC 6455 §4.1', explanation: 'the server closed the connection before answering the handshake', severity: 'fail' },
  CC_WIRE_HEADER_CASE: { section: 'RFC 7230 §3.2', explanation: 'the server only answers one letter case of a header name, though header names are case-insensitive', severity: 'fail', recoverable: true },

  // Frames.
  CC_WIRE_RSV_BITS: { section: 'RFC 6455 §5.2', explanation: 'a frame has RSV1, RSV2 or RSV3 set though no extension defining them was negotiated', severity: 'fail', recoverable: true },
  CC_WIRE_RESERVED_OPCODE: { section: 'RFC 6455 §5.2', explanation: 'a frame uses a reserved opcode (0x3-0x7 or 0xB-0xF)', severity: 'fail' },
  CC_WIRE_MASKED_FRAME: { section: 'RFC 6455 §5.1', explanation: 'the server masked a frame; a server must never mask frames it sends', severity: 'fail' },
  CC_WIRE_NON_MINIMAL_LENGTH: { section: 'RFC 6455 §5.2', explanation: 'a payload length was encoded in more bytes than needed; the minimal encoding is required', severity: 'fail', recoverable: true },
  CC_WIRE_FRAGMENTATION: { section: 'RFC 6455 §5.4', explanation: 'frames were fragmented illegally (a continuation with nothing to continue, a new message inside a fragmented one, or a fragmented control frame)', severity: 'fail' },
  CC_WIRE_CONTROL_FRAME: { section: 'RFC 6455 §5.5', explanation: 'a control frame carries more than 125 bytes of payload', severity: 'fail' },
  CC_WIRE_INVALID_UTF8: { section: 'RFC 6455 §8.1', explanation: 'a text frame (or a close reason) is not valid UTF-8', severity: 'fail' },
  CC_WIRE_OVERSIZED: { section: 'RFC 6455 §10.4', explanation: 'an inbound message is larger than the configured limit; it was refused before buffering and the connection cut', severity: 'fail' },
  CC_WIRE_INVALID_CLOSE_CODE: { section: 'RFC 6455 §7.4', explanation: 'the close frame carries a code that is reserved or undefined for use on the wire (or a 1-byte payload)', severity: 'fail' },
  CC_WIRE_NO_CLOSE_FRAME: { section: 'RFC 6455 §7.1.5', explanation: 'the connection ended without a close frame (close code 1006)', severity: 'fail' },
  CC_WIRE_RESET_MID_MESSAGE: { section: 'RFC 6455 §7.1.5', explanation: 'the connection ended in the middle of a frame or message; what had arrived was discarded', severity: 'fail' },
  CC_WIRE_CONNECTION_RESET: { section: 'RFC 793 §3.4', explanation: 'the peer reset the connection (ECONNRESET or EPIPE)', severity: 'fail' },
  CC_WIRE_NO_PONG: { section: 'RFC 6455 §5.5.2', explanation: 'the server did not answer a ping with a pong before the deadline', severity: 'fail' },
  CC_WIRE_PROTOCOL_ERROR: { section: 'RFC 6455 §5', explanation: 'the WebSocket library rejected the stream for a reason without a more specific code', severity: 'fail' },

  // Byte streams (tcp://, tcp+lp://, tls://).
  CC_WIRE_LINE_INVALID_UTF8: { section: 'ASSA §1.1 (UTF-8), RFC 3629', explanation: 'a line is not valid UTF-8', severity: 'fail' },
  CC_WIRE_BARE_CR: { section: 'ASSA decision assa.D1.framing', explanation: 'a line was ended by a bare \\r instead of \\n (or \\r\\n)', severity: 'fail', recoverable: true },

  // Payloads.
  CC_WIRE_NOT_JSON: { section: 'RFC 8259', explanation: 'a message payload is not JSON text', severity: 'fail' },
  CC_WIRE_NOT_MSGPACK: { section: 'MessagePack spec', explanation: 'a message payload is not exactly one MessagePack value', severity: 'fail' },
  CC_WIRE_NOT_OBJECT: { section: 'ASSA §2.1', explanation: 'a message decoded to a value that is not an object (map)', severity: 'fail' },
} as const satisfies Record<string, WireDef>;

export type WireCode = keyof typeof WIRE_DIAGNOSTICS;

export function isWireCode(code: string): code is WireCode {
  return Object.prototype.hasOwnProperty.call(WIRE_DIAGNOSTICS, code);
}

/**
 * Builds a Diagnostic for `code`. `lenient` downgrades a recoverable fault to non-strict;
 * `severity` overrides both (e.g. a probe observation that is informational).
 */
export function wireDiagnostic(
  code: WireCode,
  message?: string,
  detail?: Record<string, unknown>,
  opts: { lenient?: boolean; severity?: Severity } = {},
): Diagnostic {
  const def: WireDef = WIRE_DIAGNOSTICS[code];
  const severity = opts.severity ?? (opts.lenient && def.recoverable ? 'non-strict' : def.severity);
  const d: Diagnostic = { code, section: def.section, message: message ?? def.explanation, severity, at: performance.now() };
  if (detail !== undefined) d.detail = detail;
  return d;
}

/** A timeout diagnostic that names what was awaited, e.g. "no reply to SEND_MESSAGE". */
export function timeoutDiagnostic(awaiting: string, timeoutMs: number): Diagnostic {
  return wireDiagnostic('CC_WIRE_TIMEOUT', `timed out after ${timeoutMs} ms awaiting ${awaiting}`, { awaiting, timeoutMs });
}

const WS_CODE_MAP: Readonly<Record<string, WireCode>> = {
  WS_ERR_UNEXPECTED_RSV_1: 'CC_WIRE_RSV_BITS',
  WS_ERR_UNEXPECTED_RSV_2_3: 'CC_WIRE_RSV_BITS',
  WS_ERR_EXPECTED_FIN: 'CC_WIRE_FRAGMENTATION',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 'CC_WIRE_CONTROL_FRAME',
  WS_ERR_UNEXPECTED_MASK: 'CC_WIRE_MASKED_FRAME',
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'CC_WIRE_OVERSIZED',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 'CC_WIRE_OVERSIZED',
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 'CC_WIRE_OVERSIZED',
  WS_ERR_INVALID_UTF8: 'CC_WIRE_INVALID_UTF8',
  WS_ERR_INVALID_CLOSE_CODE: 'CC_WIRE_INVALID_CLOSE_CODE',
};

/** The WebSocket close code ws attached to a receiver error (a symbol-keyed property). */
function wsStatusCode(err: Error): number | undefined {
  for (const sym of Object.getOwnPropertySymbols(err)) {
    const v = (err as unknown as Record<symbol, unknown>)[sym];
    if (typeof v === 'number' && sym.description === 'status-code') return v;
  }
  return undefined;
}

/** Maps an error ws emitted after the handshake to a diagnostic. */
export function fromWsError(err: Error & { code?: string }): Diagnostic {
  const wsCode = err.code ?? '';
  const detail: Record<string, unknown> = { wsCode, wsMessage: err.message };
  const closeCode = wsStatusCode(err);
  if (closeCode !== undefined) detail.closeCode = closeCode;
  if (wsCode === 'WS_ERR_INVALID_OPCODE') {
    // ws reports fragmentation faults as "invalid opcode 0/1/2" (continuation with nothing to
    // continue, or a new data frame inside a fragmented message); other numbers are reserved.
    const n = Number(/invalid opcode (\d+)/.exec(err.message)?.[1]);
    const code: WireCode = n <= 2 ? 'CC_WIRE_FRAGMENTATION' : 'CC_WIRE_RESERVED_OPCODE';
    return wireDiagnostic(code, `${WIRE_DIAGNOSTICS[code].explanation} (${err.message})`, { ...detail, opcode: n });
  }
  if (wsCode === 'ECONNRESET' || wsCode === 'EPIPE') return wireDiagnostic('CC_WIRE_CONNECTION_RESET', undefined, detail);
  const mapped = WS_CODE_MAP[wsCode];
  if (mapped) return wireDiagnostic(mapped, `${WIRE_DIAGNOSTICS[mapped].explanation} (${err.message})`, detail);
  return wireDiagnostic('CC_WIRE_PROTOCOL_ERROR', `${err.message}`, detail);
}
