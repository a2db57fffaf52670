/** ASSA over TCP: a net server whose connections speak NDJSON (assa.D1) through a bounded reader. */
import net from 'node:net';
import { NdjsonReader } from './ndjson-reader.js';
import type { JsonFrame } from './frame.js';
import type { Peer, ProtocolConnection } from './peer.js';
import type { Transports } from './registry.js';

class TcpPeer implements Peer {
  readonly transport = 'tcp' as const;
  readonly remote: string;
  private closing = false;

  constructor(private readonly socket: net.Socket, private readonly t: Transports) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  }

  get isOpen(): boolean {
    return !this.closing && !this.socket.destroyed;
  }

  sendJson(frame: JsonFrame): void {
    if (!this.isOpen) return;
    this.socket.write(frame.line);
    this.checkBacklog();
  }

  sendBinary(data: Uint8Array): void {
    if (!this.isOpen) return;
    this.socket.write(data);
    this.checkBacklog();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.t.logger.debug('closing connection', { transport: 'tcp', remote: this.remote, code, reason });
    this.socket.end();
    this.t.later(() => this.socket.destroy());
  }

  /** A client that stops reading must not hold the server's memory (or stall its peers). */
  private checkBacklog(): void {
    if (this.socket.writableLength <= this.t.maxOutboundBufferBytes) return;
    this.t.slowConsumer(this.remote, this.socket.writableLength);
    this.closing = true;
    this.socket.destroy();
  }
}

export interface TcpRoute {
  open(peer: Peer): ProtocolConnection;
  /** Answers a connection refused because the server is full, before it is closed. */
  refuse(peer: Peer): void;
}

export function createTcpServer(t: Transports, route: TcpRoute): net.Server {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', (err) => t.logger.debug('tcp socket error', { error: err.message }));
    const peer = new TcpPeer(socket, t);
    t.track(socket);
    if (!t.admit()) {
      route.refuse(peer);
      peer.close(1013, 'server full');
      return;
    }
    const conn = t.guard(route.open(peer), peer);
    t.opened(conn, peer, 'assa-tcp');
    const reader = new NdjsonReader(t.maxMessageBytes, {
      line: (data) => conn.onMessage(data, false),
      oversize: (bytes) => conn.onOversize(bytes),
    });
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.once('close', () => t.closed(conn, peer));
  });
  server.on('error', (err) => t.logger.error('tcp server error', { error: err.message }));
  return server;
}
