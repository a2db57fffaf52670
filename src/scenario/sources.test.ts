/**
 * A check's source caps its verdict, against the reference server's other-choices variant (a
 * correct server by another reading): a broken check resting on a reading is NON-STRICT, on a
 * choice INFORMATIONAL, each citing its decision and what it would be under enforce; with
 * `--decisions enforce` both FAIL; a seed check FAILs either way; a schema finding takes the
 * validator's source (null in an optional echo is lenient: NON-STRICT even under enforce).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { loadProfile } from '../profile/load.js';
import type { CaseResult } from '../report/model.js';
import { runScenarioText } from './testing/harness.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: ['assa'], variant: 'other-choices', timers: { pingInterval: 150, pongTimeout: 600, connectTimeout: 1000 } });
});

afterAll(async () => {
  await server?.close();
});

const decision = (id: string) => loadProfile('assa').decisions.find((d) => d.id === id)?.text as string;

const closedRoom = `id: src.closed-room
title: joining a closed room without an invitation is refused
profile: assa
source: assa.D12.closed-rooms
clients:
  alice: { user_id: 7201 }
  eve: { user_id: 7202 }
setup:
  - connect: [alice, eve]
  - send: { client: alice, message: CREATE_ROOM, data: { name: "closed \${uid()}", is_open: false } }
  - expect: { client: alice, reply: true, match: { success: true }, capture: { room: data.room_id } }
steps:
  - send: { client: eve, message: JOIN_ROOM, data: { room_id: "\${room}" } }
  - expect: { client: eve, reply: true, match: { success: false } }
`;

const dropped = `id: src.close-code
title: a silent client is dropped, with 4408
profile: assa
clients:
  mute: { user_id: 7203, heartbeat: ignore }
setup:
  - connect: mute
steps:
  - expect_close: { client: mute, within: 3s, capture: { code: code } }
  - check: { value: "\${code}", match: { $in: [4408] }, source: assa.D5.close-codes }
`;

const sent = `id: src.send
title: SEND_MESSAGE is answered
profile: assa
clients:
  alice: { user_id: 7204 }
setup:
  - connect: alice
  - send: { client: alice, message: CREATE_ROOM, data: { name: "send \${uid()}", is_open: true } }
  - expect: { client: alice, reply: true, match: { success: true }, capture: { room: data.room_id } }
steps:
  - send: { client: alice, message: SEND_MESSAGE, data: { room_id: "\${room}", content: hi, message_type: text } }
  - expect: { client: alice, reply: true, message: SEND_MESSAGE_RESPONSE, match: { success: true } }
`;

async function run(text: string, enforce = false): Promise<CaseResult> {
  const [result] = await runScenarioText(text, server.urls.assaWs as string, enforce ? { decisionPolicy: 'enforce' } : {});
  return result as CaseResult;
}

/** The finding of a step (the variant's extra fields add lenient schema findings to the messages a case is about). */
const at = (r: CaseResult, path: string) => r.findings.find((f) => f.step?.path === path);

describe('a check\'s source caps its verdict', () => {
  it('gives a broken reading NON-STRICT, citing the decision and what enforce would make it', async () => {
    const r = await run(closedRoom);
    expect(r.verdict).toBe('NON-STRICT');
    expect(r.source).toEqual({ kind: 'reading', decision: 'assa.D12.closed-rooms' });
    expect(at(r, 'steps[1].expect')).toMatchObject({
      verdict: 'NON-STRICT',
      cappedFrom: 'FAIL',
      code: 'CC_CHECK_MISMATCH',
      step: { path: 'steps[1].expect' },
      source: { kind: 'reading', rule: 'assa.D12.closed-rooms' },
      message: `JOIN_ROOM_RESPONSE to eve: /success expected false, got true (decision assa.D12.closed-rooms, a reading: ${decision('assa.D12.closed-rooms')})`,
    });
  });

  it('FAILs the same reading under enforce', async () => {
    const r = await run(closedRoom, true);
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy?.step?.path).toBe('steps[1].expect');
    expect(r.decidedBy?.cappedFrom).toBeUndefined();
    expect(r.decidedBy?.source).toEqual({ kind: 'reading', rule: 'assa.D12.closed-rooms' });
  });

  it('gives a broken choice of a step INFORMATIONAL, recording what the server did', async () => {
    const r = await run(dropped);
    // The CONNECT_RESPONSE of its setup carries extra fields: a message shape, not this case's finding.
    expect(r.verdict).toBe('INFORMATIONAL');
    expect(r.findings.filter((f) => f.code.startsWith('CC_SCHEMA_'))).toEqual([]);
    expect(r.source).toEqual({ kind: 'seed' });
    expect(at(r, 'steps[1].check')).toMatchObject({
      verdict: 'INFORMATIONAL',
      cappedFrom: 'FAIL',
      step: { path: 'steps[1].check' },
      source: { kind: 'choice', rule: 'assa.D5.close-codes' },
      message: `checked value: / expected one of [4408], got 1001 (decision assa.D5.close-codes, a choice: ${decision('assa.D5.close-codes')})`,
    });
    const enforced = await run(dropped, true);
    expect(enforced.verdict).toBe('FAIL');
    expect(enforced.decidedBy?.step?.path).toBe('steps[1].check');
  });

  it('FAILs a seed check of the step whatever the case\'s source', async () => {
    const r = await run(dropped.replace('source: assa.D5.close-codes', 'source: seed').replace('title:', 'source: assa.D5.close-codes\ntitle:'));
    expect(r.verdict).toBe('FAIL');
    expect(r.source).toEqual({ kind: 'choice', decision: 'assa.D5.close-codes' });
    expect(r.decidedBy).toMatchObject({ verdict: 'FAIL', source: { kind: 'seed' }, message: 'checked value: / expected one of [4408], got 1001' });
    expect(r.decidedBy?.cappedFrom).toBeUndefined();
  });

  it('takes a schema finding\'s source from the validator: null in an optional echo is lenient under either policy', async () => {
    for (const enforce of [false, true]) {
      const r = await run(sent, enforce);
      expect(r.verdict).toBe('NON-STRICT');
      const nulls = r.findings.filter((f) => f.code === 'CC_SCHEMA_INVALID' && f.evidence?.message === 'SEND_MESSAGE_RESPONSE');
      expect(nulls).toHaveLength(1);
      expect(nulls[0]).toMatchObject({ verdict: 'NON-STRICT', source: { kind: 'lenient', rule: 'optional-null' }, evidence: { pointer: '/data/client_message_id', actual: 'null' } });
      expect(nulls[0]?.cappedFrom).toBeUndefined();
    }
  });
});
