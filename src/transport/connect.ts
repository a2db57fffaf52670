/** `connect()`: picks the transport from the URL scheme and opens it within its deadlines. */
import { codecFor } from '../codec/index.js';
import { ccError } from '../errors.js';
import { parseTarget } from './target.js';
import { connectTcp } from './tcp-transport.js';
import type { Connection, ConnectOptions } from './types.js';
import { connectWs } from './ws-transport.js';

/**
 * Opens a connection. Rejects with CC_ERR_BAD_TARGET (bad URL), CC_ERR_CONNECT (refused,
 * unreachable, connect deadline), CC_ERR_TLS, or CC_ERR_HANDSHAKE (the server broke the WebSocket
 * handshake; `err.params.diagnostic` holds the wire diagnostic).
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const target = parseTarget(options.url, options.query);
  checkHandshakeFields(options);
  const codec = codecFor(options.codec);
  if (target.scheme === 'ws' || target.scheme === 'wss') {
    if (options.lenient) {
      const { connectLenientWs } = await import('./lenient-ws-transport.js');
      return connectLenientWs(target, options, codec);
    }
    return connectWs(target, options, codec);
  }
  return connectTcp(target, options, codec);
}

/** RFC 7230 §3.2.6 token: what a header name or a subprotocol may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Refuses header names, values and subprotocols that would break the request (or smuggle lines
 * into it: the lenient handshake writes them verbatim) before anything is sent.
 */
function checkHandshakeFields(options: ConnectOptions): void {
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (!TOKEN.test(name)) throw ccError('CC_ERR_USAGE', { detail: `invalid handshake header name ${JSON.stringify(name)}` });
    if (/[\r\n\0]/.test(value)) throw ccError('CC_ERR_USAGE', { detail: `invalid value for handshake header ${name}: it contains a line break or NUL` });
  }
  for (const p of options.subprotocols ?? []) {
    if (!TOKEN.test(p)) throw ccError('CC_ERR_USAGE', { detail: `invalid subprotocol ${JSON.stringify(p)}: a subprotocol is an HTTP token` });
  }
}
