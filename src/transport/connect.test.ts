import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isCcError } from '../errors.js';
import { startBadTcpServer } from '../testing/bad-tcp-server.js';
import { startTcpEchoServer, startWsEchoServer, type RunningServer } from '../testing/transport-echo-servers.js';
import { diagnosticOf } from './connect-errors.js';
import { connect } from './connect.js';
import type { Connection, ConnectOptions } from './types.js';

const base = { codec: 'json', connectTimeout: 500, maxInboundBytes: 1 << 20 } as const;
let servers: RunningServer[] = [];
let conns: Connection[] = [];

async function open(options: Partial<ConnectOptions> & { url: string }): Promise<Connection> {
  const c = await connect({ ...base, ...options });
  conns.push(c);
  return c;
}

afterEach(async () => {
  for (const c of conns) c.destroy();
  conns = [];
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('connect()', () => {
  it('round-trips a JSON object over ws:// and records the transcript', async () => {
    const s = await startWsEchoServer();
    servers.push(s);
    const c = await open({ url: s.url });
    await c.send({ action: 'PING', seq_id: 's1' });
    const ev = await c.receive(500, 'the echo');
    expect(ev).toMatchObject({ kind: 'message', value: { action: 'PING', seq_id: 's1' } });
    expect(c.transcript.map((r) => [r.direction, r.text, r.bytes])).toEqual([
      ['out', '{"action":"PING","seq_id":"s1"}', 31],
      ['in', '{"action":"PING","seq_id":"s1"}', 31],
    ]);
    expect(c.handshake?.status).toBe(101);
    const closed = await c.close(1000, 'bye', 500);
    expect(closed).toEqual({ code: 1000, reason: 'bye', clean: true });
    expect(c.closed).toBe(true);
  });

  it('round-trips newline-delimited JSON over tcp://, including a message split across writes', async () => {
    const s = await startTcpEchoServer();
    servers.push(s);
    const c = await open({ url: s.url });
    await c.sendBytes?.(Buffer.from('{"a":'));
    await c.sendBytes?.(Buffer.from('1}\n{"b":2}\r\n'));
    expect(await c.receive(500, 'first line')).toMatchObject({ kind: 'message', value: { a: 1 }, bytes: 7 });
    expect(await c.receive(500, 'second line')).toMatchObject({ kind: 'message', value: { b: 2 } });
    await c.send({ c: 3 });
    expect(await c.receive(500, 'third line')).toMatchObject({ kind: 'message', value: { c: 3 } });
    expect(c.diagnostics).toEqual([]);
  });

  it('round-trips length-prefixed MessagePack over tcp+lp://', async () => {
    const s = await startTcpEchoServer({ scheme: 'tcp+lp' });
    servers.push(s);
    const c = await open({ url: s.url, codec: 'msgpack' });
    await c.send({ rid: 7, kind: 'ok' });
    expect(await c.receive(500, 'the echo')).toMatchObject({ kind: 'message', value: { rid: 7, kind: 'ok' } });
    expect(c.transcript[1]?.text).toBe('{"rid":7,"kind":"ok"}');
  });

  it('answers a receive past its deadline with CC_WIRE_TIMEOUT naming what was awaited', async () => {
    const s = await startTcpEchoServer();
    servers.push(s);
    const c = await open({ url: s.url });
    const ev = await c.receive(50, 'CONNECT_RESPONSE');
    expect(ev.kind).toBe('diagnostic');
    if (ev.kind !== 'diagnostic') return;
    expect(ev.diagnostic.code).toBe('CC_WIRE_TIMEOUT');
    expect(ev.diagnostic.message).toContain('CONNECT_RESPONSE');
    // Returned to the caller, not recorded: silence may be what a scenario expects.
    expect(c.diagnostics).toEqual([]);
  });

  it('delivers events queued before a listener is set, in order', async () => {
    const s = await startWsEchoServer({ greeting: { hello: 1 } });
    servers.push(s);
    const c = await open({ url: s.url });
    await c.send({ n: 2 });
    const seen: unknown[] = [];
    await new Promise<void>((resolve) => {
      c.setListener((e) => {
        if (e.kind === 'message') seen.push(e.value);
        if (seen.length === 2) resolve();
      });
    });
    expect(seen).toEqual([{ hello: 1 }, { n: 2 }]);
  });

  it('throws CC_ERR_BAD_TARGET for a bad URL and CC_ERR_CONNECT for a refused port', async () => {
    await expect(connect({ ...base, url: 'http://x' })).rejects.toMatchObject({ code: 'CC_ERR_BAD_TARGET' });
    await expect(connect({ ...base, url: 'tcp://127.0.0.1' })).rejects.toMatchObject({ code: 'CC_ERR_BAD_TARGET' });
    // A port that was just free: nothing listens there.
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    for (const url of [`tcp://127.0.0.1:${port}`, `ws://127.0.0.1:${port}/`]) {
      const err: unknown = await connect({ ...base, url }).catch((e: unknown) => e);
      expect(isCcError(err) && err.code).toBe('CC_ERR_CONNECT');
      expect(isCcError(err) && err.exitCode).toBe(2);
    }
  });

  it('rejects send after close with CC_ERR_CONNECTION_CLOSED', async () => {
    const s = await startTcpEchoServer();
    servers.push(s);
    const c = await open({ url: s.url });
    await c.close(undefined, undefined, 500);
    await expect(c.send({ a: 1 })).rejects.toMatchObject({ code: 'CC_ERR_CONNECTION_CLOSED' });
  });

  it.each([false, true])('round-trips MessagePack in binary frames over ws:// (lenient: %s)', async (lenient) => {
    const s = await startWsEchoServer();
    servers.push(s);
    const c = await open({ url: s.url, codec: 'msgpack', lenient });
    await c.send({ rid: 1, kind: 'ping', data: Uint8Array.of(1, 2, 3) });
    const ev = await c.receive(500, 'the echo');
    expect(ev).toMatchObject({ kind: 'message', value: { rid: 1, kind: 'ping' } });
    const data = ev.kind === 'message' ? (ev.value as { data: Uint8Array }).data : undefined;
    expect(data instanceof Uint8Array && [...data]).toEqual([1, 2, 3]);
  });

  it.each([false, true])('sendBytes writes exact bytes below the WebSocket layer (lenient: %s)', async (lenient) => {
    const s = await startWsEchoServer();
    servers.push(s);
    const c = await open({ url: s.url, lenient });
    // A masked text frame "{}" (mask 0): the server echoes it as a message.
    await c.sendBytes?.(Uint8Array.of(0x81, 0x82, 0, 0, 0, 0, 0x7b, 0x7d));
    expect(await c.receive(500, 'the echo')).toMatchObject({ kind: 'message', value: {} });
  });

  it('a peer that does not read makes a large send resolve at its deadline with CC_WIRE_WRITE_TIMEOUT', async () => {
    const s = await startBadTcpServer('silent');
    servers.push(s);
    const c = await open({ url: s.url, sendTimeout: 100 });
    await c.sendRaw('x'.repeat(32 * 1024 * 1024));
    expect(c.diagnostics.map((d) => d.code)).toEqual(['CC_WIRE_WRITE_TIMEOUT']);
    expect(c.transcript[0]).toMatchObject({ direction: 'out', bytes: 32 * 1024 * 1024, truncated: true });
    expect(c.transcript[0]?.text).toHaveLength(4096);
  });

  it('a TLS handshake that never completes is a connect timeout (CC_ERR_CONNECT, CC_WIRE_CONNECT_TIMEOUT)', async () => {
    const s = await startBadTcpServer('silent');
    servers.push(s);
    const err: unknown = await connect({ ...base, url: `tls://127.0.0.1:${s.port}`, connectTimeout: 200 }).catch((e: unknown) => e);
    expect(isCcError(err) && err.code).toBe('CC_ERR_CONNECT');
    expect(diagnosticOf(err)?.code).toBe('CC_WIRE_CONNECT_TIMEOUT');
  });

  it('refuses header names, values and subprotocols that would break the request, before connecting', async () => {
    const bads: Partial<ConnectOptions>[] = [{ headers: { 'Bad Name': 'x' } }, { headers: { 'X-Ok': 'a\r\nInjected: 1' } }, { subprotocols: ['chat v1'] }];
    for (const bad of bads) {
      await expect(connect({ ...base, url: 'ws://127.0.0.1:9/', ...bad })).rejects.toMatchObject({ code: 'CC_ERR_USAGE', exitCode: 2 });
    }
  });
});
