/** 1,000 concurrent authenticated connections (assa.D18) in one process, with a broadcast through each room. */
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from './server.js';
import { loginAssa, type TestClient } from './testing/client.js';
import { freshUser } from './testing/fixtures.js';

const clients: TestClient[] = [];
let server: RunningServer | undefined;
afterAll(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
});

function heapMiB(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe('scale', () => {
  it('sustains 1,000 authenticated connections over TCP and WebSocket, delivers a broadcast in every room of 10, and refuses the 1,001st', async () => {
    server = await startReferenceServer({ profiles: 'assa' });
    const s = server;
    const heapBefore = heapMiB();
    const rssBefore = process.memoryUsage().rss / 1024 / 1024;
    for (let batch = 0; batch < 10; batch++) {
      const opened = await Promise.all(Array.from({ length: 100 }, (_, i) => loginAssa(s.urls, i % 2 === 0 ? 'tcp' : 'ws', freshUser())));
      clients.push(...opened);
    }
    expect(s.stats().open).toBe(1000);
    expect(s.stats().authenticatedUsers).toBe(1000);
    // Rooms of 10: the first of each ten creates the room, the others join.
    const rooms: number[] = [];
    for (let r = 0; r < 100; r++) {
      const host = clients[r * 10] as TestClient;
      rooms.push((await host.request('CREATE_ROOM', { name: `room ${r}`, max_participants: 10 })).data?.room_id as number);
    }
    await Promise.all(clients.map((c, i) => (i % 10 === 0 ? undefined : c.request('JOIN_ROOM', { room_id: rooms[Math.floor(i / 10)] }, 10_000))));
    for (let r = 0; r < 100; r++) (clients[r * 10] as TestClient).send({ action: 'SEND_MESSAGE', data: { room_id: rooms[r], content: `hello ${r}`, message_type: 'text' }, timestamp: new Date().toISOString(), seq_id: `b${r}` });
    const got = await Promise.all(clients.map((c, i) => (i % 10 === 0 ? undefined : c.next((m) => m.action === 'NEW_MESSAGE', 10_000))));
    got.forEach((m, i) => {
      if (i % 10 !== 0) expect(m?.data?.content).toBe(`hello ${Math.floor(i / 10)}`);
    });
    const heapAfter = heapMiB();
    const rssAfter = process.memoryUsage().rss / 1024 / 1024;
    const perConnKiB = ((heapAfter - heapBefore) * 1024) / 1000;
    // Recorded for the report: server and 1,000 test clients share this process.
    console.log(`1,000 connections: heap +${(heapAfter - heapBefore).toFixed(1)} MiB (${perConnKiB.toFixed(1)} KiB per connection, server and client side), rss +${(rssAfter - rssBefore).toFixed(1)} MiB`);
    expect(heapAfter - heapBefore).toBeLessThan(200);
    const extra = await loginAssa(s.urls, 'tcp', freshUser()).catch((err: Error) => err);
    expect(extra).toBeInstanceOf(Error);
    expect(s.stats().refusedFull).toBe(1);
    expect(s.stats().open).toBe(1000);
  }, 60_000);
});
