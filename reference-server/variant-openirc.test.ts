/**
 * OpenIRC (seed 001) on the other-choices variant (choices.ts), beside the reference server:
 * login status and session keys, given_type names, join/leave events, message echo, extras.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import type { RunningServer } from './server.js';
import { closeAll, connectWs, type Msg, type TestClient } from './testing/client.js';
import { freshUser } from './testing/fixtures.js';
import { call, channel, openIrcLogin, sendMsgpack } from './testing/openirc.js';
import { takeViolations } from './testing/schema-check.js';
import { SERVER_VERSION, closePairs, startPair, unchosenViolations, type ServerPair } from './testing/variant.js';

const clients: TestClient[] = [];
afterEach(() => {
  closeAll(clients);
  // Every message of both servers meets the generated schemas, but for the variant's chosen departures.
  expect(unchosenViolations(takeViolations())).toEqual([]);
});
afterAll(closePairs);

const login = (s: RunningServer, body: unknown) => openIrcLogin(s.urls.openircHttp as string, body);
async function wsUrl(s: RunningServer, nickname: string): Promise<string> {
  const reply = await login(s, { method: 'token', token: mintToken({ claims: { sub: String(freshUser()), nickname } }) });
  expect(reply.status).toBe(200);
  return reply.body.ws as string;
}
async function user(s: RunningServer, nickname: string): Promise<TestClient> {
  const c = await connectWs(await wsUrl(s, nickname), { msgpack: true });
  c.profile = 'openirc';
  clients.push(c);
  return c;
}
const send = sendMsgpack;
/** A message without the variant's extra fields, to compare shapes. */
function bare(m: Msg): Msg {
  const { server_version: _drop, ...rest } = m;
  return rest;
}

describe('OpenIRC: the other-choices variant beside the reference server', () => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await startPair({ profiles: 'openirc' });
  });

  it('answers a bad token with 403 (openirc.D1); the reference with 401', async () => {
    expect(await login(pair.reference, { method: 'token', token: 'nope' })).toEqual({ status: 401, body: { error: 'invalid_token' } });
    expect(await login(pair.other, { method: 'token', token: 'nope' })).toEqual({ status: 403, body: { error: 'invalid_token' } });
    expect((await login(pair.other, { method: 'password', token: 'x' })).status).toBe(400);
  });

  it('lets the WebSocket URL\'s session key be used again; the reference\'s is one-time', async () => {
    const ref = await wsUrl(pair.reference, 'once');
    clients.push(await connectWs(ref, { msgpack: true }));
    await expect(connectWs(ref)).rejects.toThrow('HTTP 401');
    const alt = await wsUrl(pair.other, 'twice');
    for (let i = 0; i < 2; i++) {
      const c = await connectWs(alt, { msgpack: true });
      clients.push(c);
      expect(bare(await call(c, { rid: i, kind: 'join', target: channel('#k') }))).toEqual({ rid: i, kind: 'ok' });
    }
    await expect(connectWs(`${pair.other.urls.openircWs}?session=bogus`)).rejects.toThrow('HTTP 401');
  });

  it.each([
    ['a fraction (the seed\'s example)', 12.34, 'number', 'number'],
    ['a string', '5', 'string', 'str'],
    ['a boolean', true, 'boolean', 'bool'],
    ['nil', null, 'nil', 'null'],
    ['an array', [1], 'array', 'list'],
    ['a map', { a: 1 }, 'map', 'dict'],
  ])('names the given_type of a rid that is %s in its own vocabulary (openirc.D3)', async (_name, rid, referenceName, otherName) => {
    for (const [s, name] of [[pair.reference, referenceName], [pair.other, otherName]] as const) {
      const c = await user(s, 'r');
      send(c, { rid, kind: 'join', target: channel('#x') });
      expect(bare(await c.next())).toEqual({ rid: -1, given_rid: rid, kind: 'error', list: [{ kind: 'invalid_type', context: 'rid', given_type: name, required_type: 'int32' }] });
    }
  });

  it('pushes join and leave events to the channel\'s members, the joiner and leaver included (openirc.D5); the reference pushes none', async () => {
    for (const s of [pair.reference, pair.other]) {
      const a = await user(s, 'alice');
      const b = await user(s, 'bob');
      await call(a, { rid: 1, kind: 'join', target: channel('#p') });
      await call(b, { rid: 1, kind: 'join', target: channel('#p') });
      await call(b, { rid: 2, kind: 'leave', target: channel('#p') });
      await new Promise((r) => setTimeout(r, 100));
      const events = (c: TestClient) => c.received.filter((m) => m.kind === 'join' || m.kind === 'leave').map(bare);
      const join = (nickname: string) => ({ kind: 'join', target: channel('#p'), from: { nickname } });
      const leave = (nickname: string) => ({ kind: 'leave', target: channel('#p'), from: { nickname } });
      expect(events(a)).toEqual(s === pair.reference ? [] : [join('alice'), join('bob'), leave('bob')]);
      expect(events(b)).toEqual(s === pair.reference ? [] : [join('bob'), leave('bob')]);
    }
  });

  it('echoes a channel message to its sender too, before the ok reply (openirc.D5); the reference sends it to the others only', async () => {
    for (const s of [pair.reference, pair.other]) {
      const a = await user(s, 'alice');
      const b = await user(s, 'bob');
      await call(a, { rid: 1, kind: 'join', target: channel('#e') });
      await call(b, { rid: 1, kind: 'join', target: channel('#e') });
      const reply = await call(a, { rid: 2, kind: 'message', target: channel('#e'), content: 'hi' });
      const message = { kind: 'message', target: channel('#e'), content: 'hi', from: { nickname: 'alice' } };
      expect(bare(await b.next((m) => m.kind === 'message'))).toEqual(message);
      const own = a.received.filter((m) => m.kind === 'message');
      if (s === pair.reference) expect(own).toEqual([]);
      else {
        expect(own.map(bare)).toEqual([message]);
        expect(a.received.indexOf(own[0] as Msg)).toBeLessThan(a.received.indexOf(reply));
      }
    }
  });

  it('adds server_version to the login answer, every reply and every event; the reference adds nothing', async () => {
    const body = (await login(pair.other, { method: 'token', token: mintToken({ claims: { sub: String(freshUser()) } }) })).body;
    expect(body).toMatchObject(SERVER_VERSION);
    expect(body.connections).toEqual([expect.objectContaining({ connid: 1 })]);
    const refBody = (await login(pair.reference, { method: 'token', token: mintToken({ claims: { sub: String(freshUser()) } }) })).body;
    expect(refBody).not.toHaveProperty('server_version');
    for (const s of [pair.reference, pair.other]) {
      const a = await user(s, 'alice');
      await call(a, { rid: 1, kind: 'join', target: channel('#v') });
      await call(a, { rid: 2, kind: 'message', target: channel('#v'), content: 'x' });
      send(a, { rid: 'x' });
      await a.next((m) => m.rid === -1);
      expect(a.received.length).toBeGreaterThanOrEqual(3);
      for (const m of a.received) {
        if (s === pair.other) expect(m).toMatchObject(SERVER_VERSION);
        else expect(m).not.toHaveProperty('server_version');
      }
    }
  });
});
