/**
 * Turns what can go wrong while opening a connection into the user-facing error: an unreachable
 * target is CC_ERR_CONNECT (exit 2), a TLS failure CC_ERR_TLS (exit 2), and a server that was
 * reached but broke the handshake CC_ERR_HANDSHAKE (exit 1). Each carries the wire diagnostic in
 * `params.diagnostic` so the probe and the runner can report it as a finding.
 */
import { ccError, type CcError } from '../errors.js';
import { wireDiagnostic, type WireCode } from './diagnostics.js';
import type { Diagnostic } from './types.js';

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(VERIFY|GET)|HOSTNAME_MISMATCH)/;

export type ConnectPhase = 'connect' | 'handshake';

export function connectTimeoutError(target: string, timeoutMs: number, phase: ConnectPhase): CcError {
  if (phase === 'connect') {
    const diagnostic = wireDiagnostic('CC_WIRE_CONNECT_TIMEOUT', `no connection to ${target} within ${timeoutMs} ms`, { timeoutMs });
    return ccError('CC_ERR_CONNECT', { target, reason: `timed out after ${timeoutMs} ms`, diagnostic });
  }
  return handshakeError(target, wireDiagnostic('CC_WIRE_HANDSHAKE_TIMEOUT', `no handshake reply within ${timeoutMs} ms`, { timeoutMs }));
}

export function handshakeError(target: string, diagnostic: Diagnostic): CcError {
  return ccError('CC_ERR_HANDSHAKE', { target, reason: `${diagnostic.code} ${diagnostic.message}`, diagnostic });
}

export function handshakeFault(target: string, code: WireCode, message?: string, detail?: Record<string, unknown>): CcError {
  return handshakeError(target, wireDiagnostic(code, message, detail));
}

/** A socket error before the connection was usable. */
export function socketOpenError(target: string, err: Error & { code?: string }, phase: ConnectPhase): CcError {
  const code = err.code ?? '';
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    return ccError('CC_ERR_TLS', { target, reason: code ? `${code}: ${err.message}` : err.message }, { cause: err });
  }
  if (phase === 'handshake' || code === 'ECONNRESET' && phase !== 'connect') {
    if (code.startsWith('HPE_')) return handshakeFault(target, 'CC_WIRE_HANDSHAKE_MALFORMED', `the handshake reply is not valid HTTP (${code}: ${err.message})`, { code });
    return handshakeFault(target, 'CC_WIRE_HANDSHAKE_CLOSED', `the server closed the connection before completing the handshake (${code || err.message})`, { code });
  }
  return ccError('CC_ERR_CONNECT', { target, reason: code ? `${code}: ${err.message}` : err.message }, { cause: err });
}

/** The wire diagnostic a connect or handshake error carries, if any. */
export function diagnosticOf(err: unknown): Diagnostic | undefined {
  const d = (err as { params?: { diagnostic?: unknown } } | null)?.params?.diagnostic;
  return d && typeof d === 'object' && typeof (d as Diagnostic).code === 'string' ? (d as Diagnostic) : undefined;
}
