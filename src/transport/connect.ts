/** `connect()`: picks the transport from the URL scheme and opens it within its deadlines. */
import { codecFor } from '../codec/index.js';
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
