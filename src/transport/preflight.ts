/**
 * Preflight: is the target there, before a run starts? A run against a dead port or a wrong path
 * would otherwise become thousands of identical timeouts; a preflight turns it into one line.
 *
 * Contract (callers: `load`, `capacity`; `run` may adopt it as is):
 * - `preflight(options)` never throws. It resolves `{ ok: true, checked }` or `{ ok: false, error }`,
 *   where `error` is a CcError whose exit code is 2: the caller throws it (one error line, exit 2).
 * - One attempt, no retry, each step within `timeoutMs` (default 3 s): at most one connection and
 *   one HTTP request, and everything it opened is closed (or destroyed) before it resolves.
 * - What it checks, by scheme:
 *   - tcp://, tcp+lp://: a TCP connection is accepted; tls:// also completes the TLS handshake.
 *   - ws://, wss://: the WebSocket opening handshake completes (101). Any other answer is a
 *     refusal that names the status; a 404 asks "wrong path?", a 401 or 403 says the credentials
 *     in `query` (e.g. a token) were refused. A broken handshake is a refusal too.
 *   - http://, https:// (only with `auth.kind: 'http-login'`, whose target is the login's base):
 *     the host answers the login path. A 404 or 405 (no such path, or not a login) or a 5xx is a
 *     refusal; any other status (401 for the missing token included) means the path is there.
 *   - anything else, or a URL that does not parse: CC_ERR_BAD_TARGET (with the schemes the
 *     profile speaks, when given).
 * - It says nothing about the protocol (no message is sent): that is the run's job.
 */
import { ccError, isCcError, type CcError } from '../errors.js';
import type { AuthSpec, TransportScheme } from '../profile/types.js';
import { connect } from './connect.js';
import { diagnosticOf } from './connect-errors.js';
import { parseTarget } from './target.js';

export const DEFAULT_PREFLIGHT_TIMEOUT_MS = 3000;

export interface PreflightOptions {
  url: string;
  /** How clients will authenticate: an http-login profile's target is an http(s) URL. */
  auth?: AuthSpec;
  /** The profile's transports, named in the error for an unsupported scheme. */
  transports?: readonly TransportScheme[];
  /** Extra query parameters of the WebSocket handshake (a query-auth profile's token). */
  query?: Record<string, string>;
  /** Accept self-signed certificates. */
  insecure?: boolean;
  /** Deadline of each step, ms (default 3 s). */
  timeoutMs?: number;
}

export type PreflightResult =
  | { ok: true; target: string; /** What was checked, e.g. "WebSocket handshake (101)". */ checked: string; durationMs: number }
  | { ok: false; target: string; error: CcError; /** The HTTP status of a refusal, when there was one. */ status?: number; durationMs: number };

export async function preflight(options: PreflightOptions): Promise<PreflightResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  const done = (r: { checked: string } | { error: CcError; status?: number }): PreflightResult => {
    const durationMs = Math.round(performance.now() - started);
    return 'checked' in r ? { ok: true, target: options.url, checked: r.checked, durationMs } : { ok: false, target: options.url, ...r, durationMs };
  };
  try {
    if (options.auth?.kind === 'http-login' && /^https?:/i.test(options.url)) return done(await checkLogin(options.url, options.auth, timeoutMs));
    const target = parseTarget(options.url);
    return done(await checkTransport(options, target.scheme, timeoutMs));
  } catch (err) {
    return done({ error: asExit2(err, options) });
  }
}

async function checkTransport(options: PreflightOptions, scheme: TransportScheme, timeoutMs: number): Promise<{ checked: string } | { error: CcError; status?: number }> {
  let conn;
  try {
    conn = await connect({
      url: options.url,
      codec: 'json',
      connectTimeout: timeoutMs,
      maxInboundBytes: 1 << 20,
      record: false,
      observe: false,
      tls: { insecure: options.insecure === true },
      ...(options.query ? { query: options.query } : {}),
    });
  } catch (err) {
    const status = diagnosticOf(err)?.detail?.status;
    if (isCcError(err) && err.code === 'CC_ERR_HANDSHAKE') {
      return { error: refusal(options.url, typeof status === 'number' ? status : undefined, diagnosticOf(err)?.message ?? err.message), ...(typeof status === 'number' ? { status } : {}) };
    }
    throw err;
  }
  try {
    await conn.close(1000, 'preflight', Math.min(1000, timeoutMs));
  } finally {
    conn.destroy();
  }
  const ws = scheme === 'ws' || scheme === 'wss';
  return { checked: ws ? 'WebSocket handshake (101)' : scheme === 'tls' ? 'TCP connect and TLS handshake' : 'TCP connect' };
}

type HttpLogin = Extract<AuthSpec, { kind: 'http-login' }>;

/** Reaches the login path without a token: the answer shows the path exists; no session is made. */
async function checkLogin(url: string, auth: HttpLogin, timeoutMs: number): Promise<{ checked: string } | { error: CcError; status?: number }> {
  const login = new URL(auth.path, url).href;
  let response: Response;
  try {
    response = await fetch(login, { method: auth.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth.body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer to ${auth.method} ${login} within ${timeoutMs} ms` : String((err as { cause?: Error }).cause?.message ?? (err as Error).message);
    return { error: ccError('CC_ERR_CONNECT', { target: url, reason }) };
  }
  // The body is not needed; reading it lets the connection close.
  await response.arrayBuffer().catch(() => undefined);
  const s = response.status;
  if (s === 404 || s === 405 || s >= 500) return { error: refusal(url, s, `${auth.method} ${login} was answered ${s} ${response.statusText}`.trim()), status: s };
  return { checked: `${auth.method} ${new URL(login).pathname} answered ${s}` };
}

function refusal(target: string, status: number | undefined, reason: string): CcError {
  const hint =
    status === 404 || status === 405
      ? `wrong path? check the URL's path; \`chat-conform probe ${target}\` shows the exchange`
      : status === 401 || status === 403
        ? 'the credentials (the token) were refused: check the signing key the server expects'
        : `\`chat-conform probe ${target}\` shows the exchange`;
  return ccError('CC_ERR_TARGET_REFUSED', { target, reason, hint });
}

/** Every preflight failure is "the run could not happen": exit 2, whatever the transport said. */
function asExit2(err: unknown, options: PreflightOptions): CcError {
  if (isCcError(err)) {
    if (err.code === 'CC_ERR_BAD_TARGET' && options.transports?.length) {
      const speaks = options.transports.map((t) => `${t}://`).join(', ');
      const login = options.auth?.kind === 'http-login' ? ' (or the http:// base of its login)' : '';
      return ccError('CC_ERR_BAD_TARGET', { ...err.params, reason: `${String(err.params.reason)}; this profile speaks ${speaks}${login}` });
    }
    return err.exitCode === 2 ? err : refusal(options.url, undefined, err.message);
  }
  return ccError('CC_ERR_CONNECT', { target: options.url, reason: err instanceof Error ? err.message : String(err) });
}
