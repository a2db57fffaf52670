/**
 * WebSocket adapter: one HTTP server routes upgrades by path to a protocol; `maxPayload` refuses
 * an oversized frame before buffering it (close 1009, assa.D3), or, when the server reports
 * oversized messages itself, caps what it buffers at OVERSIZE_REPORT_FACTOR times the limit.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { JsonFrame } from './frame.js';
import type { Peer, ProtocolConnection } from './peer.js';
import type { Transports } from './registry.js';

class WsPeer implements Peer {
  readonly transport = 'ws' as const;
  private closing = false;

  constructor(private readonly ws: WebSocket, readonly remote: string, private readonly t: Transports) {}

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === 1;
  }

  sendJson(frame: JsonFrame): void {
    if (!this.isOpen) return;
    this.ws.send(frame.body, { binary: false });
    this.checkBacklog();
  }

  sendBinary(data: Uint8Array): void {
    if (!this.isOpen) return;
    this.ws.send(data, { binary: true });
    this.checkBacklog();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.t.logger.debug('closing connection', { transport: 'ws', remote: this.remote, code, reason });
    this.ws.close(code, reason);
    // A peer that never answers the close frame is cut off after the grace period.
    this.t.later(() => this.ws.terminate());
  }

  /** The close frame queues behind the backlog; the terminate after the grace period is what frees it. */
  private checkBacklog(): void {
    if (this.ws.bufferedAmount <= this.t.maxOutboundBufferBytes) return;
    this.t.slowConsumer(this.remote, this.ws.bufferedAmount);
    this.close(1008, 'slow consumer: outbound buffer over limit');
  }
}

export type Authorization = { ok: true; value: unknown } | { ok: false; status: number; body: string };

export interface WsRoute {
  /** Request path, e.g. `/assa`. */
  path: string;
  /** Label for logs and stats, e.g. `assa-ws`. */
  label: string;
  /** Decides during the handshake (before any frame); the value is handed to `open`. */
  authorize?(req: http.IncomingMessage, url: URL): Authorization;
  open(peer: Peer, auth: unknown): ProtocolConnection;
}

export interface WsPolicy {
  /** A frame over the message limit: `close` (1009, at the ws layer) or `report` (onOversize; the connection carries on). */
  oversize: 'close' | 'report';
  /** A connection over maxConnections: `close` (1013 once open) or `refuse` (HTTP 503 in the handshake). */
  full: 'close' | 'refuse';
}

/** With `oversize: 'report'`, frames up to this many times the limit are read and reported; larger ones still close with 1009. */
export const OVERSIZE_REPORT_FACTOR = 4;

export function attachWebSockets(server: http.Server, t: Transports, routes: readonly WsRoute[], policy: WsPolicy = { oversize: 'close', full: 'close' }): WebSocketServer {
  const report = policy.oversize === 'report';
  const maxPayload = report ? t.maxMessageBytes * OVERSIZE_REPORT_FACTOR : t.maxMessageBytes;
  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false, perMessageDeflate: false });
  const byPath = new Map(routes.map((r) => [r.path, r]));
  const attach = (ws: WebSocket, remote: string, route: WsRoute, auth: unknown): void => {
    const peer = new WsPeer(ws, remote, t);
    ws.on('error', (err) => t.logger.debug('ws error', { remote, error: err.message }));
    if (policy.full === 'close' && !t.admit()) {
      peer.close(1013, 'server full');
      return;
    }
    const conn = t.guard(route.open(peer, auth), peer);
    t.opened(conn, peer, route.label);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (report && data.length > t.maxMessageBytes) conn.onOversize(data.length);
      else conn.onMessage(data, isBinary);
    });
    ws.once('close', () => t.closed(conn, peer));
  };
  // The request is not referenced by any closure that outlives the handshake, so its headers are
  // not kept alive for the life of the connection.
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', onSocketError);
    t.track(socket);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = byPath.get(url.pathname) ?? (url.pathname === '/' ? routes[0] : undefined);
    if (!route) return refuseHandshake(socket, 404, 'no WebSocket endpoint at this path');
    const auth = route.authorize ? route.authorize(req, url) : { ok: true as const, value: undefined };
    if (!auth.ok) return refuseHandshake(socket, auth.status, auth.body);
    // The upgrade completes synchronously, so no other connection opens between this check and attach.
    if (policy.full === 'refuse' && !t.admit()) return refuseHandshake(socket, 503, JSON.stringify({ error: 'server_full' }));
    const remote = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    const value = auth.value;
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, remote, route, value));
  });
  const onSocketError = (err: Error): void => t.logger.debug('ws socket error', { error: err.message });
  return wss;
}

function refuseHandshake(socket: Duplex, status: number, body: string): void {
  const reason = http.STATUS_CODES[status] ?? 'Error';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
