/**
 * Property tests: random bytes, random JSON and mutated valid requests never crash or stall the
 * server, and each gets exactly the reply the decisions prescribe, valid against the schemas.
 */
import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { connectWs, loginAssa, type AssaTransport, type Msg, type TestClient } from './testing/client.js';
import { freshUser } from './testing/fixtures.js';
import { takeViolations } from './testing/schema-check.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startReferenceServer({ limits: { maxMessageBytes: 64 * 1024 } });
});
afterAll(() => server.close());

let sentinel = 0;
/** Sends `payload`, then a sentinel request; resolves every message that arrived before the sentinel's reply. */
async function repliesTo(c: TestClient, payload: string | Buffer): Promise<Msg[]> {
  const before = c.received.length;
  // Over TCP a Buffer goes out raw: end its line so the sentinel starts a new one.
  c.send(Buffer.isBuffer(payload) && 'socket' in c ? Buffer.concat([payload, Buffer.from('\n')]) : payload);
  const seq = `sentinel-${++sentinel}`;
  c.send({ action: 'ROOM_INFO', data: { room_id: 1 }, timestamp: new Date().toISOString(), seq_id: seq });
  await c.next((m) => m.seq_id === seq, 3000, 'the sentinel reply');
  return c.received.slice(before, -1).filter((m) => m.action !== 'PING');
}

/** Requests the server knows, with valid-looking data; DISCONNECT is left out (it ends the connection). */
function templates(roomId: number): Record<string, unknown>[] {
  const t = () => new Date().toISOString();
  return [
    { action: 'CREATE_ROOM', data: { name: 'r', description: 'd', is_open: true, max_participants: 5, invited_user_ids: [1] } },
    { action: 'JOIN_ROOM', data: { room_id: roomId } },
    { action: 'ROOM_INFO', data: { room_id: roomId } },
    { action: 'SEND_MESSAGE', data: { room_id: roomId, content: 'hi', message_type: 'text', reply_to_message_id: null, client_message_id: 'c' } },
    { action: 'SEND_MESSAGE', data: { room_id: roomId, content: '', message_type: 'image', file_info: { file_path: '/a', file_name: 'a', file_size: 10, mime_type: 'image/png' } } },
    { action: 'CHECK_RECEIVE', data: { room_id: roomId, message_ids: [1, 2] } },
    { action: 'INVITE', data: { room_id: roomId, invited_user_ids: [2] } },
    { action: 'CREATE_VIDEO_ROOM', data: { chat_room_id: roomId, video_room_name: 'v', max_participants: 3 } },
    { action: 'JOIN_VIDEO_ROOM', data: { video_room_id: 1 } },
    { action: 'SDP', data: { video_room_id: 1, target_user_id: 2, sdp_type: 'offer', sdp_data: 'v=0' } },
    { action: 'ICE_CANDIDATE', data: { video_room_id: 1, target_user_id: 2, candidate: 'c', sdp_mid: '0', sdp_mline_index: 0 } },
    { action: 'MEDIA_STATUS', data: { video_room_id: 1, audio_enabled: true, video_enabled: false } },
    { action: 'EXIT_VIDEO_ROOM', data: { video_room_id: 1 } },
    { action: 'GET_VIDEO_ROOM_PARTICIPANT', data: { video_room_id: 1 } },
    { action: 'CONNECT', data: { jwt_token: mintToken({ claims: { sub: '1' } }) } },
  ].map((m) => ({ ...m, timestamp: t(), seq_id: 'x' }));
}

type Mutation = (m: Record<string, unknown>) => Record<string, unknown>;

function mutation(): fc.Arbitrary<Mutation> {
  const key = fc.constantFrom('action', 'data', 'seq_id', 'timestamp', 'user_id', 'session_id');
  const dataKey = fc.constantFrom('room_id', 'content', 'message_type', 'file_info', 'message_ids', 'invited_user_ids', 'video_room_id', 'target_user_id', 'name', 'max_participants', 'audio_enabled', 'jwt_token', 'is_open', 'sdp_mline_index');
  return fc.oneof(
    key.map((k): Mutation => (m) => { const c = { ...m }; delete c[k]; return c; }),
    fc.tuple(key, fc.jsonValue()).map(([k, v]): Mutation => (m) => ({ ...m, [k]: v })),
    fc.tuple(dataKey, fc.jsonValue()).map(([k, v]): Mutation => (m) => ({ ...m, data: { ...(m.data as object), [k]: v } })),
    dataKey.map((k): Mutation => (m) => { const d = { ...(m.data as Record<string, unknown>) }; delete d[k]; return { ...m, data: d }; }),
    fc.string({ maxLength: 12 }).map((s): Mutation => (m) => ({ ...m, action: s })),
    fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()).map(([k, v]): Mutation => (m) => ({ ...m, [k]: v })),
  );
}

describe.each<AssaTransport>(['tcp', 'ws'])('ASSA over %s under random input', (transport) => {
  let c: TestClient;
  let roomId: number;
  beforeAll(async () => {
    c = await loginAssa(server.urls, transport, freshUser());
    roomId = (await c.request('CREATE_ROOM', { name: 'fuzz' })).data?.room_id as number;
  });
  afterAll(() => c.close());

  it('answers every mutated request exactly once: its own _RESPONSE echoing seq_id, or ERROR', async () => {
    const all = templates(roomId);
    await fc.assert(fc.asyncProperty(fc.nat(all.length - 1), fc.array(mutation(), { minLength: 1, maxLength: 3 }), fc.string({ minLength: 1, maxLength: 10 }), async (i, mutations, seq) => {
      let message: Record<string, unknown> = { ...(all[i] as Record<string, unknown>), seq_id: `fz-${seq}` };
      for (const m of mutations) message = m(message);
      const text = JSON.stringify(message);
      const replies = await repliesTo(c, text);
      const action = message.action;
      if (action === 'PONG') {
        expect(replies).toEqual([]);
        return;
      }
      if (action === 'DISCONNECT') return; // mutations may produce it; it closes the connection, so skip
      const own = replies.filter((r) => r.action === 'ERROR' || (typeof action === 'string' && r.action === `${action}_RESPONSE`));
      expect(own, text).toHaveLength(1);
      const reply = own[0] as Msg;
      if (typeof message.seq_id === 'string' && message.seq_id !== '' && typeof action === 'string') expect(reply.seq_id).toBe(message.seq_id);
      if (reply.success === false) expect(typeof reply.error_code).toBe('string');
    }), { numRuns: 300 });
    expect(c.isClosed).toBe(false);
  });

  it('answers random lines of bytes with one ERROR each and stays up', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (bytes) => {
      const line = Buffer.from(bytes.filter((b) => b !== 0x0a));
      const text = line.toString('latin1').replace(/\r$/, '');
      if (text.length === 0) return;
      // A payload that happens to be a valid JSON request would get its own reply: not the point here.
      try { JSON.parse(line.toString('utf8')); return; } catch { /* expected */ }
      const replies = await repliesTo(c, line);
      expect(replies.map((r) => [r.action, r.error_code])).toEqual([['ERROR', 'INVALID_MESSAGE_TYPE']]);
    }), { numRuns: 200 });
  });

  it('answers random JSON values with exactly one reply each', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (value) => {
      const replies = await repliesTo(c, JSON.stringify(value));
      const isPong = typeof value === 'object' && value !== null && (value as Msg).action === 'PONG';
      expect(replies.length).toBe(isPong ? 0 : 1);
    }), { numRuns: 200 });
  });
});

describe('envelope and OpenIRC under random input', () => {
  it('envelope answers random JSON with at most one error each and never closes', async () => {
    const c = await connectWs(`${server.urls.envelopeWs}?token=${mintToken({ claims: { sub: String(freshUser()) } })}`);
    c.profile = 'envelope';
    try {
      await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.record({ type: fc.constantFrom('room.join', 'room.leave', 'chat.message', 'chat.typing', 'pong', 'x'), data: fc.jsonValue() })), async (value) => {
        const before = c.received.length;
        c.send(JSON.stringify(value));
        c.send({ type: 'nope', id: 'sentinel' });
        await c.next((m) => m.ref_id === 'sentinel', 2000);
        const errors = c.received.slice(before, -1).filter((m) => m.type === 'error');
        expect(errors.length).toBeLessThanOrEqual(1);
        // Keep under the rate limit.
        await new Promise((r) => setTimeout(r, 110));
      }), { numRuns: 40 });
      expect(c.isClosed).toBe(false);
    } finally {
      c.close();
    }
  });

  it('OpenIRC answers every random MessagePack value exactly once', async () => {
    const res = await fetch(`${server.urls.openircHttp}/login/`, { method: 'POST', body: JSON.stringify({ method: 'token', token: mintToken({ claims: { sub: String(freshUser()) } }) }) });
    const c = await connectWs(((await res.json()) as { ws: string }).ws, { msgpack: true });
    c.profile = 'openirc';
    try {
      const request = fc.record({ rid: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string(), fc.constant(null)), kind: fc.constantFrom('join', 'leave', 'message', 'x'), target: fc.oneof(fc.jsonValue(), fc.record({ connid: fc.oneof(fc.constant(1), fc.jsonValue()), kind: fc.constantFrom('channel', 'user', 'x'), name: fc.oneof(fc.string({ minLength: 1 }), fc.jsonValue()) })), content: fc.jsonValue() }, { requiredKeys: [] });
      await fc.assert(fc.asyncProperty(fc.oneof(request, fc.jsonValue()), async (value) => {
        const before = c.received.length;
        c.send(Buffer.from(encode(value)));
        c.send(Buffer.from(encode({ rid: 2_000_000_000, kind: 'leave', target: { connid: 1, kind: 'channel', name: 'none' } })));
        await c.next((m) => m.rid === 2_000_000_000, 2000);
        const replies = c.received.slice(before, -1).filter((m) => m.kind === 'ok' || m.kind === 'error');
        expect(replies).toHaveLength(1);
      }), { numRuns: 300 });
    } finally {
      c.close();
    }
  });

  it('recorded no schema violations and no handler errors', () => {
    expect(takeViolations()).toEqual([]);
    expect(server.stats().handlerErrors).toBe(0);
  });
});
