import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../reference-server/server.js';
import type { RunningServer } from '../../reference-server/server.js';
import { brief, runScenarioText } from './testing/harness.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: 'all' });
});

afterAll(async () => {
  await server?.close();
});

const roomCase = `id: assa.room.broadcast
title: a message reaches the other member and no one else
profile: assa
clients:
  alice: { user_id: 1001, nickname: Alice }
  bob: { user_id: 1002, nickname: Bob }
  dave: { user_id: 1004, nickname: Dave }
steps:
  - connect: [alice, bob, dave]
  - send: { client: alice, message: CREATE_ROOM, data: { name: "room \${uid()}", is_open: true } }
  - expect: { client: alice, reply: true, message: CREATE_ROOM_RESPONSE, match: { success: true, data: { room_id: { $type: integer } } }, capture: { room: data.room_id } }
  - send: { client: bob, message: JOIN_ROOM, data: { room_id: "\${room}" } }
  - expect: { client: bob, reply: true, match: { success: true } }
  - expect: { client: alice, message: USER_JOINED, match: { data: { room_id: "\${room}", user: { user_id: 1002 } } } }
  - send: { client: alice, message: SEND_MESSAGE, data: { room_id: "\${room}", content: "\${text(5000, hangul)}", message_type: text } }
  - expect: { client: alice, reply: true, match: { success: true } }
  - expect: { clients: [bob], message: NEW_MESSAGE, match: { data: { room_id: "\${room}", content: { $length: 5000 } } }, none_for: [dave] }
`;

describe('scenarios against the reference server', () => {
  it('passes a room broadcast case over TCP', async () => {
    const [r] = await runScenarioText(roomCase, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });

  it('passes the same case over WebSocket', async () => {
    const [r] = await runScenarioText(roomCase, server.urls.assaWs as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });
});
