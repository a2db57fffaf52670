/** Limits and timers with short configured values: message size, connections, heartbeat, timeouts, slow consumers. */
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import { startReferenceServer, type RunningServer } from './server.js';
import type { ReferenceServerOptions } from './shared/config.js';
import { closeAll, connectAssa, connectTcp, connectWs, loginAssa, type TestClient } from './testing/client.js';
import { takeViolations } from './testing/schema-check.js';
import { ISO_MS, expectError, expectSuccess, freshUser } from './testing/fixtures.js';

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  closeAll(clients);
  expect(takeViolations()).toEqual([]);
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: ReferenceServerOptions): Promise<RunningServer> {
  const s = await startReferenceServer({ profiles: 'assa', ...options });
  servers.push(s);
  return s;
}
function keep<T extends TestClient>(c: T): T {
  clients.push(c);
  return c;
}

/** A CREATE_ROOM request padded with spaces to exactly `bytes` bytes of JSON. */
function paddedRequest(bytes: number, seqId: string): string {
  const base = JSON.stringify({ action: 'CREATE_ROOM', data: { name: 'x' }, seq_id: seqId, timestamp: new Date().toISOString() });
  return `${base.slice(0, -1)}${' '.repeat(bytes - base.length)}}`;
}

describe('message size (assa.D3)', () => {
  it('over TCP accepts a message of exactly the limit, refuses a larger one with ERROR MESSAGE_TOO_LONG and carries on', async () => {
    const s = await start({ limits: { maxMessageBytes: 1024 } });
    const c = keep(await loginAssa(s.urls, 'tcp', freshUser()));
    const other = keep(await loginAssa(s.urls, 'tcp', freshUser()));
    const exact = paddedRequest(1024, 'exact');
    expect(Buffer.byteLength(exact)).toBe(1024);
    c.send(exact);
    expectSuccess(await c.next((m) => m.seq_id === 'exact'), 'CREATE_ROOM');
    c.send(paddedRequest(1025, 'big'));
    const err = await c.nextAction('ERROR');
    expectError(err, 'MESSAGE_TOO_LONG');
    expect(err.seq_id).not.toBe('big');
    // A line far past the limit, written in pieces, is discarded without being buffered.
    for (let i = 0; i < 50; i++) c.send(Buffer.from('x'.repeat(10_000)));
    c.send(Buffer.from('\n'));
    expectError(await c.nextAction('ERROR'), 'MESSAGE_TOO_LONG');
    expectSuccess(await c.request('CREATE_ROOM', { name: 'after' }), 'CREATE_ROOM');
    expectSuccess(await other.request('CREATE_ROOM', { name: 'unaffected' }), 'CREATE_ROOM');
  });

  it('over WebSocket closes with 1009 and leaves the other clients alone', async () => {
    const s = await start({ limits: { maxMessageBytes: 1024 } });
    const c = keep(await loginAssa(s.urls, 'ws', freshUser()));
    const other = keep(await loginAssa(s.urls, 'ws', freshUser()));
    c.send(paddedRequest(1024, 'exact'));
    expectSuccess(await c.next((m) => m.seq_id === 'exact'), 'CREATE_ROOM');
    c.send(paddedRequest(1025, 'big'));
    expect((await c.closed()).code).toBe(1009);
    expectSuccess(await other.request('CREATE_ROOM', { name: 'unaffected' }), 'CREATE_ROOM');
  });
});

describe('connection limit (assa.D18)', () => {
  it('holds maxConnections and refuses the next one at once: ERROR then close on TCP, close 1013 on WebSocket', async () => {
    const s = await start({ limits: { maxConnections: 3 } });
    for (let i = 0; i < 3; i++) keep(await connectAssa(s.urls, i % 2 === 0 ? 'tcp' : 'ws'));
    const tcp = keep(await connectTcp(s.urls.assaTcp as string));
    tcp.profile = 'assa';
    expectError(await tcp.nextAction('ERROR'), 'MAX_PARTICIPANTS_REACHED');
    await tcp.closed();
    const ws = keep(await connectWs(s.urls.assaWs as string));
    ws.profile = 'assa';
    expect((await ws.closed()).code).toBe(1013);
    expect(s.stats().refusedFull).toBe(2);
    expect(s.stats().open).toBe(3);
  });
});

describe('heartbeat (assa.D5)', () => {
  it.each(['tcp', 'ws'] as const)('over %s: sends PING at the interval and keeps a client that answers PONG', async (transport) => {
    const s = await start({ timers: { pingInterval: 100, pongTimeout: 500 } });
    const c = keep(await loginAssa(s.urls, transport, freshUser()));
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      const ping = await c.nextAction('PING', 1000);
      expect(ping.timestamp).toMatch(ISO_MS);
      expect(typeof ping.seq_id).toBe('string');
      expect(Object.keys(ping).sort()).toEqual(['action', 'seq_id', 'timestamp']);
      c.send({ action: 'PONG', timestamp: new Date().toISOString(), seq_id: ping.seq_id });
    }
    expect(Date.now() - started).toBeGreaterThan(500);
    expect(c.isClosed).toBe(false);
    expectSuccess(await c.request('CREATE_ROOM', { name: 'alive' }), 'CREATE_ROOM');
  });

  it.each(['tcp', 'ws'] as const)('over %s: drops a client that sends no PONG (WebSocket close 4408 "pong timeout")', async (transport) => {
    const s = await start({ timers: { pingInterval: 100, pongTimeout: 300 } });
    const c = keep(await loginAssa(s.urls, transport, freshUser()));
    await c.nextAction('PING', 1000);
    const closed = await c.closed(2000);
    if (transport === 'ws') expect(closed).toEqual({ code: 4408, reason: 'pong timeout' });
  });

  it('does not count a PONG with a seq_id the server never sent', async () => {
    const s = await start({ timers: { pingInterval: 100, pongTimeout: 300 } });
    const c = keep(await loginAssa(s.urls, 'ws', freshUser()));
    const timer = setInterval(() => c.send({ action: 'PONG', timestamp: new Date().toISOString(), seq_id: 'made-up' }), 50);
    try {
      expect((await c.closed(2000)).code).toBe(4408);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('connect timeout (assa.D6)', () => {
  it.each(['tcp', 'ws'] as const)('over %s: closes a connection that does not CONNECT in time (WebSocket 4408 "connect timeout")', async (transport) => {
    const s = await start({ timers: { connectTimeout: 200 } });
    const c = keep(await connectAssa(s.urls, transport));
    const closed = await c.closed(2000);
    if (transport === 'ws') expect(closed).toEqual({ code: 4408, reason: 'connect timeout' });
  });

  it('keeps a connection that completed CONNECT past the connect timeout', async () => {
    const s = await start({ timers: { connectTimeout: 150 } });
    const c = keep(await connectAssa(s.urls, 'tcp'));
    expectSuccess(await c.request('CONNECT', { jwt_token: mintToken({ claims: { sub: String(freshUser()) } }) }), 'CONNECT');
    await new Promise((r) => setTimeout(r, 400));
    expect(c.isClosed).toBe(false);
  });
});

describe('slow consumers', () => {
  it.each(['tcp', 'ws'] as const)('over %s: drops a client that stops reading once its buffered output passes the cap, without stalling the others', async (transport) => {
    const s = await start({ limits: { maxOutboundBufferBytes: 256 * 1024 } });
    const slow = keep(await loginAssa(s.urls, transport, freshUser()));
    const fast = keep(await loginAssa(s.urls, transport, freshUser()));
    if ('socket' in slow) (slow as unknown as { socket: { pause(): void } }).socket.pause();
    else (slow as unknown as { ws: { pause(): void } }).ws.pause();
    const text = 'x'.repeat(8000);
    let received = 0;
    for (let round = 0; round < 40 && s.stats().slowConsumers === 0; round++) {
      for (let i = 0; i < 100; i++) s.announce({ title: `t${round}-${i}`, message: text });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(s.stats().slowConsumers).toBe(1);
    // The fast client gets every announcement, in order.
    const deadline = Date.now() + 10_000;
    while (received < 100 && Date.now() < deadline) {
      await fast.nextAction('SERVER_ANNOUNCEMENT', 5000);
      received++;
    }
    expect(received).toBe(100);
    expectSuccess(await fast.request('CREATE_ROOM', { name: 'fine' }), 'CREATE_ROOM');
    await new Promise((r) => setTimeout(r, 1200));
    expect(s.stats().open).toBe(1);
  });
});
