/**
 * envelope (seed 000) on the other-choices variant (choices.ts), beside the reference server:
 * handshake refusal, presence and chat copies, error codes, rate windows, heartbeat, extras.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import type { RunningServer } from './server.js';
import { closeAll, connectEnvelope, connectWs, type Msg, type TestClient } from './testing/client.js';
import { ISO_MS, freshUser } from './testing/fixtures.js';
import { takeViolations } from './testing/schema-check.js';
import { ISO_S, SERVER_VERSION, closePairs, startPair, unchosenViolations, type ServerPair } from './testing/variant.js';

const clients: TestClient[] = [];
afterEach(() => {
  closeAll(clients);
  // Every message of both servers meets the generated schemas, but for the variant's chosen departures.
  expect(unchosenViolations(takeViolations())).toEqual([]);
});
afterAll(closePairs);

async function join(s: RunningServer, nickname: string, id = freshUser()): Promise<TestClient & { id: number }> {
  const c = await connectEnvelope(s.urls.envelopeWs as string, nickname, id);
  clients.push(c);
  return c;
}
const ofType = (type: string) => (m: Msg) => m.type === type;
const typesOf = (c: TestClient): string[] => c.received.map((m) => m.type as string);

/** Both clients in `room`, each having seen the other's join where the server sends one. */
async function together(a: TestClient, b: TestClient, room: string): Promise<void> {
  a.send({ type: 'room.join', data: { room } });
  await new Promise((r) => setTimeout(r, 50));
  b.send({ type: 'room.join', data: { room } });
  await a.next((m) => m.type === 'user.joined' && (m.data as Msg).user_id === String((b as TestClient & { id: number }).id));
}

describe('envelope: the other-choices variant beside the reference server', () => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await startPair({ profiles: 'envelope' });
  });

  it('accepts the upgrade of a bad or missing token and closes with 4401 (envelope.D1); the reference refuses the handshake with HTTP 401', async () => {
    const bad = `?token=${mintToken({ claims: { sub: '1' }, key: 'wrong' })}`;
    for (const query of ['', bad]) {
      await expect(connectWs(`${pair.reference.urls.envelopeWs}${query}`)).rejects.toThrow('HTTP 401');
      const c = await connectWs(`${pair.other.urls.envelopeWs}${query}`);
      clients.push(c);
      expect(await c.closed()).toEqual({ code: 4401, reason: 'invalid token' });
      expect(c.received).toEqual([]);
    }
  });

  it('sends user.joined and user.left to the other members only, and no chat.message back to its sender (envelope.D3); the reference sends both to everyone', async () => {
    for (const s of [pair.reference, pair.other]) {
      const everyone = s === pair.reference;
      const a = await join(s, 'Alice');
      const b = await join(s, 'Bob');
      await together(a, b, 'general');
      a.send({ type: 'chat.message', data: { room: 'general', text: 'hello' } });
      expect((await b.next(ofType('chat.message'))).data).toMatchObject({ text: 'hello', user_id: String(a.id) });
      b.send({ type: 'room.leave', data: { room: 'general' } });
      expect((await a.next(ofType('user.left'))).data).toMatchObject({ user_id: String(b.id) });
      await new Promise((r) => setTimeout(r, 150));
      const ownOfA = a.received.filter((m) => (m.data as Msg).user_id === String(a.id)).map((m) => m.type);
      const ownOfB = b.received.filter((m) => (m.data as Msg).user_id === String(b.id)).map((m) => m.type);
      expect(ownOfA).toEqual(everyone ? ['user.joined', 'chat.message'] : []);
      expect(ownOfB).toEqual(everyone ? ['user.joined', 'user.left'] : []);
    }
  });

  it.each([
    ['text that is not JSON', '{nope', 'invalid_message', 'invalid_json'],
    ['a type that is not a string', { type: 5, id: 'e2' }, 'invalid_message', 'bad_request'],
    ['data that is not an object', { type: 'room.join', id: 'e3', data: 'general' }, 'invalid_message', 'bad_request'],
    ['a chat message for a room not joined', { type: 'chat.message', id: 'e5', data: { room: 'nowhere', text: 'x' } }, 'not_in_room', 'forbidden'],
    ['an unknown type (the seed\'s own code)', { type: 'game.move', id: 'e1', data: {} }, 'unknown_type', 'unknown_type'],
  ])('answers %s with the variant\'s code (envelope.D4)', async (_name, message, referenceCode, otherCode) => {
    for (const [s, code] of [[pair.reference, referenceCode], [pair.other, otherCode]] as const) {
      const c = await join(s, 'E');
      c.send(message);
      const err = await c.next(ofType('error'));
      expect(err.code).toBe(code);
      expect(err.ref_id).toBe(typeof message === 'string' ? undefined : message.id);
    }
  });

  it('still refuses the 21st message of a burst with rate_limited and drops it', async () => {
    const c = await join(pair.other, 'Fast');
    const watcher = await join(pair.other, 'Watch');
    await together(watcher, c, 'rl');
    for (let i = 0; i < 25; i++) c.send({ type: 'chat.message', id: `m${i}`, data: { room: 'rl', text: `t${i}` } });
    const errors: Msg[] = [];
    for (let i = 0; i < 6; i++) errors.push(await c.next(ofType('error')));
    // The join counted in the same window: 19 chats pass, the 6 after them are refused.
    expect(errors.map((e) => [e.code, e.ref_id])).toEqual([19, 20, 21, 22, 23, 24].map((i) => ['rate_limited', `m${i}`]));
    const chats: Msg[] = [];
    for (let i = 0; i < 19; i++) chats.push(await watcher.next(ofType('chat.message')));
    expect(chats.map((m) => (m.data as Msg).text)).toEqual(Array.from({ length: 19 }, (_, i) => `t${i}`));
    await watcher.nothing(100, ofType('chat.message'));
  });

  it('writes ts in whole seconds, as the seed shows, and adds server_version to every message; the reference writes milliseconds and nothing extra', async () => {
    for (const [s, time] of [[pair.reference, ISO_MS], [pair.other, ISO_S]] as const) {
      const a = await join(s, 'Alice');
      const b = await join(s, 'Bob');
      await together(a, b, 'ts');
      a.send({ type: 'chat.message', data: { room: 'ts', text: 'x' } });
      expect(((await b.next(ofType('chat.message'))).data as Msg).ts).toMatch(time);
      b.send({ type: 'nope', data: {} });
      await b.next(ofType('error'));
      for (const m of b.received) {
        if (s === pair.other) expect(m).toMatchObject(SERVER_VERSION);
        else expect(m).not.toHaveProperty('server_version');
      }
      expect(typesOf(b)).toEqual(expect.arrayContaining(['chat.message', 'error']));
    }
  });

  it('answers a frame over the size limit with an error and carries on; the reference closes with 1009', async () => {
    const small = await startPair({ profiles: 'envelope', limits: { maxMessageBytes: 512 } });
    const ref = await join(small.reference, 'Big');
    ref.send({ type: 'chat.message', data: { room: 'r', text: 'x'.repeat(600) } });
    expect((await ref.closed()).code).toBe(1009);
    const alt = await join(small.other, 'Big');
    alt.send({ type: 'chat.message', id: 'big', data: { room: 'r', text: 'x'.repeat(600) } });
    expect(await alt.next(ofType('error'))).toMatchObject({ code: 'bad_request' });
    alt.send({ type: 'room.join', data: { room: 'after' } });
    alt.send({ type: 'chat.message', id: 'small', data: { room: 'nowhere', text: 'x' } });
    expect(await alt.next(ofType('error'))).toMatchObject({ code: 'forbidden', ref_id: 'small' });
  });

  it('keeps one ping outstanding and drops a silent client pongTimeout after it, with 1001; the reference pings at every interval and closes with 4408', async () => {
    const timers = { pingInterval: 100, pongTimeout: 700 };
    const short = await startPair({ profiles: 'envelope', timers });
    const [ref, alt] = await Promise.all([join(short.reference, 'Silent'), join(short.other, 'Silent')]);
    expect(await ref.closed(3000)).toEqual({ code: 4408, reason: 'pong timeout' });
    expect(await alt.closed(3000)).toEqual({ code: 1001, reason: 'pong timeout' });
    expect(alt.received.filter(ofType('ping'))).toEqual([{ type: 'ping', data: {}, ...SERVER_VERSION }]);
    expect(ref.received.filter(ofType('ping')).length).toBeGreaterThanOrEqual(2);
  });

  it('pings again once the pong comes, and keeps a client that answers', async () => {
    const short = await startPair({ profiles: 'envelope', timers: { pingInterval: 100, pongTimeout: 300 } });
    const c = await join(short.other, 'Good');
    for (let i = 0; i < 6; i++) {
      await c.next(ofType('ping'), 1000);
      c.send({ type: 'pong', data: {} });
    }
    expect(c.isClosed).toBe(false);
  });
});
