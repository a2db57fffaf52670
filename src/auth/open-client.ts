/**
 * Opening a client's connection the way its profile authenticates (`profile.auth`):
 * - message (ASSA): open the transport; the runner then sends the auth message with the token;
 * - query (envelope): the token travels in the WebSocket URL's query string;
 * - http-login (OpenIRC): POST the token to an HTTP path, then open the WebSocket URL it returns;
 * - none: just open the transport.
 * A server that refuses (HTTP 401 in the handshake or at login) is reported as `refused`, which a
 * negative case expects; a server that cannot be reached throws (the case is an ERROR).
 */
import { ccError, isCcError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { connect } from '../transport/connect.js';
import { httpUrlOf, webSocketUrlOf } from '../transport/target.js';
import type { Connection, ConnectOptions, Diagnostic } from '../transport/types.js';
import { readPath, setPath } from '../util/dotted-path.js';

export interface OpenOptions {
  url: string;
  /** Empty string: no token at all. */
  token: string;
  connectTimeout: number;
  maxInboundBytes: number;
  insecure: boolean;
  lenient: boolean;
  /** Record a transcript (default true); the load engine turns it off for its thousands of clients. */
  record?: boolean;
  /** Watch frame headers for wire diagnostics (ConnectOptions.observe, default true); the load engine turns it off. */
  observe?: boolean;
}

export type OpenResult =
  | { kind: 'open'; conn: Connection; loginStatus?: number; /** The parsed body of an HTTP login's answer. */ login?: unknown }
  | { kind: 'refused'; reason: string; status?: number; diagnostic?: Diagnostic };

export async function openClient(profile: Profile, options: OpenOptions): Promise<OpenResult> {
  const base: ConnectOptions = {
    url: options.url,
    codec: profile.codec,
    framing: profile.framing,
    connectTimeout: options.connectTimeout,
    maxInboundBytes: options.maxInboundBytes,
    lenient: options.lenient,
    tls: { insecure: options.insecure },
    ...(options.record === false ? { record: false } : {}),
    ...(options.observe === false ? { observe: false } : {}),
  };
  const auth = profile.auth;
  if (auth.kind === 'query') {
    return transport(options.token ? { ...base, query: { [auth.param]: options.token } } : base);
  }
  if (auth.kind === 'http-login') {
    const login = await httpLogin(options, auth);
    if (login.kind === 'refused') return login;
    const opened = await transport({ ...base, url: login.wsUrl });
    return opened.kind === 'open' ? { ...opened, loginStatus: login.status, login: login.body } : opened;
  }
  return transport(base);
}

async function transport(options: ConnectOptions): Promise<OpenResult> {
  try {
    return { kind: 'open', conn: await connect(options) };
  } catch (err) {
    // The server answered but refused the handshake (e.g. 401): a verdict, not an outage.
    if (isCcError(err) && err.code === 'CC_ERR_HANDSHAKE') {
      const diagnostic = err.params.diagnostic as Diagnostic | undefined;
      const status = diagnostic?.detail?.status;
      return {
        kind: 'refused',
        reason: err.message,
        ...(typeof status === 'number' ? { status } : {}),
        ...(diagnostic ? { diagnostic } : {}),
      };
    }
    throw err;
  }
}

type HttpLoginSpec = Extract<Profile['auth'], { kind: 'http-login' }>;

async function httpLogin(options: OpenOptions, auth: HttpLoginSpec): Promise<{ kind: 'ok'; wsUrl: string; status: number; body: unknown } | { kind: 'refused'; reason: string; status: number }> {
  const body = structuredClone(auth.body);
  setPath(body, auth.tokenPath, options.token);
  const url = new URL(auth.path, httpUrlOf(options.url)).href;
  let response: Response;
  try {
    response = await fetch(url, {
      method: auth.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.connectTimeout),
    });
  } catch (err) {
    const reason = (err as Error).name === 'TimeoutError' ? `no answer to ${auth.method} ${url} within ${options.connectTimeout}ms` : String((err as { cause?: Error }).cause?.message ?? (err as Error).message);
    throw ccError('CC_ERR_CONNECT', { target: url, reason });
  }
  const text = await response.text();
  if (!response.ok) return { kind: 'refused', status: response.status, reason: `${auth.method} ${url} answered ${response.status}: ${text.slice(0, 200)}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'refused', status: response.status, reason: `${auth.method} ${url} answered ${response.status} with a body that is not JSON` };
  }
  const wsUrl = readPath(parsed, auth.wsUrlPath);
  if (!wsUrl.found || typeof wsUrl.value !== 'string') {
    return { kind: 'refused', status: response.status, reason: `the login reply has no WebSocket URL at ${auth.wsUrlPath}` };
  }
  return { kind: 'ok', wsUrl: webSocketUrlOf(new URL(wsUrl.value, url).href), status: response.status, body: parsed };
}
