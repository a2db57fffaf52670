/**
 * The strict WebSocket transport (ws://, wss://) on the ws package. ws detects the RFC 6455 faults
 * and reports them as WS_ERR_* codes, which `fromWsError()` maps; the only frame parsing done here
 * is a header-only observer (`FrameReader` in observe mode) for what ws accepts silently:
 * non-minimal length encodings and a connection cut in the middle of a frame.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import WebSocket from 'ws';
import type { Codec } from '../codec/index.js';
import type { CcError } from '../errors.js';
import { BaseConnection, DEFAULT_CLOSE_TIMEOUT } from './connection-base.js';
import { connectTimeoutError, handshakeFault, socketOpenError, type ConnectPhase } from './connect-errors.js';
import { fromWsError, wireDiagnostic } from './diagnostics.js';
import { FrameReader } from './frame-reader.js';
import type { Target } from './target.js';
import type { CloseResult, ConnectOptions, HandshakeInfo } from './types.js';

/** Bytes of a non-101 reply body kept for the diagnostic. */
const BODY_EXCERPT_BYTES = 512;
/** How long to wait for more of a non-101 reply body. */
const BODY_GRACE_MS = 100;

function headerPairs(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}

function requestHeaders(req: ClientRequest | undefined): [string, string][] {
  if (!req) return [];
  const names = req.getRawHeaderNames();
  return names.map((name) => [name, String(req.getHeader(name))]);
}

export function statusLineOf(res: IncomingMessage): string {
  return `HTTP/${res.httpVersion} ${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trimEnd();
}

export class WsConnection extends BaseConnection {
  handshake: HandshakeInfo | undefined;
  /** Absent with `observe: false`. */
  private readonly observer: FrameReader | undefined;

  constructor(target: Target, codec: Codec, options: ConnectOptions, private readonly ws: WebSocket, socket: Duplex) {
    super(target.href, target.scheme, codec, options);
    this.protocol = ws.protocol;
    this.extensions = ws.extensions;
    if (options.observe !== false) {
      const observer = new FrameReader({
        mode: 'observe',
        maxPayload: Number.MAX_SAFE_INTEGER,
        onViolation: (code, message, detail) => {
          // Everything else the observer sees, ws reports itself (and then closes).
          if (code === 'CC_WIRE_NON_MINIMAL_LENGTH') this.report(wireDiagnostic(code, message, detail));
        },
      });
      this.observer = observer;
      // ws unshifts the bytes that followed the 101 and resumes the socket on the next tick, so a
      // listener added now sees the stream from its first frame; prepended, it sees each chunk
      // before ws does, so a frame's diagnostic comes before its message.
      socket.prependListener('data', (chunk: Buffer) => observer.push(chunk));
    }
    ws.on('message', (data: Buffer) => this.deliver(data));
    ws.on('error', (err: Error & { code?: string }) => this.onError(err));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString()));
  }

  private onError(err: Error & { code?: string }): void {
    if ((err.code === 'ECONNRESET' || err.code === 'EPIPE') && this.observer?.midMessage()) {
      this.report(wireDiagnostic('CC_WIRE_RESET_MID_MESSAGE', undefined, { code: err.code, ...this.observer.position() }));
      return;
    }
    this.report(fromWsError(err));
  }

  private onClose(code: number, reason: string): void {
    if (code === 1006 && !this.weClosed && !this.hasFailure()) {
      if (this.observer?.midMessage()) this.report(wireDiagnostic('CC_WIRE_RESET_MID_MESSAGE', undefined, this.observer.position()));
      else this.report(wireDiagnostic('CC_WIRE_NO_CLOSE_FRAME'));
    }
    this.settleClose({ code, reason, clean: code !== 1006 });
  }

  protected write(data: string | Uint8Array): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.reject(this.closedError('send'));
    this.ws.send(data, { binary: typeof data !== 'string' });
    const socket = (this.ws as unknown as { _socket?: Duplex })._socket;
    return socket ? this.drained(socket) : Promise.resolve();
  }

  /** Writes exact bytes on the socket below ws (wire fault tests). */
  sendBytes(data: Uint8Array): Promise<void> {
    const socket = (this.ws as unknown as { _socket?: Duplex })._socket;
    if (this.closed || !socket || socket.destroyed) return Promise.reject(this.closedError('send'));
    socket.write(data);
    return this.drained(socket);
  }

  /** Sends a WebSocket ping; resolves the round-trip time, or undefined when no pong came in time. */
  ping(timeoutMs: number): Promise<number | undefined> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve(undefined);
    const start = performance.now();
    return new Promise((resolve) => {
      const done = (rtt: number | undefined): void => {
        clearTimeout(timer);
        this.ws.off('pong', onPong);
        this.ws.off('close', onGone);
        resolve(rtt);
      };
      const onPong = (): void => done(performance.now() - start);
      const onGone = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.ws.on('pong', onPong);
      this.ws.on('close', onGone);
      this.ws.ping();
    });
  }

  close(code = 1000, reason = '', timeoutMs = this.closeTimeout): Promise<CloseResult> {
    // ws emits 'close' only once a destroyed socket is gone; the timeout answers at once.
    return this.closeWithin(timeoutMs, 'the close handshake did not complete', () => this.ws.close(code, reason), () => this.ws.terminate(), { code: 1006, clean: false });
  }

  destroy(): void {
    this.weClosed = true;
    this.ws.terminate();
    this.finish(false);
  }
}

/** Opens a strict WebSocket connection; rejects with CC_ERR_CONNECT / CC_ERR_TLS / CC_ERR_HANDSHAKE. */
export function connectWs(target: Target, options: ConnectOptions, codec: Codec): Promise<WsConnection> {
  const tlsOpts = options.tls ?? {};
  let phase: ConnectPhase = 'connect';
  let socket: net.Socket | undefined;
  let response: IncomingMessage | undefined;

  const createConnection = (opts: net.NetConnectOpts & tls.ConnectionOptions & { path?: string }): net.Socket => {
    // ws hands the HTTP request options over; `path` there is the URL path, not an IPC path.
    const connectOpts = { ...opts, path: undefined };
    if (target.secure) {
      if (!connectOpts.servername && connectOpts.servername !== '') connectOpts.servername = net.isIP(target.host) ? '' : target.host;
      const s = tls.connect(connectOpts as tls.ConnectionOptions);
      s.once('secureConnect', () => (phase = 'handshake'));
      socket = s;
      return s;
    }
    const s = net.connect(connectOpts as net.NetConnectOpts);
    s.once('connect', () => (phase = 'handshake'));
    socket = s;
    return s;
  };

  const ws = new WebSocket(`${target.scheme}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${target.path}`, options.subprotocols ?? [], {
    headers: options.headers ?? {},
    maxPayload: options.maxInboundBytes,
    perMessageDeflate: false,
    followRedirects: false,
    closeTimeout: options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT,
    rejectUnauthorized: tlsOpts.insecure !== true,
    ...(tlsOpts.ca !== undefined ? { ca: tlsOpts.ca } : {}),
    ...(tlsOpts.cert !== undefined ? { cert: tlsOpts.cert } : {}),
    ...(tlsOpts.key !== undefined ? { key: tlsOpts.key } : {}),
    ...(tlsOpts.servername !== undefined ? { servername: tlsOpts.servername } : {}),
    createConnection: createConnection as unknown as WebSocket.ClientOptions['createConnection'],
  } as WebSocket.ClientOptions);
  // The request is private to ws but is the only record of the headers actually sent.
  const req = (ws as unknown as { _req?: ClientRequest })._req;
  const sentHeaders = requestHeaders(req);
  const requestLine = `GET ${target.path} HTTP/1.1`;

  return new Promise<WsConnection>((resolve, reject) => {
    let settled = false;
    const fail = (err: CcError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        ws.terminate();
      } catch {
        // already torn down
      }
      socket?.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(connectTimeoutError(target.href, options.connectTimeout, phase)), options.connectTimeout);

    ws.on('upgrade', (res) => (response = res));
    ws.on('unexpected-response', (_req, res) => {
      if (res.statusCode === 101) {
        // Node only treats a 101 as an upgrade when it names one; without it, ws calls it unexpected.
        res.destroy();
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_UPGRADE', `the 101 reply has Upgrade: ${JSON.stringify(res.headers.upgrade ?? null)}, Connection: ${JSON.stringify(res.headers.connection ?? null)}`, { headers: headerPairs(res.rawHeaders) }));
        return;
      }
      // Keep a bounded excerpt of the body, within what is left of the deadline.
      const chunks: Buffer[] = [];
      let size = 0;
      // A server may send no Content-Length and keep the connection open: report what came soon.
      const grace = setTimeout(() => report(), BODY_GRACE_MS);
      const report = (): void => {
        clearTimeout(grace);
        const body = Buffer.concat(chunks).toString('utf8', 0, Math.min(size, BODY_EXCERPT_BYTES));
        const statusLine = statusLineOf(res);
        res.destroy();
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_STATUS', `the handshake was answered with "${statusLine}"${body ? `: ${body.slice(0, 120).replace(/\s+/g, ' ')}` : ''}`, {
          statusLine, status: res.statusCode, headers: headerPairs(res.rawHeaders), bodyExcerpt: body,
        }));
      };
      res.on('data', (c: Buffer) => {
        if (size < BODY_EXCERPT_BYTES) chunks.push(c);
        size += c.length;
        if (size >= BODY_EXCERPT_BYTES) report();
      });
      res.on('end', report);
      res.on('error', report);
      res.on('close', report);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (settled) return;
      const m = err.message;
      if (m === 'Invalid Sec-WebSocket-Accept header') {
        const got = response?.headers['sec-websocket-accept'];
        fail(got === undefined
          ? handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_ACCEPT_MISSING')
          : handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_ACCEPT_WRONG', `Sec-WebSocket-Accept is ${JSON.stringify(got)}, not the digest of our key`, { got }));
      } else if (m === 'Invalid Upgrade header') {
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_UPGRADE', `the 101 reply has Upgrade: ${JSON.stringify(response?.headers.upgrade ?? null)}`));
      } else if (/subprotocol/i.test(m)) {
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_SUBPROTOCOL', m, { offered: options.subprotocols ?? [], selected: response?.headers['sec-websocket-protocol'] }));
      } else if (/extension/i.test(m)) {
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_EXTENSION', m, { extensions: response?.headers['sec-websocket-extensions'] }));
      } else {
        fail(socketOpenError(target.href, err, phase));
      }
    });
    ws.on('open', () => {
      if (settled) {
        ws.terminate();
        return;
      }
      settled = true;
      clearTimeout(timer);
      const raw = (ws as unknown as { _socket: Duplex })._socket;
      const conn = new WsConnection(target, codec, options, ws, raw);
      conn.handshake = {
        requestLine,
        requestHeaders: sentHeaders,
        statusLine: response ? statusLineOf(response) : 'HTTP/1.1 101',
        status: response?.statusCode ?? 101,
        responseHeaders: response ? headerPairs(response.rawHeaders) : [],
      };
      resolve(conn);
    });
  });
}
