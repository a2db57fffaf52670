/** wss:// and tls:// with certificate checks and --insecure; custom headers, subprotocols, a query token. */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../testing/tls-test-cert.js';
import { connect } from './connect.js';
import { probe } from './probe.js';
import type { ConnectOptions } from './types.js';

let httpsServer: https.Server;
let wss: WebSocketServer;
let tlsServer: tls.Server;
const seen: { url: string; headers: Record<string, string | string[] | undefined> }[] = [];

beforeAll(async () => {
  httpsServer = https.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT });
  wss = new WebSocketServer({ server: httpsServer, perMessageDeflate: false, handleProtocols: (p) => (p.has('chat.v2') ? 'chat.v2' : false) });
  wss.on('connection', (ws, req) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    ws.on('message', (d, bin) => ws.send(d, { binary: bin }));
  });
  tlsServer = tls.createServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await Promise.all([
    new Promise<void>((r) => httpsServer.listen(0, '127.0.0.1', r)),
    new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r)),
  ]);
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await new Promise<void>((r) => httpsServer.close(() => r()));
  await new Promise<void>((r) => tlsServer.close(() => r()));
});

const wssUrl = (): string => `wss://127.0.0.1:${(httpsServer.address() as AddressInfo).port}/chat`;
const tlsUrl = (): string => `tls://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
const base = (url: string, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({ url, codec: 'json', connectTimeout: 1000, maxInboundBytes: 1 << 20, closeTimeout: 500, ...extra });

describe.each([false, true])('TLS (lenient: %s)', (lenient) => {
  it('refuses a self-signed certificate with CC_ERR_TLS (exit 2)', async () => {
    for (const url of [wssUrl(), tlsUrl()]) {
      await expect(connect(base(url, { lenient }))).rejects.toMatchObject({ code: 'CC_ERR_TLS', exitCode: 2 });
    }
  });

  it('accepts it with insecure, and with its certificate as the CA', async () => {
    for (const tlsOpts of [{ insecure: true }, { ca: TEST_TLS_CERT }]) {
      for (const url of [wssUrl(), tlsUrl()]) {
        const c = await connect(base(url, { lenient, tls: tlsOpts }));
        await c.send({ action: 'PING' });
        expect(await c.receive(500, 'echo')).toMatchObject({ kind: 'message', value: { action: 'PING' } });
        await c.close(1000, '', 500);
      }
    }
  });
});

describe.each([false, true])('handshake options (lenient: %s)', (lenient) => {
  it('sends custom headers, offers subprotocols and adds the query token', async () => {
    const c = await connect(base(wssUrl(), { lenient, tls: { insecure: true }, headers: { 'X-Tenant': 'acme' }, subprotocols: ['chat.v1', 'chat.v2'], query: { token: 'abc.def' } }));
    const last = seen.at(-1);
    expect(last?.url).toBe('/chat?token=abc.def');
    expect(last?.headers['x-tenant']).toBe('acme');
    expect(c.protocol).toBe('chat.v2');
    c.destroy();
  });
});

describe('probe over TLS', () => {
  it('refuses a self-signed wss:// server (CC_ERR_TLS) and passes it with insecure', async () => {
    await expect(probe({ url: wssUrl(), timeoutMs: 500, listenMs: 50 })).rejects.toMatchObject({ code: 'CC_ERR_TLS' });
    const r = await probe({ url: wssUrl(), timeoutMs: 500, listenMs: 50, insecure: true });
    expect(r.verdict).toBe('PASS');
    const t = await probe({ url: tlsUrl(), timeoutMs: 500, listenMs: 50, insecure: true });
    expect(t.checks.map((c) => [c.id, c.verdict])).toEqual([['connect', 'PASS'], ['framing', 'PASS'], ['encoding', 'PASS'], ['payloads', 'PASS'], ['close', 'PASS']]);
  });
});
