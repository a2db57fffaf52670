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
