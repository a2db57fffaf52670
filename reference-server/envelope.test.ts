/** envelope (seed 000) over WebSocket: handshake auth, rooms, chat, typing, errors, rate limit, heartbeat. */
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import type { ReferenceServerOptions } from './shared/config.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { closeAll, connectEnvelope, connectWs, type Msg, type TestClient } from './testing/client.js';
import { ISO_MS, freshUser } from './testing/fixtures.js';
import { takeViolations } from './testing/schema-check.js';

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  closeAll(clients);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  expect(takeViolations()).toEqual([]);
});

async function start(options: ReferenceServerOptions = {}): Promise<RunningServer> {
  const s = await startReferenceServer({ profiles: 'envelope', ...options });
  servers.push(s);
  return s;
}

async function join(s: RunningServer, nickname: string, id = freshUser()): Promise<TestClient & { id: number }> {
  const c = await connectEnvelope(s.urls.envelopeWs as string, nickname, id);
  clients.push(c);
  return c;
}

const ofType = (type: string) => (m: Msg) => m.type === type;

describe('envelope', () => {
  it('refuses a handshake without a valid token with HTTP 401', async () => {
    const s = await start();
    await expect(connectWs(s.urls.envelopeWs as string)).rejects.toThrow('HTTP 401');
    await expect(connectWs(`${s.urls.envelopeWs}?token=${mintToken({ claims: { sub: '1' }, key: 'wrong' })}`)).rejects.toThrow('HTTP 401');
  });

  it('announces joins to every member including the joiner, chat to everyone, typing to the others, leaves to everyone', async () => {
    const s = await start();
    const a = await join(s, 'Alice');
    const b = await join(s, 'Bob');
    a.send({ type: 'room.join', data: { room: 'general' } });
    expect((await a.next(ofType('user.joined'))).data).toEqual({ room: 'general', user_id: String(a.id), username: 'Alice' });
    b.send({ type: 'room.join', data: { room: 'general' } });
    for (const c of [a, b]) expect((await c.next(ofType('user.joined'))).data).toEqual({ room: 'general', user_id: String(b.id), username: 'Bob' });
    a.send({ type: 'chat.message', data: { room: 'general', text: 'hello' } });
    for (const c of [a, b]) {
      const m = await c.next(ofType('chat.message'));
      expect(m.data).toEqual({ room: 'general', text: 'hello', ts: expect.stringMatching(ISO_MS), user_id: String(a.id), username: 'Alice' });
    }
    b.send({ type: 'chat.typing', data: { room: 'general' } });
    expect((await a.next(ofType('chat.typing'))).data).toEqual({ room: 'general', user_id: String(b.id), username: 'Bob' });
    await b.nothing(100, ofType('chat.typing'));
    b.send({ type: 'room.leave', data: { room: 'general' } });
    for (const c of [a, b]) expect((await c.next(ofType('user.left'))).data).toEqual({ room: 'general', user_id: String(b.id), username: 'Bob' });
    a.send({ type: 'chat.message', data: { room: 'general', text: 'alone' } });
    await a.next(ofType('chat.message'));
    await b.nothing(100, ofType('chat.message'));
  });

  it('tells the room when a member disconnects', async () => {
    const s = await start();
    const a = await join(s, 'Alice');
    const b = await join(s, 'Bob');
    for (const c of [a, b]) {
      c.send({ type: 'room.join', data: { room: 'r' } });
      await c.next(ofType('user.joined'));
    }
    await a.next(ofType('user.joined'));
    b.close();
    expect((await a.next(ofType('user.left'))).data).toEqual({ room: 'r', user_id: String(b.id), username: 'Bob' });
  });

  it.each([
    ['an unknown type', { type: 'game.move', id: 'e1', data: {} }, 'unknown_type'],
    ['a type that is not a string', { type: 5, id: 'e2' }, 'invalid_message'],
    ['data that is not an object', { type: 'room.join', id: 'e3', data: 'general' }, 'invalid_message'],
    ['a join without a room', { type: 'room.join', id: 'e4', data: {} }, 'invalid_message'],
    ['a chat message for a room not joined', { type: 'chat.message', id: 'e5', data: { room: 'nowhere', text: 'x' } }, 'not_in_room'],
    ['typing in a room not joined', { type: 'chat.typing', id: 'e6', data: { room: 'nowhere' } }, 'not_in_room'],
    ['a leave of a room not joined', { type: 'room.leave', id: 'e7', data: { room: 'nowhere' } }, 'not_in_room'],
  ])('answers %s with an error message echoing the id as ref_id', async (_name, message, code) => {
    const s = await start();
    const c = await join(s, 'E');
    c.send(message);
    const err = await c.next(ofType('error'));
    expect(err).toEqual({ type: 'error', code, message: expect.any(String), ref_id: message.id });
  });

  it('answers text that is not JSON with invalid_message and no ref_id', async () => {
    const s = await start();
    const c = await join(s, 'E');
    c.send('{nope');
    expect(await c.next(ofType('error'))).toEqual({ type: 'error', code: 'invalid_message', message: expect.any(String) });
  });

  it('refuses the 21st message within one second with rate_limited and drops it', async () => {
    const s = await start();
    const c = await join(s, 'Fast');
    c.send({ type: 'room.join', data: { room: 'rl' } });
    await c.next(ofType('user.joined'));
    for (let i = 0; i < 25; i++) c.send({ type: 'chat.message', id: `m${i}`, data: { room: 'rl', text: `t${i}` } });
    const errors: Msg[] = [];
    const chats: Msg[] = [];
    const deadline = Date.now() + 2000;
    while (errors.length + chats.length < 25 && Date.now() < deadline) {
      const m = await c.next((x) => x.type === 'error' || x.type === 'chat.message');
      (m.type === 'error' ? errors : chats).push(m);
    }
    // The join counted: 19 chats pass, the 6 after them are refused.
    expect(chats.map((m) => (m.data as Msg).text)).toEqual(Array.from({ length: 19 }, (_, i) => `t${i}`));
    expect(errors.map((e) => [e.code, e.ref_id])).toEqual([19, 20, 21, 22, 23, 24].map((i) => ['rate_limited', `m${i}`]));
    await new Promise((r) => setTimeout(r, 1050));
    c.send({ type: 'chat.message', id: 'later', data: { room: 'rl', text: 'later' } });
    expect(((await c.next(ofType('chat.message'))).data as Msg).text).toBe('later');
  });

  it('pings at the interval, keeps a client that answers pong and closes one that does not with 4408', async () => {
    const s = await start({ timers: { pingInterval: 100, pongTimeout: 500 } });
    const good = await join(s, 'Good');
    const silent = await join(s, 'Silent');
    for (let i = 0; i < 6; i++) {
      expect(await good.next(ofType('ping'), 1000)).toEqual({ type: 'ping', data: {} });
      good.send({ type: 'pong', data: {} });
    }
    expect(await silent.closed(2000)).toEqual({ code: 4408, reason: 'pong timeout' });
    expect(good.isClosed).toBe(false);
  });

  it('closes a connection that sends a frame over the size limit with 1009', async () => {
    const s = await start({ limits: { maxMessageBytes: 512 } });
    const c = await join(s, 'Big');
    c.send({ type: 'chat.message', data: { room: 'r', text: 'x'.repeat(600) } });
    expect((await c.closed()).code).toBe(1009);
  });
});
