/** Opens a TCP or TLS socket within the connect deadline, or rejects with CC_ERR_CONNECT / CC_ERR_TLS. */
import net from 'node:net';
import tls from 'node:tls';
import { connectTimeoutError, socketOpenError } from './connect-errors.js';
import type { Target } from './target.js';
import type { ConnectOptions } from './types.js';

export function openSocket(target: Target, options: Pick<ConnectOptions, 'connectTimeout' | 'tls'>): Promise<net.Socket> {
  const t = options.tls ?? {};
  const socket = target.secure
    ? tls.connect({
        host: target.host,
        port: target.port,
        servername: t.servername ?? (net.isIP(target.host) ? undefined : target.host),
        rejectUnauthorized: t.insecure !== true,
        ...(t.ca !== undefined ? { ca: t.ca } : {}),
        ...(t.cert !== undefined ? { cert: t.cert } : {}),
        ...(t.key !== undefined ? { key: t.key } : {}),
      })
    : net.connect({ host: target.host, port: target.port });
  const ready = target.secure ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(ready, onReady);
    };
    const onError = (err: Error & { code?: string }): void => {
      cleanup();
      socket.destroy();
      reject(socketOpenError(target.href, err, 'connect'));
    };
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      resolve(socket);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(connectTimeoutError(target.href, options.connectTimeout, 'connect'));
    }, options.connectTimeout);
    socket.once('error', onError);
    socket.once(ready, onReady);
  });
}
