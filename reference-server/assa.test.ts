/** ASSA (seed 003) over both transports: every action and every §9.2 error code, on real sockets. */
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET, mintToken } from '../src/auth/jwt.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { closeAll, connectAssa, loginAssa, type AssaTransport, type Msg, type TestClient } from './testing/client.js';
import { takeViolations } from './testing/schema-check.js';
import { ISO_MS, expectError, expectFailure, expectSuccess, freshUser } from './testing/fixtures.js';

describe.each<AssaTransport>(['tcp', 'ws'])('ASSA over %s', (transport) => {
  let server: RunningServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startReferenceServer({ profiles: 'assa' });
  });
  afterAll(() => server.close());
  afterEach(() => {
    closeAll(clients);
    expect(takeViolations()).toEqual([]);
  });

  async function user(id = freshUser(), nickname = `n${id}`): Promise<TestClient & { id: number }> {
    const c = (await loginAssa(server.urls, transport, id, nickname, { profile_image: 'p.png' })) as TestClient & { id: number };
    c.id = id;
    clients.push(c);
    return c;
  }
  async function raw(): Promise<TestClient> {
    const c = await connectAssa(server.urls, transport);
    clients.push(c);
    return c;
  }
  async function room(host: TestClient, data: Record<string, unknown> = {}): Promise<number> {
    const d = expectSuccess(await host.request('CREATE_ROOM', { name: 'room', ...data }), 'CREATE_ROOM');
    return d.room_id as number;
  }
  async function roomWith(...members: TestClient[]): Promise<number> {
    const [host, ...rest] = members;
    const id = await room(host as TestClient);
    for (const m of rest) expectSuccess(await m.request('JOIN_ROOM', { room_id: id }), 'JOIN_ROOM');
    return id;
  }

  describe('CONNECT', () => {
    it('answers CONNECT_RESPONSE with the user, a session and reconnection_info, echoing seq_id', async () => {
      const c = await raw();
      const id = freshUser();
      c.send({ action: 'CONNECT', data: { jwt_token: mintToken({ claims: { sub: String(id), nickname: 'Alice' } }), device_info: { platform: 'test' } }, timestamp: new Date().toISOString(), seq_id: 'connect_001' });
      const reply = await c.next();
      const data = expectSuccess(reply, 'CONNECT');
      expect(reply.seq_id).toBe('connect_001');
      expect(data.user_id).toBe(id);
      expect(typeof data.session_id).toBe('string');
      expect(data.server_time).toMatch(ISO_MS);
      expect(data.reconnection_info).toEqual({ existing_rooms: [], unread_messages: 0 });
    });

    it.each([
      ['missing', {}],
      ['empty', { jwt_token: '' }],
      ['not a JWT', { jwt_token: 'hello' }],
      ['not a string', { jwt_token: 42 }],
    ])('refuses a token that is %s with AUTH_FAILED', async (_name, data) => {
      const c = await raw();
      expectFailure(await c.request('CONNECT', data), 'CONNECT', 'AUTH_FAILED');
    });

    const now = Math.floor(Date.now() / 1000);
    it.each([
      ['signed with another secret', () => mintToken({ claims: { sub: '1' }, key: 'other-secret' })],
      ['expired', () => jwt.sign({ sub: '1', exp: now - 10 }, DEV_JWT_SECRET)],
      ['not yet valid', () => jwt.sign({ sub: '1', nbf: now + 3600 }, DEV_JWT_SECRET)],
      ['unsigned (alg none)', () => jwt.sign({ sub: '1' }, '', { algorithm: 'none' })],
      ['signed with HS512', () => jwt.sign({ sub: '1' }, DEV_JWT_SECRET, { algorithm: 'HS512' })],
      ['without a numeric sub', () => mintToken({ claims: { sub: 'alice' } })],
    ])('refuses a token %s with INVALID_TOKEN', async (_name, token) => {
      const c = await raw();
      expectFailure(await c.request('CONNECT', { jwt_token: token() }), 'CONNECT', 'INVALID_TOKEN');
    });

    it('refuses every other action before CONNECT with AUTH_FAILED', async () => {
      const c = await raw();
      expectFailure(await c.request('CREATE_ROOM', { name: 'x' }), 'CREATE_ROOM', 'AUTH_FAILED');
      expectFailure(await c.request('JOIN_ROOM', { room_id: 1 }), 'JOIN_ROOM', 'AUTH_FAILED');
    });

    it('refuses a second CONNECT on an authenticated connection with PERMISSION_DENIED', async () => {
      const c = await user();
      expectFailure(await c.request('CONNECT', { jwt_token: mintToken({ claims: { sub: '5' } }) }), 'CONNECT', 'PERMISSION_DENIED');
    });

    it('takes identity from the token, not from the envelope user_id', async () => {
      const a = await user();
      const b = await user();
      const roomId = await roomWith(a, b);
      a.send({ action: 'SEND_MESSAGE', data: { room_id: roomId, content: 'hi', message_type: 'text' }, timestamp: new Date().toISOString(), seq_id: 'm1', user_id: b.id });
      expectSuccess(await a.next((m) => m.seq_id === 'm1'), 'SEND_MESSAGE');
      const msg = await b.nextAction('NEW_MESSAGE');
      expect((msg.data?.user as Msg).user_id).toBe(a.id);
    });
  });

  describe('DISCONNECT', () => {
    it('answers DISCONNECT_RESPONSE and then closes the connection', async () => {
      const c = await user();
      const data = expectSuccess(await c.request('DISCONNECT', { reason: 'user_logout' }), 'DISCONNECT');
      expect(data).toEqual({ reason: 'user_logout' });
      await c.closed();
    });
  });

  describe('rooms', () => {
    it('CREATE_ROOM makes the creator host and sends INVITATION_RECEIVED to online invitees', async () => {
      const a = await user(undefined, 'Host');
      const b = await user();
      const offline = freshUser();
      const reply = await a.request('CREATE_ROOM', { name: 'new room', description: 'desc', is_open: false, max_participants: 50, invited_user_ids: [b.id, offline] });
      const data = expectSuccess(reply, 'CREATE_ROOM');
      expect(data).toEqual({
        room_id: expect.any(Number), name: 'new room', description: 'desc', host_user_id: a.id,
        participants: [{ user_id: a.id, nickname: 'Host', role: 'host' }], created_at: expect.stringMatching(ISO_MS),
      });
      const inv = await b.nextAction('INVITATION_RECEIVED');
      expect(inv.data).toEqual({ room_id: data.room_id, room_info: { name: 'new room', description: 'desc', participants_count: 1 }, inviter: { user_id: a.id, nickname: 'Host', profile_image: 'p.png' } });
      expect(inv.timestamp).toMatch(ISO_MS);
      expect(typeof inv.seq_id).toBe('string');
    });

    it('CREATE_ROOM with a name that is not a string is INVALID_MESSAGE_TYPE', async () => {
      const a = await user();
      expectFailure(await a.request('CREATE_ROOM', { name: 7 }), 'CREATE_ROOM', 'INVALID_MESSAGE_TYPE');
      expectFailure(await a.request('CREATE_ROOM', { name: 'x', invited_user_ids: ['a'] }), 'CREATE_ROOM', 'INVALID_MESSAGE_TYPE');
    });

    it('JOIN_ROOM answers the room and its participants, and USER_JOINED reaches the others only', async () => {
      const a = await user(undefined, 'A');
      const b = await user(undefined, 'B');
      const roomId = await room(a, { name: 'r1', description: 'd' });
      const data = expectSuccess(await b.request('JOIN_ROOM', { room_id: roomId }), 'JOIN_ROOM');
      expect(data).toEqual({
        room_id: roomId, room_info: { name: 'r1', description: 'd', host_user_id: a.id, participants_count: 2 },
        participants: [{ user_id: a.id, nickname: 'A', role: 'host' }, { user_id: b.id, nickname: 'B', role: 'member' }],
        recent_messages: [],
      });
      const joined = await a.nextAction('USER_JOINED');
      expect(joined.data).toEqual({ room_id: roomId, user: { user_id: b.id, nickname: 'B', role: 'member' }, participants_count: 2 });
      await b.nothing(100, (m) => m.action === 'USER_JOINED');
    });

    it('JOIN_ROOM: ROOM_NOT_FOUND, PERMISSION_DENIED for a closed room, ROOM_FULL at capacity', async () => {
      const a = await user();
      const b = await user();
      const c = await user();
      expectFailure(await b.request('JOIN_ROOM', { room_id: 99_999_999 }), 'JOIN_ROOM', 'ROOM_NOT_FOUND');
      const closed = await room(a, { is_open: false });
      expectFailure(await b.request('JOIN_ROOM', { room_id: closed }), 'JOIN_ROOM', 'PERMISSION_DENIED');
      expectSuccess(await a.request('INVITE', { room_id: closed, invited_user_ids: [b.id] }), 'INVITE');
      expectSuccess(await b.request('JOIN_ROOM', { room_id: closed }), 'JOIN_ROOM');
      const small = await room(a, { max_participants: 2 });
      expectSuccess(await b.request('JOIN_ROOM', { room_id: small }), 'JOIN_ROOM');
      expectFailure(await c.request('JOIN_ROOM', { room_id: small }), 'JOIN_ROOM', 'ROOM_FULL');
      expectFailure(await c.request('JOIN_ROOM', { room_id: 'one' }), 'JOIN_ROOM', 'INVALID_MESSAGE_TYPE');
    });

    it('EXIT_ROOM leaves; then the room refuses with USER_NOT_IN_ROOM', async () => {
      const a = await user();
      const b = await user();
      const roomId = await roomWith(a, b);
      expect(expectSuccess(await b.request('EXIT_ROOM', { room_id: roomId }), 'EXIT_ROOM')).toEqual({ room_id: roomId });
      expectFailure(await b.request('EXIT_ROOM', { room_id: roomId }), 'EXIT_ROOM', 'USER_NOT_IN_ROOM');
      expectFailure(await b.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' }), 'SEND_MESSAGE', 'USER_NOT_IN_ROOM');
      expectFailure(await b.request('EXIT_ROOM', { room_id: 99_999_999 }), 'EXIT_ROOM', 'ROOM_NOT_FOUND');
    });

    it('ROOM_INFO describes the room to members and refuses others with USER_NOT_IN_ROOM', async () => {
      const a = await user(undefined, 'A');
      const b = await user();
      const roomId = await room(a, { name: 'info', description: 'about', is_open: true, max_participants: 7 });
      const data = expectSuccess(await a.request('ROOM_INFO', { room_id: roomId }), 'ROOM_INFO');
      expect(data).toEqual({
        room_id: roomId, name: 'info', description: 'about', is_open: true, host_user_id: a.id, participants_count: 1,
        max_participants: 7, created_at: expect.stringMatching(ISO_MS),
        participants: [{ user_id: a.id, nickname: 'A', role: 'host', joined_at: expect.stringMatching(ISO_MS) }],
      });
      expectFailure(await b.request('ROOM_INFO', { room_id: roomId }), 'ROOM_INFO', 'USER_NOT_IN_ROOM');
      expectFailure(await b.request('ROOM_INFO', { room_id: 99_999_999 }), 'ROOM_INFO', 'ROOM_NOT_FOUND');
    });
  });

  describe('messages', () => {
    it('SEND_MESSAGE answers the sender and sends NEW_MESSAGE to every other member in send order', async () => {
      const a = await user(undefined, 'A');
      const b = await user();
      const c = await user();
      const roomId = await roomWith(a, b, c);
      const data = expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: '안녕하세요!', message_type: 'text', reply_to_message_id: null, client_message_id: 'c1' }), 'SEND_MESSAGE');
      expect(data).toEqual({ message_id: expect.any(Number), room_id: roomId, content: '안녕하세요!', message_type: 'text', created_at: expect.stringMatching(ISO_MS), client_message_id: 'c1' });
      for (const other of [b, c]) {
        const m = await other.nextAction('NEW_MESSAGE');
        expect(m.data).toEqual({
          message_id: data.message_id, room_id: roomId, content: '안녕하세요!', message_type: 'text',
          user: { user_id: a.id, nickname: 'A', profile_image: 'p.png' }, created_at: data.created_at, reply_to_message_id: null,
        });
      }
      for (let i = 0; i < 30; i++) a.send({ action: 'SEND_MESSAGE', data: { room_id: roomId, content: `m${i}`, message_type: 'text' }, timestamp: new Date().toISOString(), seq_id: `burst${i}` });
      for (let i = 0; i < 30; i++) expect((await b.nextAction('NEW_MESSAGE')).data?.content).toBe(`m${i}`);
      await a.nothing(100, (m) => m.action === 'NEW_MESSAGE');
    });

    it('leaves profile_image out when the token carries none', async () => {
      const a = await user();
      const bare = await loginAssa(server.urls, transport, freshUser(), 'Bare');
      clients.push(bare);
      const roomId = await roomWith(a, bare);
      expectSuccess(await bare.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'text' }), 'SEND_MESSAGE');
      expect((await a.nextAction('NEW_MESSAGE')).data?.user).toEqual({ user_id: (bare.received[0]?.data as Msg).user_id, nickname: 'Bare' });
    });

    it.each([
      ['ASCII', 'a'],
      ['Hangul', '한'],
      ['astral emoji', '😀'],
    ])('accepts 5,000 code points of %s text and refuses 5,001 with MESSAGE_TOO_LONG', async (_name, ch) => {
      const a = await user();
      const roomId = await room(a);
      expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: ch.repeat(5000), message_type: 'text' }), 'SEND_MESSAGE');
      expectFailure(await a.request('SEND_MESSAGE', { room_id: roomId, content: ch.repeat(5001), message_type: 'text' }), 'SEND_MESSAGE', 'MESSAGE_TOO_LONG');
    });

    it('sends images up to 10 MB and refuses larger ones or ones without file_info with FILE_UPLOAD_FAILED', async () => {
      const a = await user();
      const b = await user();
      const roomId = await roomWith(a, b);
      const fileInfo = { file_path: '/storage/messages/image_001.jpg', file_name: 'photo.jpg', file_size: 10_485_760, mime_type: 'image/jpeg' };
      const data = expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: '', message_type: 'image', file_info: fileInfo }), 'SEND_MESSAGE');
      expect(data.message_type).toBe('image');
      const m = await b.nextAction('NEW_MESSAGE');
      expect(m.data).toMatchObject({ message_type: 'image', content: '', file_info: fileInfo });
      expectFailure(await a.request('SEND_MESSAGE', { room_id: roomId, content: '', message_type: 'image', file_info: { ...fileInfo, file_size: 10_485_761 } }), 'SEND_MESSAGE', 'FILE_UPLOAD_FAILED');
      expectFailure(await a.request('SEND_MESSAGE', { room_id: roomId, content: '', message_type: 'image' }), 'SEND_MESSAGE', 'FILE_UPLOAD_FAILED');
    });

    it('refuses an unknown message_type with INVALID_MESSAGE_TYPE, and a missing room with ROOM_NOT_FOUND', async () => {
      const a = await user();
      const roomId = await room(a);
      expectFailure(await a.request('SEND_MESSAGE', { room_id: roomId, content: 'x', message_type: 'video' }), 'SEND_MESSAGE', 'INVALID_MESSAGE_TYPE');
      expectFailure(await a.request('SEND_MESSAGE', { room_id: roomId, content: 5, message_type: 'text' }), 'SEND_MESSAGE', 'INVALID_MESSAGE_TYPE');
      expectFailure(await a.request('SEND_MESSAGE', { room_id: 99_999_999, content: 'x', message_type: 'text' }), 'SEND_MESSAGE', 'ROOM_NOT_FOUND');
    });

    it('keeps membership across a reconnect, counts missed messages, and CHECK_RECEIVE settles receipts', async () => {
      const a = await user();
      const bId = freshUser();
      const b = await user(bId);
      const roomId = await roomWith(a, b);
      const first = expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: 'seen', message_type: 'text' }), 'SEND_MESSAGE');
      await b.nextAction('NEW_MESSAGE');
      b.close();
      await b.closed();
      await new Promise((r) => setTimeout(r, 50));
      const missed1 = expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: 'missed 1', message_type: 'text' }), 'SEND_MESSAGE');
      const missed2 = expectSuccess(await a.request('SEND_MESSAGE', { room_id: roomId, content: 'missed 2', message_type: 'text' }), 'SEND_MESSAGE');
      const again = await raw();
      const connect = expectSuccess(await again.request('CONNECT', { jwt_token: mintToken({ claims: { sub: String(bId) } }) }), 'CONNECT');
      expect(connect.reconnection_info).toEqual({ existing_rooms: [roomId], unread_messages: 2 });
      const data = expectSuccess(await again.request('CHECK_RECEIVE', { room_id: roomId, message_ids: [first.message_id, 99_999_999] }), 'CHECK_RECEIVE');
      expect(data).toEqual({
        room_id: roomId, received_messages: [first.message_id], failed_messages: [99_999_999],
        pending_messages: [
          { message_id: missed1.message_id, content: 'missed 1', user: { user_id: a.id, nickname: `n${a.id}` }, created_at: missed1.created_at },
          { message_id: missed2.message_id, content: 'missed 2', user: { user_id: a.id, nickname: `n${a.id}` }, created_at: missed2.created_at },
        ],
      });
      const second = expectSuccess(await again.request('CHECK_RECEIVE', { room_id: roomId, message_ids: [missed1.message_id] }), 'CHECK_RECEIVE');
      expect(second).toEqual({ room_id: roomId, received_messages: [missed1.message_id], failed_messages: [], pending_messages: [] });
      const c = await user();
      expectFailure(await c.request('CHECK_RECEIVE', { room_id: roomId, message_ids: [] }), 'CHECK_RECEIVE', 'USER_NOT_IN_ROOM');
      expectFailure(await c.request('CHECK_RECEIVE', { room_id: roomId }), 'CHECK_RECEIVE', 'INVALID_MESSAGE_TYPE');
    });
  });

  describe('INVITE', () => {
    it('answers invited for online users (who get INVITATION_RECEIVED) and offline for the others', async () => {
      const a = await user(undefined, 'A');
      const b = await user(undefined, 'B');
      const offline = freshUser();
      const roomId = await room(a, { name: 'inv', description: '' });
      const data = expectSuccess(await a.request('INVITE', { room_id: roomId, invited_user_ids: [b.id, offline] }), 'INVITE');
      expect(data).toEqual({ room_id: roomId, invited_users: [{ user_id: b.id, nickname: 'B', status: 'invited' }, { user_id: offline, nickname: '', status: 'offline' }] });
      const inv = await b.nextAction('INVITATION_RECEIVED');
      expect(inv.data).toEqual({ room_id: roomId, room_info: { name: 'inv', description: '', participants_count: 1 }, inviter: { user_id: a.id, nickname: 'A', profile_image: 'p.png' } });
    });

    it('refuses a non-member with USER_NOT_IN_ROOM and an empty list with INVALID_MESSAGE_TYPE', async () => {
      const a = await user();
      const b = await user();
      const roomId = await room(a);
      expectFailure(await b.request('INVITE', { room_id: roomId, invited_user_ids: [a.id] }), 'INVITE', 'USER_NOT_IN_ROOM');
      expectFailure(await a.request('INVITE', { room_id: roomId, invited_user_ids: [] }), 'INVITE', 'INVALID_MESSAGE_TYPE');
      expectFailure(await a.request('INVITE', { room_id: 99_999_999, invited_user_ids: [b.id] }), 'INVITE', 'ROOM_NOT_FOUND');
    });
  });

  describe('video rooms', () => {
    async function videoSetup() {
      const a = await user(undefined, 'A');
      const b = await user(undefined, 'B');
      const c = await user(undefined, 'C');
      const chat = await roomWith(a, b, c);
      const created = expectSuccess(await a.request('CREATE_VIDEO_ROOM', { chat_room_id: chat, video_room_name: 'call', max_participants: 3 }), 'CREATE_VIDEO_ROOM');
      const video = created.video_room_id as number;
      for (const x of [a, b, c]) expectSuccess(await x.request('JOIN_VIDEO_ROOM', { video_room_id: video }), 'JOIN_VIDEO_ROOM');
      return { a, b, c, chat, video, created };
    }

    it('CREATE_VIDEO_ROOM answers the room with no participants; JOIN_VIDEO_ROOM lists them with media status', async () => {
      const a = await user(undefined, 'A');
      const b = await user(undefined, 'B');
      const chat = await roomWith(a, b);
      const created = expectSuccess(await a.request('CREATE_VIDEO_ROOM', { chat_room_id: chat, video_room_name: 'call', max_participants: 10 }), 'CREATE_VIDEO_ROOM');
      expect(created).toEqual({
        video_room_id: expect.any(Number), video_room_name: 'call', chat_room_id: chat, host_user_id: a.id, participants: [],
        max_participants: 10, created_at: expect.stringMatching(ISO_MS),
      });
      expectSuccess(await a.request('JOIN_VIDEO_ROOM', { video_room_id: created.video_room_id }), 'JOIN_VIDEO_ROOM');
      const joined = expectSuccess(await b.request('JOIN_VIDEO_ROOM', { video_room_id: created.video_room_id }), 'JOIN_VIDEO_ROOM');
      expect(joined).toEqual({
        video_room_id: created.video_room_id,
        participants: [
          { user_id: a.id, nickname: 'A', role: 'host', media_status: { audio_enabled: true, video_enabled: true } },
          { user_id: b.id, nickname: 'B', role: 'participant', media_status: { audio_enabled: true, video_enabled: true } },
        ],
      });
      const listed = expectSuccess(await a.request('GET_VIDEO_ROOM_PARTICIPANT', { video_room_id: created.video_room_id }), 'GET_VIDEO_ROOM_PARTICIPANT');
      expect(listed).toEqual(joined);
    });

    it('refuses with ROOM_NOT_FOUND, USER_NOT_IN_ROOM, VIDEO_ROOM_NOT_FOUND and MAX_PARTICIPANTS_REACHED', async () => {
      const { video } = await videoSetup();
      const outsider = await user();
      const d = await user();
      expectFailure(await outsider.request('CREATE_VIDEO_ROOM', { chat_room_id: 99_999_999, video_room_name: 'x' }), 'CREATE_VIDEO_ROOM', 'ROOM_NOT_FOUND');
      expectFailure(await outsider.request('JOIN_VIDEO_ROOM', { video_room_id: 99_999_999 }), 'JOIN_VIDEO_ROOM', 'VIDEO_ROOM_NOT_FOUND');
      expectFailure(await outsider.request('JOIN_VIDEO_ROOM', { video_room_id: video }), 'JOIN_VIDEO_ROOM', 'USER_NOT_IN_ROOM');
      expectFailure(await outsider.request('GET_VIDEO_ROOM_PARTICIPANT', { video_room_id: video }), 'GET_VIDEO_ROOM_PARTICIPANT', 'USER_NOT_IN_ROOM');
      expectFailure(await outsider.request('EXIT_VIDEO_ROOM', { video_room_id: 99_999_999 }), 'EXIT_VIDEO_ROOM', 'VIDEO_ROOM_NOT_FOUND');
      // d joins the chat room, but the video room (max 3) is full.
      const full = await videoSetup();
      expectSuccess(await d.request('JOIN_ROOM', { room_id: full.chat }), 'JOIN_ROOM');
      expectFailure(await d.request('JOIN_VIDEO_ROOM', { video_room_id: full.video }), 'JOIN_VIDEO_ROOM', 'MAX_PARTICIPANTS_REACHED');
      expectFailure(await outsider.request('CREATE_VIDEO_ROOM', { chat_room_id: full.chat, video_room_name: 'x' }), 'CREATE_VIDEO_ROOM', 'USER_NOT_IN_ROOM');
    });

    it('relays SDP and ICE_CANDIDATE to the target only, naming the sender', async () => {
      const { a, b, c, video } = await videoSetup();
      const sdpData = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
      expect(expectSuccess(await a.request('SDP', { video_room_id: video, target_user_id: b.id, sdp_type: 'offer', sdp_data: sdpData }), 'SDP')).toEqual({ video_room_id: video, target_user_id: b.id });
      const sdp = await b.nextAction('SDP');
      expect(sdp.data).toEqual({ video_room_id: video, sender_user_id: a.id, sdp_type: 'offer', sdp_data: sdpData });
      expect(sdp.timestamp).toMatch(ISO_MS);
      const candidate = 'candidate:1 1 UDP 2130706431 127.0.0.1 54400 typ host';
      expectSuccess(await a.request('ICE_CANDIDATE', { video_room_id: video, target_user_id: b.id, candidate, sdp_mid: '0', sdp_mline_index: 0 }), 'ICE_CANDIDATE');
      const ice = await b.nextAction('ICE_CANDIDATE');
      expect(ice.data).toEqual({ video_room_id: video, sender_user_id: a.id, candidate, sdp_mid: '0', sdp_mline_index: 0 });
      await c.nothing(150, (m) => m.action === 'SDP' || m.action === 'ICE_CANDIDATE');
      const outsider = await user();
      expectFailure(await a.request('SDP', { video_room_id: video, target_user_id: outsider.id, sdp_type: 'offer', sdp_data: 'x' }), 'SDP', 'USER_NOT_IN_ROOM');
      expectFailure(await outsider.request('ICE_CANDIDATE', { video_room_id: video, target_user_id: a.id, candidate: 'x' }), 'ICE_CANDIDATE', 'USER_NOT_IN_ROOM');
      expectFailure(await a.request('SDP', { video_room_id: 99_999_999, target_user_id: b.id, sdp_type: 'offer', sdp_data: 'x' }), 'SDP', 'VIDEO_ROOM_NOT_FOUND');
    });

    it('MEDIA_STATUS reaches the other participants as PARTICIPANT_MEDIA_STATUS; EXIT_VIDEO_ROOM leaves', async () => {
      const { a, b, c, video } = await videoSetup();
      expect(expectSuccess(await a.request('MEDIA_STATUS', { video_room_id: video, audio_enabled: false, video_enabled: true }), 'MEDIA_STATUS'))
        .toEqual({ video_room_id: video, audio_enabled: false, video_enabled: true });
      for (const x of [b, c]) {
        const m = await x.nextAction('PARTICIPANT_MEDIA_STATUS');
        expect(m.data).toEqual({ video_room_id: video, user_id: a.id, nickname: 'A', audio_enabled: false, video_enabled: true });
      }
      await a.nothing(100, (m) => m.action === 'PARTICIPANT_MEDIA_STATUS');
      expect(expectSuccess(await b.request('EXIT_VIDEO_ROOM', { video_room_id: video }), 'EXIT_VIDEO_ROOM')).toEqual({ video_room_id: video });
      expectFailure(await b.request('EXIT_VIDEO_ROOM', { video_room_id: video }), 'EXIT_VIDEO_ROOM', 'USER_NOT_IN_ROOM');
      expectFailure(await b.request('MEDIA_STATUS', { video_room_id: video, audio_enabled: true, video_enabled: true }), 'MEDIA_STATUS', 'USER_NOT_IN_ROOM');
      expectFailure(await a.request('MEDIA_STATUS', { video_room_id: video, audio_enabled: 'no', video_enabled: true }), 'MEDIA_STATUS', 'INVALID_MESSAGE_TYPE');
      const listed = expectSuccess(await c.request('GET_VIDEO_ROOM_PARTICIPANT', { video_room_id: video }), 'GET_VIDEO_ROOM_PARTICIPANT');
      expect((listed.participants as Msg[]).map((p) => p.user_id)).toEqual([a.id, c.id]);
      expect((listed.participants as Msg[])[0]?.media_status).toEqual({ audio_enabled: false, video_enabled: true });
    });
  });

  describe('SERVER_ANNOUNCEMENT', () => {
    it('reaches every authenticated connection from announce() and from the loopback admin endpoint', async () => {
      const a = await user();
      const b = await user();
      const pending = await raw();
      const count = server.announce({ title: 'Maintenance', message: 'tonight', priority: 'high', announcement_type: 'maintenance' });
      expect(count).toBeGreaterThanOrEqual(2);
      for (const x of [a, b]) {
        const m = await x.nextAction('SERVER_ANNOUNCEMENT');
        expect(m.data).toEqual({ title: 'Maintenance', message: 'tonight', priority: 'high', announcement_type: 'maintenance' });
        expect(m.timestamp).toMatch(ISO_MS);
      }
      await pending.nothing(100, (m) => m.action === 'SERVER_ANNOUNCEMENT');
      const res = await fetch(server.urls.adminHttp, { method: 'POST', body: JSON.stringify({ title: 'T', message: 'M', priority: 'low', announcement_type: 'notice' }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { delivered: number }).delivered).toBeGreaterThanOrEqual(2);
      expect((await a.nextAction('SERVER_ANNOUNCEMENT')).data).toEqual({ title: 'T', message: 'M', priority: 'low', announcement_type: 'notice' });
      const bad = await fetch(server.urls.adminHttp, { method: 'POST', body: JSON.stringify({ title: 1 }) });
      expect(bad.status).toBe(400);
    });
  });

  describe('malformed input (assa.D8)', () => {
    it.each([
      ['malformed JSON', '{"action": "CONNECT",', 'UNKNOWN'],
      ['a JSON array', '[1,2,3]', 'UNKNOWN'],
      ['a JSON string', '"CONNECT"', 'UNKNOWN'],
      ['no action', '{"seq_id":"x1","data":{}}', 'UNKNOWN'],
      ['an unknown action', '{"action":"FLY","seq_id":"x2","timestamp":"2024-01-01T12:00:00.000Z"}', 'FLY'],
      ['a server-only action', '{"action":"NEW_MESSAGE","seq_id":"x3"}', 'NEW_MESSAGE'],
      ['an array nested 100,000 deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'UNKNOWN'],
    ])('answers %s with ERROR INVALID_MESSAGE_TYPE and keeps the connection', async (_name, text, original) => {
      const c = await user();
      c.send(text);
      const reply = await c.nextAction('ERROR');
      expectError(reply, 'INVALID_MESSAGE_TYPE', original);
      const seq = /"seq_id":"(\w+)"/.exec(text)?.[1];
      if (seq) expect(reply.seq_id).toBe(seq);
      expectSuccess(await c.request('CREATE_ROOM', { name: 'still alive' }), 'CREATE_ROOM');
    });

    it('answers a known action with a non-object data or a missing seq_id with <ACTION>_RESPONSE INVALID_MESSAGE_TYPE', async () => {
      const c = await user();
      c.send({ action: 'JOIN_ROOM', data: [1], seq_id: 'y1', timestamp: new Date().toISOString() });
      const r1 = await c.next((m) => m.seq_id === 'y1');
      expectFailure(r1, 'JOIN_ROOM', 'INVALID_MESSAGE_TYPE');
      c.send({ action: 'JOIN_ROOM', data: { room_id: 1 } });
      expectFailure(await c.nextAction('JOIN_ROOM_RESPONSE'), 'JOIN_ROOM', 'INVALID_MESSAGE_TYPE');
      c.send(`{"action":"JOIN_ROOM","seq_id":"deep","data":{"room_id":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`);
      expectFailure(await c.next((m) => m.seq_id === 'deep'), 'JOIN_ROOM', 'INVALID_MESSAGE_TYPE');
    });
  });
});

describe('ASSA with an RS256 or ES256 public key', () => {
  const servers: RunningServer[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    closeAll(clients);
    expect(takeViolations()).toEqual([]);
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it.each([
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
  ] as const)('accepts %s tokens signed by the private key and refuses key confusion and alg none', async (alg, makePair) => {
    const { publicKey, privateKey } = makePair();
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const server = await startReferenceServer({ profiles: 'assa', jwt: { publicKey: publicPem } });
    servers.push(server);
    const c = await connectAssa(server.urls, 'tcp');
    clients.push(c);
    // HS256 signed with the public key's PEM as the secret: the classic confusion attack.
    const confused = jwt.sign({ sub: '1' }, publicPem, { algorithm: 'HS256' });
    expectFailure(await c.request('CONNECT', { jwt_token: confused }), 'CONNECT', 'INVALID_TOKEN');
    expectFailure(await c.request('CONNECT', { jwt_token: jwt.sign({ sub: '1' }, '', { algorithm: 'none' }) }), 'CONNECT', 'INVALID_TOKEN');
    expectFailure(await c.request('CONNECT', { jwt_token: mintToken({ claims: { sub: '1' } }) }), 'CONNECT', 'INVALID_TOKEN');
    const good = mintToken({ claims: { sub: '77', nickname: 'K' }, algorithm: alg, key: privateKey });
    expect(expectSuccess(await c.request('CONNECT', { jwt_token: good }), 'CONNECT').user_id).toBe(77);
  });
});
