/**
 * The preflight against real servers on loopback: one that accepts, a port nobody listens on,
 * a TLS port that never completes its handshake, WebSocket servers that answer 101, 404 and 401,
 * and HTTP logins that exist or do not. Every failure is a CcError with exit code 2.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer as ReferenceServer } from '../../reference-server/server.js';
import { loadProfile } from '../profile/load.js';
import { listenOnLoopback } from '../testing/loopback-listen.js';
import { preflight, type PreflightResult } from './preflight.js';

let reference: ReferenceServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  reference = await startReferenceServer({ profiles: 'all' });
});
afterAll(async () => {
  await reference.close();
  for (const c of cleanups) await c();
});

/** A port that was free a moment ago: nobody listens there. */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  const { port, close } = await listenOnLoopback(s);
  await close();
  return port;
}

/** A raw server: each connection runs `onSocket`; `closed` counts connections that ended. */
async function rawServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; opened: number; closed: number }> {
  const state = { port: 0, opened: 0, closed: 0 };
  const server = net.createServer((s) => {
    state.opened++;
    s.on('close', () => state.closed++);
    // Read (and drop) what arrives, or the end of the stream is never noticed.
    s.resume();
    onSocket(s);
  });
  const { port, close } = await listenOnLoopback(server);
  state.port = port;
  cleanups.push(close);
  return state;
}

/** An HTTP server whose every request and upgrade is answered with `status`. */
async function httpServer(status: number): Promise<number> {
  const server = http.createServer((_req, res) => res.writeHead(status, { 'content-type': 'text/plain' }).end('nope'));
  server.on('upgrade', (_req, socket: net.Socket) => socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`));
  const { port, close } = await listenOnLoopback(server);
  cleanups.push(close);
  return port;
}

function failed(r: PreflightResult): Extract<PreflightResult, { ok: false }> {
  if (r.ok) throw new Error(`expected a failed preflight, got ${JSON.stringify(r)}`);
  expect(r.error.exitCode).toBe(2);
  return r;
}

describe('preflight', () => {
  it('accepts a TCP target that takes the connection, and closes it again', async () => {
    const server = await rawServer(() => undefined);
    const r = await preflight({ url: `tcp://127.0.0.1:${server.port}` });
    expect(r).toMatchObject({ ok: true, checked: 'TCP connect' });
    await expect.poll(() => server.closed, { timeout: 2000 }).toBe(1);
    expect(server.opened).toBe(1);
  });

  it('refuses a port nobody listens on: CC_ERR_CONNECT, exit 2', async () => {
    const port = await deadPort();
    const r = failed(await preflight({ url: `tcp://127.0.0.1:${port}` }));
    expect(r.error.code).toBe('CC_ERR_CONNECT');
    expect(r.error.message).toBe(`cannot connect to tcp://127.0.0.1:${port}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it('gives up on a TLS handshake that never completes at its deadline, and closes the socket', async () => {
    const server = await rawServer(() => undefined);
    const started = Date.now();
    const r = failed(await preflight({ url: `tls://127.0.0.1:${server.port}`, timeoutMs: 300 }));
    expect(r.error.code).toBe('CC_ERR_CONNECT');
    expect(r.error.message).toBe(`cannot connect to tls://127.0.0.1:${server.port}: timed out after 300 ms`);
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => server.closed, { timeout: 2000 }).toBe(1);
  });

  it('completes a WebSocket handshake (101)', async () => {
    const r = await preflight({ url: reference.urls.assaWs! });
    expect(r).toMatchObject({ ok: true, checked: 'WebSocket handshake (101)' });
  });

  it('calls a 404 to the WebSocket handshake a refusal and asks "wrong path?"', async () => {
    const port = await httpServer(404);
    const url = `ws://127.0.0.1:${port}/chat`;
    const r = failed(await preflight({ url }));
    expect(r.status).toBe(404);
    expect(r.error.code).toBe('CC_ERR_TARGET_REFUSED');
    expect(r.error.message).toBe(`${url} was reached but refused: the handshake was answered with "HTTP/1.1 404 Not Found"`);
    expect(r.error.hint).toBe(`wrong path? check the URL's path; \`chat-conform probe ${url}\` shows the exchange`);
  });

  it('says a 401 to a handshake that carries the token means the token was refused', async () => {
    const r = failed(await preflight({ url: reference.urls.envelopeWs!, query: { token: 'not-a-jwt' } }));
    expect(r.status).toBe(401);
    expect(r.error.code).toBe('CC_ERR_TARGET_REFUSED');
    expect(r.error.hint).toBe('the credentials (the token) were refused: check the signing key the server expects');
  });

  it('refuses a scheme the transports do not speak, naming the schemes the profile speaks', async () => {
    const assa = loadProfile('assa');
    const r = failed(await preflight({ url: 'http://127.0.0.1:8080/', auth: assa.auth, transports: assa.transports }));
    expect(r.error.code).toBe('CC_ERR_BAD_TARGET');
    expect(r.error.message).toBe('invalid target http://127.0.0.1:8080/: unsupported scheme http; this profile speaks tcp://, ws://');
  });

  it('reaches an HTTP login path without a token (its 4xx shows the path exists) and refuses a 404 there', async () => {
    const openirc = loadProfile('openirc');
    const ok = await preflight({ url: reference.urls.openircHttp!, auth: openirc.auth, transports: openirc.transports });
    expect(ok).toMatchObject({ ok: true, checked: 'POST /login/ answered 401' });
    const port = await httpServer(404);
    const r = failed(await preflight({ url: `http://127.0.0.1:${port}`, auth: openirc.auth }));
    expect(r.status).toBe(404);
    expect(r.error.code).toBe('CC_ERR_TARGET_REFUSED');
    expect(r.error.message).toBe(`http://127.0.0.1:${port} was reached but refused: POST http://127.0.0.1:${port}/login/ was answered 404 Not Found`);
    const dead = await deadPort();
    expect(failed(await preflight({ url: `http://127.0.0.1:${dead}`, auth: openirc.auth })).error.code).toBe('CC_ERR_CONNECT');
  });
});
