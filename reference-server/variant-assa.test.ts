/**
 * ASSA (seed 003) on the other-choices variant (choices.ts): at every silent point it does the
 * other thing, shown here beside the reference server doing what docs/decisions.md says. Real
 * sockets, short timers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { closeAll, connectAssa, connectTcp, connectWs, loginAssa, type AssaTransport, type Msg, type TestClient } from './testing/client.js';
import { ISO_MS, expectError, expectFailure, expectSuccess, freshUser } from './testing/fixtures.js';
import { takeViolations } from './testing/schema-check.js';
import { ISO_S, SERVER_VERSION, closePairs, startPair, unchosenViolations, type ServerPair } from './testing/variant.js';

const clients: TestClient[] = [];
afterEach(() => {
  closeAll(clients);
  // Every message of both servers meets the generated schemas, but for the variant's chosen departures.
  expect(unchosenViolations(takeViolations())).toEqual([]);
});
afterAll(closePairs);

function keep<T extends TestClient>(c: T): T {
  clients.push(c);
  return c;
}
async function user(s: RunningServer, transport: AssaTransport = 'tcp', id = freshUser()): Promise<TestClient & { id: number }> {
  const c = keep(await loginAssa(s.urls, transport, id, `n${id}`)) as TestClient & { id: number };
  c.id = id;
  return c;
}
async function room(host: TestClient, data: Record<string, unknown> = {}): Promise<number> {
  return expectSuccessLoose(await host.request('CREATE_ROOM', { name: 'room', ...data }), 'CREATE_ROOM').room_id as number;
}
async function roomWith(...members: TestClient[]): Promise<number> {
  const [host, ...rest] = members;
  const id = await room(host as TestClient, { is_open: true });
  for (const m of rest) expectSuccessLoose(await m.request('JOIN_ROOM', { room_id: id }), 'JOIN_ROOM');
  return id;
}
/** A success reply of either server (the variant's timestamps have no milliseconds). */
function expectSuccessLoose(reply: Msg, action: string): Record<string, unknown> {
  expect(reply, JSON.stringify(reply)).toMatchObject({ action: `${action}_RESPONSE`, success: true });
  return reply.data as Record<string, unknown>;
}
const other = (s: ServerPair) => s.other;

describe('ASSA: the other-choices variant beside the reference server', () => {
  let pair: ServerPair;
  beforeAll(async () => {
    pair = await startPair({ profiles: 'assa' });
  });

  it('echoes an absent client_message_id and reply_to_message_id as null (assa.D8); the reference leaves them out', async () => {
    const ref = await user(pair.reference);
    const refRoom = await room(ref);
    const refData = expectSuccess(await ref.request('SEND_MESSAGE', { room_id: refRoom, content: 'hi', message_type: 'text' }), 'SEND_MESSAGE');
    expect(refData).not.toHaveProperty('client_message_id');
    expect(refData).not.toHaveProperty('reply_to_message_id');
    const alt = await user(other(pair));
    const altRoom = await room(alt);
    const altData = expectSuccessLoose(await alt.request('SEND_MESSAGE', { room_id: altRoom, content: 'hi', message_type: 'text' }), 'SEND_MESSAGE');
    expect(altData).toMatchObject({ client_message_id: null, reply_to_message_id: null, content: 'hi', message_type: 'text' });
    // A given client_message_id is still echoed exactly.
    const given = expectSuccessLoose(await alt.request('SEND_MESSAGE', { room_id: altRoom, content: 'x', client_message_id: 'c-1' }), 'SEND_MESSAGE');
    expect(given.client_message_id).toBe('c-1');
  });

  it('answers a line that is not JSON with ERROR INVALID_JSON and original_action null; the reference with INVALID_MESSAGE_TYPE and UNKNOWN', async () => {
    const ref = await user(pair.reference);
    ref.send('{"action": "CREATE_ROOM", oops');
    expectError(await ref.nextAction('ERROR'), 'INVALID_MESSAGE_TYPE', 'UNKNOWN');
    const alt = await user(other(pair));
    alt.send('{"action": "CREATE_ROOM", oops');
    const err = await alt.nextAction('ERROR');
    expect(err).toMatchObject({ success: false, error_code: 'INVALID_JSON', data: { original_action: null, error_details: 'malformed JSON' } });
    expect(typeof err.seq_id).toBe('string');
    expectSuccessLoose(await alt.request('CREATE_ROOM', { name: 'after' }), 'CREATE_ROOM');
  });

  it('refuses an unknown action with UNKNOWN_ACTION and a wrongly typed field with INVALID_PARAMETER, keeping INVALID_MESSAGE_TYPE for a message_type it does not support', async () => {
    const ref = await user(pair.reference);
    const alt = await user(other(pair));
    for (const [c, unknown, bad] of [[ref, 'INVALID_MESSAGE_TYPE', 'INVALID_MESSAGE_TYPE'], [alt, 'UNKNOWN_ACTION', 'INVALID_PARAMETER']] as const) {
      c.send({ action: 'TELEPORT', data: {}, timestamp: new Date().toISOString(), seq_id: 'tp-1' });
      const err = await c.next((m) => m.seq_id === 'tp-1');
      expect(err).toMatchObject({ action: 'ERROR', error_code: unknown, data: { original_action: 'TELEPORT' } });
      expect(await c.request('CREATE_ROOM', { name: 7 })).toMatchObject({ action: 'CREATE_ROOM_RESPONSE', success: false, error_code: bad });
      const roomId = await room(c);
      expect(await c.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'video' })).toMatchObject({ success: false, error_code: 'INVALID_MESSAGE_TYPE' });
    }
  });

  it('sends the sender its own NEW_MESSAGE, before SEND_MESSAGE_RESPONSE (assa.D11); the reference sends it to the others only', async () => {
    const [ra, rb] = [await user(pair.reference), await user(pair.reference)];
    const refRoom = await roomWith(ra, rb);
    expectSuccess(await ra.request('SEND_MESSAGE', { room_id: refRoom, content: 'one', message_type: 'text' }), 'SEND_MESSAGE');
    expect((await rb.nextAction('NEW_MESSAGE')).data?.content).toBe('one');
    await ra.nothing(150, (m) => m.action === 'NEW_MESSAGE');

    const [a, b] = [await user(other(pair)), await user(other(pair))];
    const altRoom = await roomWith(a, b);
    const reply = await a.request('SEND_MESSAGE', { room_id: altRoom, content: 'one', message_type: 'text' });
    const own = a.received.find((m) => m.action === 'NEW_MESSAGE');
    expect(own?.data).toMatchObject({ message_id: reply.data?.message_id, content: 'one', user: { user_id: a.id } });
    expect(a.received.indexOf(own as Msg)).toBeLessThan(a.received.indexOf(reply));
    expect((await b.nextAction('NEW_MESSAGE')).data?.message_id).toBe(reply.data?.message_id);
  });

  it('lets anyone join a room created with is_open false (assa.D12); the reference wants an invitation', async () => {
    const [rh, rg] = [await user(pair.reference), await user(pair.reference)];
    expectFailure(await rg.request('JOIN_ROOM', { room_id: await room(rh, { is_open: false }) }), 'JOIN_ROOM', 'PERMISSION_DENIED');
    const [h, g] = [await user(other(pair)), await user(other(pair))];
    const closed = await room(h, { is_open: false });
    expectSuccessLoose(await g.request('JOIN_ROOM', { room_id: closed }), 'JOIN_ROOM');
    expect(expectSuccessLoose(await g.request('ROOM_INFO', { room_id: closed }), 'ROOM_INFO').is_open).toBe(false);
  });

  it('answers ROOM_INFO to a non-member in full and lets a non-member EXIT_ROOM; the reference refuses both with USER_NOT_IN_ROOM', async () => {
    const [rh, rs] = [await user(pair.reference), await user(pair.reference)];
    const refRoom = await room(rh, { is_open: true });
    expectFailure(await rs.request('ROOM_INFO', { room_id: refRoom }), 'ROOM_INFO', 'USER_NOT_IN_ROOM');
    expectFailure(await rs.request('EXIT_ROOM', { room_id: refRoom }), 'EXIT_ROOM', 'USER_NOT_IN_ROOM');

    const [h, stranger] = [await user(other(pair)), await user(other(pair))];
    const roomId = await room(h, { name: 'info', description: 'about', is_open: true, max_participants: 7 });
    const info = expectSuccessLoose(await stranger.request('ROOM_INFO', { room_id: roomId }), 'ROOM_INFO');
    expect(info).toMatchObject({ room_id: roomId, name: 'info', description: 'about', is_open: true, host_user_id: h.id, participants_count: 1, max_participants: 7 });
    expect(info.participants).toEqual([{ user_id: h.id, nickname: `n${h.id}`, role: 'host', joined_at: expect.stringMatching(ISO_S) }]);
    expect(expectSuccessLoose(await stranger.request('EXIT_ROOM', { room_id: roomId }), 'EXIT_ROOM')).toMatchObject({ room_id: roomId });
    // The host is still in its room, and a missing room is still ROOM_NOT_FOUND.
    expect(expectSuccessLoose(await h.request('ROOM_INFO', { room_id: roomId }), 'ROOM_INFO').participants_count).toBe(1);
    for (const action of ['ROOM_INFO', 'EXIT_ROOM']) {
      expect(await stranger.request(action, { room_id: 99_999_999 })).toMatchObject({ success: false, error_code: 'ROOM_NOT_FOUND' });
    }
  });

  it('refuses SEND_MESSAGE and INVITE by a non-member with PERMISSION_DENIED; the reference with USER_NOT_IN_ROOM', async () => {
    for (const [s, code] of [[pair.reference, 'USER_NOT_IN_ROOM'], [other(pair), 'PERMISSION_DENIED']] as const) {
      const [h, stranger] = [await user(s), await user(s)];
      const roomId = await room(h, { is_open: true });
      expect(await stranger.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' })).toMatchObject({ action: 'SEND_MESSAGE_RESPONSE', success: false, error_code: code });
      expect(await stranger.request('INVITE', { room_id: roomId, invited_user_ids: [h.id] })).toMatchObject({ action: 'INVITE_RESPONSE', success: false, error_code: code });
      // CHECK_RECEIVE keeps USER_NOT_IN_ROOM in both.
      expect(await stranger.request('CHECK_RECEIVE', { room_id: roomId, message_ids: [1] })).toMatchObject({ success: false, error_code: 'USER_NOT_IN_ROOM' });
    }
  });

  it('lets only the host INVITE, refusing other members with PERMISSION_DENIED (assa.D12); the reference lets any member invite', async () => {
    for (const s of [pair.reference, other(pair)]) {
      const [h, m] = [await user(s), await user(s)];
      const roomId = await roomWith(h, m);
      const byMember = await m.request('INVITE', { room_id: roomId, invited_user_ids: [freshUser()] });
      if (s === pair.reference) expect(byMember).toMatchObject({ action: 'INVITE_RESPONSE', success: true });
      else expect(byMember).toMatchObject({ action: 'INVITE_RESPONSE', success: false, error_code: 'PERMISSION_DENIED' });
      expect(await h.request('INVITE', { room_id: roomId, invited_user_ids: [freshUser()] })).toMatchObject({ action: 'INVITE_RESPONSE', success: true });
    }
  });

  it('refuses a request before CONNECT with ERROR AUTH_FAILED naming the action (assa.D8, D9); the reference with CREATE_ROOM_RESPONSE', async () => {
    const ref = keep(await connectAssa(pair.reference.urls, 'tcp'));
    expectFailure(await ref.request('CREATE_ROOM', { name: 'x' }), 'CREATE_ROOM', 'AUTH_FAILED');
    const alt = keep(await connectAssa(other(pair).urls, 'tcp'));
    const reply = await alt.request('CREATE_ROOM', { name: 'x' });
    expect(reply).toMatchObject({ action: 'ERROR', success: false, error_code: 'AUTH_FAILED', data: { original_action: 'CREATE_ROOM', error_details: expect.any(String) } });
  });

  it('refuses a missing token or one that is not a JWT with INVALID_TOKEN (assa.D9); the reference with AUTH_FAILED', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [s, code] of [[pair.reference, 'AUTH_FAILED'], [other(pair), 'INVALID_TOKEN']] as const) {
      const c = keep(await connectAssa(s.urls, 'tcp'));
      for (const data of [{}, { jwt_token: '' }, { jwt_token: 'hello' }]) {
        expect(await c.request('CONNECT', data)).toMatchObject({ action: 'CONNECT_RESPONSE', success: false, error_code: code });
      }
      // A JWT that fails verification is INVALID_TOKEN in both.
      const expired = mintToken({ claims: { sub: '1', exp: now - 10 } });
      expect(await c.request('CONNECT', { jwt_token: expired })).toMatchObject({ action: 'CONNECT_RESPONSE', success: false, error_code: 'INVALID_TOKEN' });
    }
  });

  it('adds server_version to every message and data.extra to every object data, the same everywhere; the reference adds nothing', async () => {
    const [a, b] = [await user(other(pair)), await user(other(pair))];
    const roomId = await roomWith(a, b);
    await a.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' });
    a.send('not json');
    await a.nextAction('ERROR');
    await b.nextAction('NEW_MESSAGE');
    for (const m of [...a.received, ...b.received]) {
      expect(m).toMatchObject(SERVER_VERSION);
      if (m.data !== undefined) expect(m.data).toMatchObject({ extra: { node: 'node-1' } });
    }
    expect(a.received.map((m) => m.action)).toEqual(expect.arrayContaining(['CONNECT_RESPONSE', 'CREATE_ROOM_RESPONSE', 'USER_JOINED', 'NEW_MESSAGE', 'SEND_MESSAGE_RESPONSE', 'ERROR']));
    const [ra, rb] = [await user(pair.reference), await user(pair.reference)];
    const refRoom = await roomWith(ra, rb);
    await ra.request('SEND_MESSAGE', { room_id: refRoom, content: 'x', message_type: 'text' });
    await rb.nextAction('NEW_MESSAGE');
    for (const m of [...ra.received, ...rb.received]) {
      expect(m).not.toHaveProperty('server_version');
      expect(m.data ?? {}).not.toHaveProperty('extra');
    }
  });

  it('writes every time in whole seconds and server seq_ids as UUIDs (assa.D11); the reference with milliseconds and srv_ counters', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const [s, time, seq] of [[pair.reference, ISO_MS, /^srv_/], [other(pair), ISO_S, uuid]] as const) {
      const [a, b] = [await user(s), await user(s)];
      const connect = a.received[0] as Msg;
      expect(connect.data?.server_time).toMatch(time);
      const roomId = await roomWith(a, b);
      const info = await a.request('ROOM_INFO', { room_id: roomId });
      expect(info.timestamp).toMatch(time);
      expect(info.data?.created_at).toMatch(time);
      expect((info.data?.participants as Msg[])[0]?.joined_at).toMatch(time);
      await a.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' });
      const broadcast = await b.nextAction('NEW_MESSAGE');
      expect(broadcast.timestamp).toMatch(time);
      expect(broadcast.data?.created_at).toMatch(time);
      expect(broadcast.seq_id).toMatch(seq);
    }
  });

  it('sends no reply to a successful SDP, ICE_CANDIDATE, MEDIA_STATUS or EXIT_VIDEO_ROOM, but relays them and still answers failures and GET_VIDEO_ROOM_PARTICIPANT (assa.D7)', async () => {
    for (const s of [pair.reference, other(pair)]) {
      const answers = s === pair.reference;
      const [a, b] = [await user(s), await user(s)];
      const roomId = await roomWith(a, b);
      const video = (await a.request('CREATE_VIDEO_ROOM', { chat_room_id: roomId })).data?.video_room_id as number;
      for (const c of [a, b]) await c.request('JOIN_VIDEO_ROOM', { video_room_id: video });
      const silentOrAnswered = async (action: string, data: Record<string, unknown>): Promise<void> => {
        const seqId = `q-${randomUUID()}`;
        a.send({ action, data, timestamp: new Date().toISOString(), seq_id: seqId });
        if (answers) expect(await a.next((m) => m.seq_id === seqId)).toMatchObject({ action: `${action}_RESPONSE`, success: true });
        else await a.nothing(150, (m) => m.seq_id === seqId);
      };
      await silentOrAnswered('SDP', { video_room_id: video, target_user_id: b.id, sdp_type: 'offer', sdp_data: 'v=0' });
      expect((await b.nextAction('SDP')).data).toMatchObject({ sender_user_id: a.id, sdp_data: 'v=0' });
      await silentOrAnswered('ICE_CANDIDATE', { video_room_id: video, target_user_id: b.id, candidate: 'c', sdp_mid: '0', sdp_mline_index: 0 });
      expect((await b.nextAction('ICE_CANDIDATE')).data).toMatchObject({ sender_user_id: a.id, candidate: 'c' });
      await silentOrAnswered('MEDIA_STATUS', { video_room_id: video, audio_enabled: false, video_enabled: true });
      expect((await b.nextAction('PARTICIPANT_MEDIA_STATUS')).data).toMatchObject({ user_id: a.id, audio_enabled: false });
      const list = await a.request('GET_VIDEO_ROOM_PARTICIPANT', { video_room_id: video });
      expect(list).toMatchObject({ action: 'GET_VIDEO_ROOM_PARTICIPANT_RESPONSE', success: true });
      await silentOrAnswered('EXIT_VIDEO_ROOM', { video_room_id: video });
      expect((await b.request('GET_VIDEO_ROOM_PARTICIPANT', { video_room_id: video })).data?.participants).toEqual([expect.objectContaining({ user_id: b.id })]);
      // A failure is answered by both.
      expect(await a.request('SDP', { video_room_id: video, target_user_id: b.id, sdp_type: 'offer', sdp_data: 'v=0' })).toMatchObject({ action: 'SDP_RESPONSE', success: false, error_code: 'USER_NOT_IN_ROOM' });
    }
  });

  it('closes on DISCONNECT without a reply; the reference answers DISCONNECT_RESPONSE first', async () => {
    for (const s of [pair.reference, other(pair)]) {
      const c = await user(s, 'ws');
      c.send({ action: 'DISCONNECT', data: { reason: 'user_logout' }, timestamp: new Date().toISOString(), seq_id: 'bye' });
      expect(await c.closed()).toEqual({ code: 1000, reason: 'disconnect' });
      expect(c.received.filter((m) => m.seq_id === 'bye').map((m) => m.action)).toEqual(s === pair.reference ? ['DISCONNECT_RESPONSE'] : []);
    }
  });

  it('lists the creator as the first participant of a new video room (assa.D16); the reference lists none', async () => {
    for (const s of [pair.reference, other(pair)]) {
      const a = await user(s);
      const roomId = await room(a);
      const data = expectSuccessLoose(await a.request('CREATE_VIDEO_ROOM', { chat_room_id: roomId, video_room_name: 'v' }), 'CREATE_VIDEO_ROOM');
      const expected = s === pair.reference ? [] : [{ user_id: a.id, nickname: `n${a.id}`, role: 'host', media_status: { audio_enabled: true, video_enabled: true } }];
      expect(data.participants).toEqual(expected);
    }
  });

  it('uses other room defaults: max_participants 1000 and is_open false for a room, 16 for a video room (assa.D12, D16)', async () => {
    for (const [s, max, open, videoMax] of [[pair.reference, 100, true, 10], [other(pair), 1000, false, 16]] as const) {
      const a = await user(s);
      const roomId = await room(a);
      expect(expectSuccessLoose(await a.request('ROOM_INFO', { room_id: roomId }), 'ROOM_INFO')).toMatchObject({ max_participants: max, is_open: open });
      expect(expectSuccessLoose(await a.request('CREATE_VIDEO_ROOM', { chat_room_id: roomId }), 'CREATE_VIDEO_ROOM').max_participants).toBe(videoMax);
    }
  });

  it('reports existing_rooms newest id first on reconnection (assa.D15); the reference in ascending order', async () => {
    for (const [s, order] of [[pair.reference, 'ascending'], [other(pair), 'descending']] as const) {
      const id = freshUser();
      const a = await user(s, 'tcp', id);
      const rooms = [await room(a), await room(a), await room(a)];
      a.close();
      await a.closed();
      const again = await user(s, 'tcp', id);
      const info = (again.received[0] as Msg).data?.reconnection_info as Msg;
      expect(info.existing_rooms).toEqual(order === 'ascending' ? rooms : [...rooms].reverse());
    }
  });
});

describe('ASSA limits on the variant (assa.D3, D18)', () => {
  /** A CREATE_ROOM request padded with spaces to exactly `bytes` bytes of JSON. */
  function paddedRequest(bytes: number, seqId: string): string {
    const base = JSON.stringify({ action: 'CREATE_ROOM', data: { name: 'x' }, seq_id: seqId, timestamp: new Date().toISOString() });
    return `${base.slice(0, -1)}${' '.repeat(bytes - base.length)}}`;
  }

  it('over TCP closes the connection on a message over the size limit; the reference answers ERROR and carries on', async () => {
    const pair = await startPair({ profiles: 'assa', limits: { maxMessageBytes: 1024 } });
    const ref = await user(pair.reference);
    ref.send(paddedRequest(1025, 'big'));
    expectError(await ref.nextAction('ERROR'), 'MESSAGE_TOO_LONG');
    expectSuccess(await ref.request('CREATE_ROOM', { name: 'after' }), 'CREATE_ROOM');
    const alt = await user(pair.other);
    const bystander = await user(pair.other);
    alt.send(paddedRequest(1024, 'exact'));
    expectSuccessLoose(await alt.next((m) => m.seq_id === 'exact'), 'CREATE_ROOM');
    alt.send(paddedRequest(1025, 'big'));
    await alt.closed();
    expect(alt.received.filter((m) => m.action === 'ERROR')).toEqual([]);
    expectSuccessLoose(await bystander.request('CREATE_ROOM', { name: 'unaffected' }), 'CREATE_ROOM');
  });

  it('over WebSocket answers ERROR MESSAGE_TOO_LONG and carries on (up to 4x the limit, then 1009); the reference closes with 1009', async () => {
    const pair = await startPair({ profiles: 'assa', limits: { maxMessageBytes: 1024 } });
    const ref = await user(pair.reference, 'ws');
    ref.send(paddedRequest(1025, 'big'));
    expect((await ref.closed()).code).toBe(1009);
    const alt = await user(pair.other, 'ws');
    alt.send(paddedRequest(1025, 'big'));
    const err = await alt.nextAction('ERROR');
    expect(err).toMatchObject({ success: false, error_code: 'MESSAGE_TOO_LONG', data: { original_action: null } });
    expect(err.seq_id).not.toBe('big');
    expectSuccessLoose(await alt.request('CREATE_ROOM', { name: 'after' }), 'CREATE_ROOM');
    alt.send(paddedRequest(4 * 1024, 'four-times'));
    await alt.nextAction('ERROR');
    alt.send(paddedRequest(4 * 1024 + 1, 'too-big'));
    expect((await alt.closed()).code).toBe(1009);
  });

  it('refuses connection maxConnections+1 before it opens: HTTP 503 over WebSocket, a close without a line over TCP; the reference closes 1013 or sends an ERROR line', async () => {
    const pair = await startPair({ profiles: 'assa', limits: { maxConnections: 2 } });
    for (const s of [pair.reference, pair.other]) for (let i = 0; i < 2; i++) keep(await connectAssa(s.urls, 'tcp'));
    const refTcp = keep(await connectTcp(pair.reference.urls.assaTcp as string));
    expectError(await refTcp.nextAction('ERROR'), 'MAX_PARTICIPANTS_REACHED');
    await refTcp.closed();
    expect((await keep(await connectWs(pair.reference.urls.assaWs as string)).closed()).code).toBe(1013);
    const altTcp = keep(await connectTcp(pair.other.urls.assaTcp as string));
    await altTcp.closed();
    expect(altTcp.received).toEqual([]);
    await expect(connectWs(pair.other.urls.assaWs as string)).rejects.toThrow('HTTP 503');
    expect(pair.other.stats()).toMatchObject({ open: 2, refusedFull: 2 });
  });
});

describe('ASSA timers on the variant (assa.D5, D6)', () => {
  it('closes a connection that does not CONNECT in time with 1008; the reference with 4408', async () => {
    const pair = await startPair({ profiles: 'assa', timers: { connectTimeout: 200 } });
    const [ref, alt] = [keep(await connectAssa(pair.reference.urls, 'ws')), keep(await connectAssa(pair.other.urls, 'ws'))];
    expect(await ref.closed()).toEqual({ code: 4408, reason: 'connect timeout' });
    expect(await alt.closed()).toEqual({ code: 1008, reason: 'connect timeout' });
  });

  it('pings every half interval and drops a silent client pongTimeout after its first unanswered PING, with 1001; the reference pings at the interval and drops pongTimeout after CONNECT, with 4408', async () => {
    const timers = { pingInterval: 2000, pongTimeout: 400 };
    const pair = await startPair({ profiles: 'assa', timers });
    const started = Date.now();
    const [ref, alt] = await Promise.all([user(pair.reference, 'ws'), user(pair.other, 'ws')]);
    // The reference drops its silent client before its first PING is due; the variant has not even pinged yet.
    expect(await ref.closed(3000)).toEqual({ code: 4408, reason: 'pong timeout' });
    expect(ref.received.filter((m) => m.action === 'PING')).toEqual([]);
    expect(alt.isClosed).toBe(false);
    await alt.nextAction('PING', 3000);
    const pingedAt = Date.now();
    expect(pingedAt - started).toBeGreaterThanOrEqual(timers.pingInterval / 2 - 100);
    expect(await alt.closed(3000)).toEqual({ code: 1001, reason: 'pong timeout' });
    expect(Date.now() - pingedAt).toBeGreaterThanOrEqual(timers.pongTimeout - 100);
  });

  it('keeps a client that answers every PING far past the pong timeout', async () => {
    const pair = await startPair({ profiles: 'assa', timers: { pingInterval: 200, pongTimeout: 300 } });
    const c = await user(pair.other, 'ws');
    const until = Date.now() + 1000;
    let pings = 0;
    while (Date.now() < until) {
      const ping = await c.nextAction('PING', 1000);
      expect(Object.keys(ping).sort()).toEqual(['action', 'seq_id', 'server_version', 'timestamp']);
      c.send({ action: 'PONG', timestamp: new Date().toISOString(), seq_id: ping.seq_id });
      pings++;
    }
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(c.isClosed).toBe(false);
    expectSuccessLoose(await c.request('CREATE_ROOM', { name: 'alive' }), 'CREATE_ROOM');
  });
});

describe('faults on the variant', () => {
  it('apply on top of its choices', async () => {
    const s = await startReferenceServer({ profiles: 'assa', variant: 'other-choices', faults: ['assa.error-without-original-action', 'assa.message-id-as-string'] });
    try {
      const [a, b] = [keep(await loginAssa(s.urls, 'tcp', freshUser())), keep(await loginAssa(s.urls, 'tcp', freshUser()))];
      const roomId = await roomWith(a, b);
      await a.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' });
      // The variant's own copy and the other member's both carry the fault's string id, and the variant's extras.
      for (const c of [a, b]) expect(await c.nextAction('NEW_MESSAGE')).toMatchObject({ ...SERVER_VERSION, data: { message_id: expect.any(String), extra: { node: 'node-1' } } });
      a.send('not json');
      const err = await a.nextAction('ERROR');
      expect(err).toMatchObject({ error_code: 'INVALID_JSON', ...SERVER_VERSION });
      expect(err.data).not.toHaveProperty('original_action');
      // The faults' deviations (a string message_id) are theirs, not the variant's.
      expect(unchosenViolations(takeViolations()).map((v) => v.replace(/ in \{.*/s, ''))).toEqual(['assa: /data/message_id: must be integer (expected integer, got string "1") [seed]', 'assa: /data/message_id: must be integer (expected integer, got string "1") [seed]']);
    } finally {
      await s.close();
    }
  });

  it('refuses an unknown variant name with CC_ERR_USAGE', async () => {
    await expect(startReferenceServer({ variant: 'mine' as 'reference' })).rejects.toMatchObject({ code: 'CC_ERR_USAGE' });
  });
});
