import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../reference-server/server.js';
import type { RunningServer } from '../../reference-server/server.js';
import { brief, runScenarioText } from './testing/harness.js';
import { resolveSigningKey } from '../auth/tokens.js';

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

  it.each([
    ['expired', 'INVALID_TOKEN'],
    ['not-yet-valid', 'INVALID_TOKEN'],
    ['wrong-signature', 'INVALID_TOKEN'],
    ['alg-none', 'INVALID_TOKEN'],
    ['wrong-key-type', 'INVALID_TOKEN'],
    ['malformed', 'AUTH_FAILED'],
    ['none', 'AUTH_FAILED'],
  ])('sees a %s token refused with %s', async (variant, code) => {
    const text = `id: token.${variant}
title: bad token
profile: assa
clients:
  m: { user_id: 9, token: ${variant} }
steps:
  - connect: { client: m, await: false }
  - expect: { client: m, reply: true, message: [CONNECT_RESPONSE, ERROR], match: { success: false, error_code: ${code} } }
`;
    const [r] = await runScenarioText(text, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });

  it('passes a connect step that expects the refusal of a bad token', async () => {
    const text = `id: token.expect-refused\ntitle: refused\nprofile: assa\nclients:\n  m: { user_id: 9, token: alg-none }\nsteps:\n  - connect: { client: m, expect: refused }\n`;
    const [r] = await runScenarioText(text, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });

  it('fails a valid client refused in the handshake (envelope, the server knows another secret)', async () => {
    const text = `id: envelope.refused\ntitle: refused\nprofile: envelope\nclients:\n  ann: { user_id: "1" }\nsteps:\n  - connect: ann\n`;
    const [r] = await runScenarioText(text, server.urls.envelopeWs as string, { signingKey: resolveSigningKey({ secret: 'not-the-server-secret', env: {} }) });
    expect(r?.verdict).toBe('FAIL');
    expect(r?.decidedBy).toMatchObject({ code: 'CC_CHECK_CONNECT_REFUSED', step: { path: 'steps[0].connect', line: 7 }, evidence: { client: 'ann', expected: 'accepted', actual: 401 } });
  });

  it('fails a valid client whose OpenIRC login is refused', async () => {
    const text = `id: openirc.refused\ntitle: refused\nprofile: openirc\nclients:\n  neo: { user_id: 1 }\nsteps:\n  - connect: neo\n`;
    const [r] = await runScenarioText(text, server.urls.openircHttp as string, { signingKey: resolveSigningKey({ secret: 'not-the-server-secret', env: {} }) });
    expect(r?.verdict).toBe('FAIL');
    expect(r?.decidedBy).toMatchObject({ code: 'CC_CHECK_CONNECT_REFUSED', evidence: { client: 'neo', expected: 'accepted', actual: 401 } });
    expect(r?.decidedBy?.message).toMatch(/answered 401: .*invalid_token/);
  });

  it('fails an accepted bad token when the connect step expects a refusal', async () => {
    const text = `id: token.refused
title: a bad token must be refused
profile: assa
clients:
  m: { user_id: 9 }
steps:
  - connect: { client: m, expect: refused }
`;
    const [r] = await runScenarioText(text, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'FAIL', code: 'CC_CHECK_AUTH_ACCEPTED', step: 'steps[0].connect', message: 'CONNECT of m with a valid token was accepted' });
  });

  it('records a message no step expected, and fails it with unexpected: fail', async () => {
    const text = (policy: string) => `id: unexpected.${policy}
title: bob's join is announced to alice, who does not expect it
profile: assa
unexpected: ${policy}
clients:
  alice: { user_id: 1201 }
  bob: { user_id: 1202 }
steps:
  - connect: [alice, bob]
  - send: { client: alice, message: CREATE_ROOM, data: { name: r, is_open: true } }
  - expect: { client: alice, reply: true, capture: { room: data.room_id } }
  - send: { client: bob, message: JOIN_ROOM, data: { room_id: "\${room}" } }
  - expect: { client: bob, reply: true, match: { success: true } }
  - wait: 100ms
`;
    const [recorded] = await runScenarioText(text('record'), server.urls.assaTcp as string);
    expect(recorded?.verdict).toBe('PASS');
    expect(recorded?.findings.map((f) => [f.verdict, f.code, f.evidence?.client, f.evidence?.message])).toEqual([['PASS', 'CC_CHECK_UNEXPECTED_MESSAGE', 'alice', 'USER_JOINED']]);
    const [failed] = await runScenarioText(text('fail'), server.urls.assaTcp as string);
    expect(failed && brief(failed)).toEqual({ verdict: 'FAIL', code: 'CC_CHECK_UNEXPECTED_MESSAGE', message: 'alice received USER_JOINED that no step expected' });
  });
});

