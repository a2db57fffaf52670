/**
 * A raw RFC 6455 §4.1 opening handshake over a socket we own, with exact control of header-name
 * case (Node's http client and ws pick it for us). Used by the lenient transport and by the
 * probe's header-case retries: seed 002's box only answered one spelling of the Upgrade header.
 */
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { CcError } from '../errors.js';
import { connectTimeoutError, handshakeFault, socketOpenError } from './connect-errors.js';
import { openSocket } from './socket-open.js';
import type { Target } from './target.js';
import type { ConnectOptions, HandshakeInfo } from './types.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** A response head larger than this is not a handshake reply. */
const MAX_HEAD_BYTES = 16 * 1024;
const BODY_EXCERPT_BYTES = 512;
/** How long to wait for the body of a non-101 reply that gives no Content-Length. */
const BODY_GRACE_MS = 100;

/** How the Upgrade and Connection headers are spelled on the wire. */
export interface HeaderCasing {
  upgradeName: string;
  upgradeValue: string;
  connectionName: string;
  connectionValue: string;
}

/** The standard spelling (what ws sends), then the variants the probe retries with. */
export const HEADER_CASINGS: readonly HeaderCasing[] = [
  { upgradeName: 'Upgrade', upgradeValue: 'websocket', connectionName: 'Connection', connectionValue: 'Upgrade' },
  { upgradeName: 'Upgrade', upgradeValue: 'WebSocket', connectionName: 'Connection', connectionValue: 'Upgrade' },
  { upgradeName: 'upgrade', upgradeValue: 'websocket', connectionName: 'connection', connectionValue: 'upgrade' },
  { upgradeName: 'UPGRADE', upgradeValue: 'WEBSOCKET', connectionName: 'CONNECTION', connectionValue: 'UPGRADE' },
  { upgradeName: 'Upgrade', upgradeValue: 'Websocket', connectionName: 'Connection', connectionValue: 'upgrade' },
];

export function describeCasing(c: HeaderCasing): string {
  return `${c.upgradeName}: ${c.upgradeValue} / ${c.connectionName}: ${c.connectionValue}`;
}

export interface HandshakeResult {
  socket: net.Socket;
  info: HandshakeInfo;
  /** Bytes that followed the response head (the first frames). */
  head: Buffer;
  protocol: string;
  extensions: string;
}

interface ParsedHead {
  statusLine: string;
  status: number;
  headers: [string, string][];
}

function parseHead(text: string): ParsedHead | undefined {
  const lines = text.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
  if (!m) return undefined;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { statusLine, status: Number(m[1]), headers };
}

function header(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** Connects and performs the handshake with one header casing, all within `connectTimeout`. */
export async function rawHandshake(target: Target, options: ConnectOptions, casing: HeaderCasing = HEADER_CASINGS[0] as HeaderCasing): Promise<HandshakeResult> {
  const started = performance.now();
  const socket = await openSocket(target, options);
  const remaining = Math.max(1, options.connectTimeout - (performance.now() - started));
  const key = randomBytes(16).toString('base64');
  const hostHeader = target.host.includes(':') ? `[${target.host}]` : target.host;
  const defaultPort = target.secure ? 443 : 80;
  const requestHeaders: [string, string][] = [
    ['Host', target.port === defaultPort ? hostHeader : `${hostHeader}:${target.port}`],
    [casing.connectionName, casing.connectionValue],
    [casing.upgradeName, casing.upgradeValue],
    ['Sec-WebSocket-Version', '13'],
    ['Sec-WebSocket-Key', key],
  ];
  if (options.subprotocols?.length) requestHeaders.push(['Sec-WebSocket-Protocol', options.subprotocols.join(', ')]);
  for (const [k, v] of Object.entries(options.headers ?? {})) requestHeaders.push([k, v]);
  const requestLine = `GET ${target.path} HTTP/1.1`;
  socket.write(`${requestLine}\r\n${requestHeaders.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);

  return new Promise<HandshakeResult>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let parsed: ParsedHead | undefined;
    let headEnd = -1;
    let bodyWanted = BODY_EXCERPT_BYTES;
    let graceTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const cleanup = (): void => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (err: CcError): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket.destroy();
      reject(err);
    };
    const info = (p: ParsedHead): HandshakeInfo => ({ requestLine, requestHeaders, statusLine: p.statusLine, status: p.status, responseHeaders: p.headers });

    const refuse = (): void => {
      const p = parsed as ParsedHead;
      const all = Buffer.concat(chunks, size);
      const body = all.toString('utf8', headEnd + 4, Math.min(size, headEnd + 4 + BODY_EXCERPT_BYTES));
      fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_STATUS', `the handshake was answered with "${p.statusLine}"${body ? `: ${body.slice(0, 120).replace(/\s+/g, ' ')}` : ''}`, {
        statusLine: p.statusLine, status: p.status, headers: p.headers, bodyExcerpt: body, casing: describeCasing(casing), handshake: info(p),
      }));
    };

    const accept = (): void => {
      const p = parsed as ParsedHead;
      const h = p.headers;
      const detail = { handshake: info(p), casing: describeCasing(casing) };
      const upgrade = header(h, 'upgrade');
      const connection = header(h, 'connection');
      if (!upgrade || upgrade.toLowerCase() !== 'websocket' || !connection || !/(^|,)\s*upgrade\s*(,|$)/i.test(connection)) {
        fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_UPGRADE', `the 101 reply has Upgrade: ${JSON.stringify(upgrade ?? null)}, Connection: ${JSON.stringify(connection ?? null)}`, detail));
        return;
      }
      const got = header(h, 'sec-websocket-accept');
      const want = createHash('sha1').update(key + GUID).digest('base64');
      if (got === undefined) return fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_ACCEPT_MISSING', undefined, detail));
      if (got !== want) return fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_ACCEPT_WRONG', `Sec-WebSocket-Accept is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`, { ...detail, got, want }));
      const protocol = header(h, 'sec-websocket-protocol') ?? '';
      const offered = options.subprotocols ?? [];
      if ((protocol && !offered.includes(protocol)) || (!protocol && offered.length > 0)) {
        return fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_SUBPROTOCOL', protocol ? `the server selected ${JSON.stringify(protocol)}, which was not offered` : 'the server selected no subprotocol of those offered', { ...detail, offered, selected: protocol }));
      }
      const extensions = header(h, 'sec-websocket-extensions') ?? '';
      // We offer no extension, so any accepted one is a fault (§9.1).
      if (extensions) return fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_EXTENSION', `the server accepted extensions ${JSON.stringify(extensions)} that were not offered`, { ...detail, extensions }));
      settled = true;
      cleanup();
      const all = Buffer.concat(chunks, size);
      resolve({ socket, info: info(p), head: all.subarray(headEnd + 4), protocol, extensions });
    };

    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (!parsed) {
        const all = Buffer.concat(chunks, size);
        headEnd = all.indexOf('\r\n\r\n');
        if (headEnd === -1) {
          if (size > MAX_HEAD_BYTES) fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_MALFORMED', `no end of the response head within ${MAX_HEAD_BYTES} bytes`));
          return;
        }
        parsed = parseHead(all.toString('latin1', 0, headEnd));
        if (!parsed) {
          fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_MALFORMED', `the reply does not start with an HTTP/1.1 status line: ${JSON.stringify(all.toString('latin1', 0, Math.min(headEnd, 80)))}`));
          return;
        }
        if (parsed.status === 101) {
          accept();
          return;
        }
        const length = Number(header(parsed.headers, 'content-length'));
        if (Number.isFinite(length)) bodyWanted = Math.min(length, BODY_EXCERPT_BYTES);
        else graceTimer = setTimeout(refuse, Math.min(BODY_GRACE_MS, remaining));
      }
      if (size - (headEnd + 4) >= bodyWanted) refuse();
    };
    const onError = (err: Error & { code?: string }): void => {
      if (parsed) refuse();
      else fail(socketOpenError(target.href, err, 'handshake'));
    };
    const onClose = (): void => {
      if (parsed) refuse();
      else fail(handshakeFault(target.href, 'CC_WIRE_HANDSHAKE_CLOSED', `the server closed the connection after ${size} bytes, before a complete handshake reply`, { bytes: size, casing: describeCasing(casing) }));
    };
    const timer = setTimeout(() => {
      if (parsed) refuse();
      else fail(connectTimeoutError(target.href, options.connectTimeout, 'handshake'));
    }, remaining);
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
