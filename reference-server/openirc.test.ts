/** OpenIRC (seed 001): HTTP token login, MessagePack over WebSocket, rid rules and context paths. */
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { closeAll, connectWs, type Msg, type TestClient } from './testing/client.js';
import { freshUser } from './testing/fixtures.js';
import { call, channel, openIrcLogin, sendMsgpack } from './testing/openirc.js';
import { checkServerMessage, takeViolations } from './testing/schema-check.js';

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  closeAll(clients);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  expect(takeViolations()).toEqual([]);
});

async function start(): Promise<RunningServer> {
  const s = await startReferenceServer({ profiles: ['openirc', 'envelope'] });
  servers.push(s);
  return s;
}

const login = (s: RunningServer, body: unknown) => openIrcLogin(s.urls.openircHttp as string, body);

async function user(s: RunningServer, nickname: string): Promise<TestClient> {
  const reply = await login(s, { method: 'token', token: mintToken({ claims: { sub: String(freshUser()), nickname } }) });
  expect(reply.status).toBe(200);
  checkServerMessage('openirc', reply.body, 'login.reply');
  const c = await connectWs(reply.body.ws as string, { msgpack: true });
  c.profile = 'openirc';
  clients.push(c);
  return c;
}

const send = sendMsgpack;

describe('OpenIRC login (openirc.D1)', () => {
  it('answers a token login with the connections and a one-time WebSocket URL', async () => {
    const s = await start();
    const reply = await login(s, { method: 'token', token: mintToken({ claims: { sub: String(freshUser()), nickname: 'Neo' } }) });
    expect(reply.status).toBe(200);
    checkServerMessage('openirc', reply.body, 'login.reply');
    const [conn] = reply.body.connections as Msg[];
    expect(conn).toMatchObject({ connid: 1, ssl: false, user: { nickname: 'Neo', realname: 'Neo' }, channels: [] });
    expect(reply.body.ws).toMatch(new RegExp(`^${s.urls.openircWs}\\?session=[0-9a-f]{32}$`));
    const c = await connectWs(reply.body.ws as string, { msgpack: true });
    clients.push(c);
    await expect(connectWs(reply.body.ws as string)).rejects.toThrow('HTTP 401');
    await expect(connectWs(`${s.urls.openircWs}?session=bogus`)).rejects.toThrow('HTTP 401');
  });

  it('refuses a bad token with 401 invalid_token and another method with 400', async () => {
    const s = await start();
    const bad = await login(s, { method: 'token', token: 'nope' });
    expect(bad).toEqual({ status: 401, body: { error: 'invalid_token' } });
    checkServerMessage('openirc', bad.body, 'login.error');
    expect((await login(s, { method: 'password', token: 'x' })).status).toBe(400);
    const res = await fetch(`${s.urls.openircHttp}/login/`, { method: 'POST', body: '{oops' });
    expect(res.status).toBe(400);
  });
});

describe('OpenIRC requests (openirc.D3, D4)', () => {
  it('answers join, message and leave with ok and pushes channel messages to the other users', async () => {
    const s = await start();
    const a = await user(s, 'alice');
    const b = await user(s, 'bob');
    expect(await call(a, { rid: 1, kind: 'join', target: channel('#chat') })).toEqual({ rid: 1, kind: 'ok' });
    expect(await call(b, { rid: 7, kind: 'join', target: channel('#chat') })).toEqual({ rid: 7, kind: 'ok' });
    expect(await call(a, { rid: 2, kind: 'message', target: channel('#chat'), content: 'hi' })).toEqual({ rid: 2, kind: 'ok' });
    expect(await b.next((m) => m.kind === 'message')).toEqual({ kind: 'message', target: channel('#chat'), content: 'hi', from: { nickname: 'alice' } });
    await a.nothing(100, (m) => m.kind === 'message');
    expect(await call(b, { rid: 8, kind: 'message', target: { connid: 1, kind: 'user', name: 'alice' }, content: 'psst' })).toEqual({ rid: 8, kind: 'ok' });
    expect(await a.next((m) => m.kind === 'message')).toEqual({ kind: 'message', target: { connid: 1, kind: 'user', name: 'bob' }, content: 'psst', from: { nickname: 'bob' } });
    expect(await call(b, { rid: 9, kind: 'leave', target: channel('#chat') })).toEqual({ rid: 9, kind: 'ok' });
    expect(await call(b, { rid: 10, kind: 'message', target: channel('#chat'), content: 'x' }))
      .toEqual({ rid: 10, kind: 'error', list: [{ kind: 'invalid_type', context: 'target.name', given_type: 'string', required_type: 'joined_channel' }] });
  });

  it.each([
    ['a fraction', 12.34, 'number'],
    ['a negative number', -1, 'number'],
    ['a number beyond int32', 2_147_483_648, 'number'],
    ['a string', '5', 'string'],
    ['a boolean', true, 'boolean'],
    ['nil', null, 'nil'],
    ['an array', [1], 'array'],
  ])('answers a rid that is %s with rid -1, given_rid and invalid_type at context rid', async (_name, rid, givenType) => {
    const s = await start();
    const c = await user(s, 'r');
    send(c, { rid, kind: 'join', target: channel('#x') });
    expect(await c.next()).toEqual({ rid: -1, given_rid: rid, kind: 'error', list: [{ kind: 'invalid_type', context: 'rid', given_type: givenType, required_type: 'int32' }] });
  });

  it('answers a rid nested too deep to echo with given_rid nil instead of dropping the reply', async () => {
    const s = await start();
    const c = await user(s, 'deep');
    // {rid: [[[...1...]]]} 5,000 levels deep, written by hand (the encoder stops at 100).
    const bytes = Buffer.from([0x81, 0xa3, 0x72, 0x69, 0x64, ...new Array<number>(5000).fill(0x91), 0x01]);
    c.send(bytes);
    expect(await c.next()).toEqual({ rid: -1, given_rid: null, kind: 'error', list: [{ kind: 'invalid_type', context: 'rid', given_type: 'array', required_type: 'int32' }] });
    expect(await call(c, { rid: 1, kind: 'join', target: channel('#after') })).toEqual({ rid: 1, kind: 'ok' });
  });

  it('answers a missing rid with given_rid nil', async () => {
    const s = await start();
    const c = await user(s, 'r');
    send(c, { kind: 'join', target: channel('#x') });
    expect(await c.next()).toEqual({ rid: -1, given_rid: null, kind: 'error', list: [{ kind: 'invalid_type', context: 'rid', given_type: 'nil', required_type: 'int32' }] });
  });

  it('reports every bad field with its path', async () => {
    const s = await start();
    const c = await user(s, 'p');
    expect(await call(c, { rid: 3, kind: 'part', target: channel('#x') }))
      .toEqual({ rid: 3, kind: 'error', list: [{ kind: 'invalid_type', context: 'kind', given_type: 'string', required_type: 'request_kind' }] });
    expect(await call(c, { rid: 4, kind: 'message', target: { connid: '1', kind: 'room', name: 5 } }))
      .toEqual({
        rid: 4, kind: 'error', list: [
          { kind: 'invalid_type', context: 'target.connid', given_type: 'string', required_type: 'int32' },
          { kind: 'invalid_type', context: 'target.kind', given_type: 'string', required_type: 'target_kind' },
          { kind: 'invalid_type', context: 'target.name', given_type: 'number', required_type: 'string' },
          { kind: 'invalid_type', context: 'content', given_type: 'nil', required_type: 'string' },
        ],
      });
    expect(await call(c, { rid: 5, kind: 'join', target: 'x' }))
      .toEqual({ rid: 5, kind: 'error', list: [{ kind: 'invalid_type', context: 'target', given_type: 'string', required_type: 'target' }] });
  });

  it('answers something that is not a MessagePack map with rid -1', async () => {
    const s = await start();
    const c = await user(s, 'm');
    send(c, [1, 2]);
    expect(await c.next()).toEqual({ rid: -1, given_rid: null, kind: 'error', list: [{ kind: 'invalid_type', context: '', given_type: 'array', required_type: 'request' }] });
    c.send(Buffer.from([0xc1]));
    expect(await c.next()).toMatchObject({ rid: -1, given_rid: null, kind: 'error', list: [{ context: '', given_type: 'binary' }] });
    c.send('{"rid": 1}');
    expect(await c.next()).toMatchObject({ rid: -1, kind: 'error', list: [{ context: '', given_type: 'string' }] });
  });

  it('answers every request exactly once, in order', async () => {
    const s = await start();
    const c = await user(s, 'once');
    for (let rid = 0; rid < 50; rid++) send(c, { rid, kind: rid % 2 ? 'join' : 'leave', target: channel('#o') });
    for (let rid = 0; rid < 50; rid++) expect(await c.next()).toEqual({ rid, kind: 'ok' });
    await c.nothing(150, () => true);
  });

  it('shares named rooms with envelope clients', async () => {
    const s = await start();
    const irc = await user(s, 'ircer');
    expect(await call(irc, { rid: 1, kind: 'join', target: channel('lobby') })).toEqual({ rid: 1, kind: 'ok' });
    const env = await connectWs(`${s.urls.envelopeWs}?token=${mintToken({ claims: { sub: String(freshUser()), nickname: 'webber' } })}`);
    clients.push(env);
    env.send({ type: 'room.join', data: { room: 'lobby' } });
    await env.next((m) => m.type === 'user.joined');
    env.send({ type: 'chat.message', data: { room: 'lobby', text: 'from the web' } });
    expect(await irc.next((m) => m.kind === 'message')).toEqual({ kind: 'message', target: channel('lobby'), content: 'from the web', from: { nickname: 'webber' } });
    expect(await call(irc, { rid: 2, kind: 'message', target: channel('lobby'), content: 'from irc' })).toEqual({ rid: 2, kind: 'ok' });
    expect((await env.next((m) => m.type === 'chat.message' && (m.data as Msg).text === 'from irc')).data).toMatchObject({ username: 'ircer' });
  });
});
