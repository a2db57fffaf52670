/** Parses a target URL and picks the transport from its scheme. */
import { ccError } from '../errors.js';
import type { FramingName, TransportScheme } from '../profile/types.js';

export interface Target {
  scheme: TransportScheme;
  host: string;
  port: number;
  /** Path and query for WebSocket targets ('/' when none). */
  path: string;
  /** The URL as given, normalised by WHATWG URL parsing. */
  href: string;
  /** Framing on byte streams, from the scheme. */
  framing: FramingName | undefined;
  secure: boolean;
}

const SCHEMES: Record<string, { scheme: TransportScheme; defaultPort?: number; framing?: FramingName; secure: boolean }> = {
  'ws:': { scheme: 'ws', defaultPort: 80, secure: false },
  'wss:': { scheme: 'wss', defaultPort: 443, secure: true },
  'tcp:': { scheme: 'tcp', framing: 'ndjson', secure: false },
  'tcp+lp:': { scheme: 'tcp+lp', framing: 'length-prefixed', secure: false },
  'tls:': { scheme: 'tls', framing: 'ndjson', secure: true },
};

export function parseTarget(input: string, query?: Record<string, string>): Target {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw ccError('CC_ERR_BAD_TARGET', { target: JSON.stringify(input), reason: 'not a URL' });
  }
  const def = SCHEMES[url.protocol];
  if (!def) throw ccError('CC_ERR_BAD_TARGET', { target: input, reason: `unsupported scheme ${url.protocol.replace(/:$/, '')}` });
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!host) throw ccError('CC_ERR_BAD_TARGET', { target: input, reason: 'no host' });
  if (url.hash) throw ccError('CC_ERR_BAD_TARGET', { target: input, reason: 'a URL fragment (#...) has no meaning here' });
  const port = url.port ? Number(url.port) : def.defaultPort;
  if (port === undefined) throw ccError('CC_ERR_BAD_TARGET', { target: input, reason: `${def.scheme}:// needs a port` });
  if (port === 0) throw ccError('CC_ERR_BAD_TARGET', { target: input, reason: 'port 0 cannot be connected to' });
  if (query) for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return {
    scheme: def.scheme,
    host,
    port,
    path: `${url.pathname || '/'}${url.search}`,
    href: url.href,
    framing: def.framing,
    secure: def.secure,
  };
}

/** Schemes of an HTTP login whose answer names the WebSocket to open (OpenIRC): they lead to the WebSocket. */
const WEBSOCKET_OF_HTTP: Readonly<Record<string, string>> = { 'http:': 'ws:', 'https:': 'wss:' };
const HTTP_OF_WEBSOCKET: Readonly<Record<string, string>> = { 'ws:': 'http:', 'wss:': 'https:' };

function withScheme(input: string, table: Readonly<Record<string, string>>): string {
  const url = new URL(input);
  const to = table[url.protocol];
  if (to === undefined) return input;
  url.protocol = to;
  return url.href;
}

/** The WebSocket URL of the same address (http → ws, https → wss); any other URL as it is. */
export function webSocketUrlOf(url: string): string {
  return withScheme(url, WEBSOCKET_OF_HTTP);
}

/** The HTTP URL of the same address (ws → http, wss → https), where a login lives; any other URL as it is. */
export function httpUrlOf(url: string): string {
  return withScheme(url, HTTP_OF_WEBSOCKET);
}

/** The transport a URL of this scheme leads a client to: its own, or the WebSocket behind an HTTP login. */
export function transportOf(scheme: string): TransportScheme | undefined {
  return SCHEMES[WEBSOCKET_OF_HTTP[`${scheme}:`] ?? `${scheme}:`]?.scheme;
}

/**
 * The server a run talks to: a URL the user gave (`urlTarget`), or the reference server the
 * command line started (src/embedded/). Made once, at the edge; what runs against it asks it for
 * URLs and never reads a scheme out of a string.
 */
export interface RunTarget {
  /** True for the reference server the run started itself. */
  readonly embedded: boolean;
  /**
   * The URLs the target serves a profile on, by scheme as written (a case's `${targets.<scheme>}`),
   * the one clients start from first; empty when it does not serve the profile.
   */
  urls(profile: string): Readonly<Record<string, string>>;
  /** `${admin_url}`: an HTTP endpoint that makes the server act, when known. */
  readonly adminUrl?: string;
  /** Frees what the target holds: the embedded server stops; a URL holds nothing. */
  close(): Promise<void>;
}

/** What a target offers, known before it runs (the embedded server's before it starts): the cases it can serve follow from it. */
export interface TargetOffer {
  readonly embedded: boolean;
  /** The transports a profile's clients can use. */
  transports(profile: string): readonly TransportScheme[];
}

export function offerOf(target: RunTarget): TargetOffer {
  return { embedded: target.embedded, transports: (profile) => offeredTransports(Object.keys(target.urls(profile))) };
}

/**
 * A target URL as the user gives it: ws://, wss://, tcp://, tcp+lp://, tls://, or the http(s)://
 * base of a login. Checked here (CC_ERR_BAD_TARGET), so a bad URL fails before anything runs. A
 * server behind one URL speaks whatever profile the run names.
 */
export function urlTarget(input: string): RunTarget {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw ccError('CC_ERR_BAD_TARGET', { target: JSON.stringify(input), reason: 'not a URL' });
  }
  parseTarget(WEBSOCKET_OF_HTTP[url.protocol] ? webSocketUrlOf(input) : input);
  const urls = Object.freeze({ [url.protocol.slice(0, -1)]: input });
  return { embedded: false, urls: () => urls, close: async () => undefined };
}

/** The transports URLs of these schemes offer clients (the keys of a target's urls()). */
export function offeredTransports(schemes: readonly string[]): TransportScheme[] {
  return [...new Set(schemes.map(transportOf).filter((t): t is TransportScheme => t !== undefined))];
}

/**
 * Where a client starts: the first URL whose transport is one of `transports` (in their order),
 * else the target's first. Undefined when the target serves the profile on no URL.
 */
export function entryUrl(urls: Readonly<Record<string, string>>, transports: readonly string[] = []): string | undefined {
  const entries = Object.entries(urls);
  for (const wanted of transports) {
    const hit = entries.find(([scheme]) => transportOf(scheme) === wanted);
    if (hit) return hit[1];
  }
  return entries[0]?.[1];
}
