/**
 * The runner against small misbehaving servers on loopback: each fault must give FAIL, decided by
 * the right step, with the evidence that shows what the server did.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultServer, type FaultServer, type ScenarioFault } from '../testing/scenario-fault-server.js';
import { ShapeCollector } from '../report/shapes.js';
import { runScenarioText } from './testing/harness.js';

const broadcast = `id: fault.broadcast
title: a message reaches both other members and not the outsider
profile: assa
clients:
  alice: { user_id: 1, nickname: Alice }
  bob: { user_id: 2, nickname: Bob }
  carol: { user_id: 3, nickname: Carol }
  dave: { user_id: 4, nickname: Dave }
steps:
  - connect: [alice, bob, carol, dave]
  - send: { client: alice, message: CREATE_ROOM, data: { name: r } }
  - expect: { client: alice, reply: true, match: { success: true }, capture: { room: data.room_id } }
  - send: { client: bob, message: JOIN_ROOM, data: { room_id: "\${room}" } }
  - expect: { client: bob, reply: true, match: { success: true } }
  - send: { client: carol, message: JOIN_ROOM, data: { room_id: "\${room}" } }
  - expect: { client: carol, reply: true, match: { success: true } }
  - send: { client: alice, message: SEND_MESSAGE, data: { room_id: "\${room}", content: hi, message_type: text } }
  - expect: { client: alice, reply: true, message: SEND_MESSAGE_RESPONSE, within: 1s, match: { success: true, data: { room_id: "\${room}", content: hi } } }
  - expect: { clients: [bob, carol], message: NEW_MESSAGE, within: 1s, match: { data: { room_id: "\${room}", content: hi } }, none_for: [dave] }
`;

let server: FaultServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runAgainst(fault: ScenarioFault | 'none', options: { lateMs?: number } = {}) {
  server = await startFaultServer(fault, options);
  const [result] = await runScenarioText(broadcast, server.url);
  if (!result) throw new Error('no result');
  return result;
}

describe('the runner against a misbehaving server', () => {
  it('passes when the server behaves (the baseline every fault below departs from)', async () => {
    const r = await runAgainst('none');
    expect(r.verdict).toBe('PASS');
    expect(r.findings.filter((f) => f.verdict !== 'PASS')).toEqual([]);
  });

  it('fails a wrong field value with its pointer, expected and actual', async () => {
    const r = await runAgainst('wrong-value');
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({
      verdict: 'FAIL',
      code: 'CC_CHECK_MISMATCH',
      step: { path: 'steps[8].expect', line: 18 },
      evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/room_id', expected: 1, actual: 2 },
    });
    expect(r.transcript[r.decidedBy?.evidence?.transcriptIndex ?? -1]?.message).toBe('SEND_MESSAGE_RESPONSE');
  });

  it('fails a missing reply when its deadline passes', async () => {
    const r = await runAgainst('no-reply');
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({ code: 'CC_CHECK_TIMEOUT', step: { path: 'steps[8].expect', line: 18 }, evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', actual: 'nothing' } });
    expect(r.decidedBy?.message).toMatch(/^alice received no reply to SEND_MESSAGE \(seq_id "[^"]+"\) as SEND_MESSAGE_RESPONSE within 1s$/);
  });

  it('fails a reply that comes after its deadline', async () => {
    const r = await runAgainst('late-reply', { lateMs: 2000 });
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({ code: 'CC_CHECK_TIMEOUT', step: { path: 'steps[8].expect' }, evidence: { client: 'alice', actual: 'nothing' } });
  });

  it('fails a reply that breaks its schema, naming the pointer, expected and actual', async () => {
    const r = await runAgainst('schema-violation');
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({
      verdict: 'FAIL',
      code: 'CC_SCHEMA_INVALID',
      evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/message_id', expected: 'integer', actual: 'string "2"' },
    });
    const entry = r.transcript[r.decidedBy?.evidence?.transcriptIndex ?? -1];
    expect(entry?.schemaErrors?.[0]).toMatchObject({ pointer: '/data/message_id', expected: 'integer', actual: 'string "2"' });
  });

  it('fails a broadcast that misses one member, naming that member', async () => {
    const r = await runAgainst('miss-member');
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({ code: 'CC_CHECK_TIMEOUT', step: { path: 'steps[9].expect', line: 19 }, evidence: { client: 'carol', message: 'NEW_MESSAGE', actual: 'nothing' } });
    expect(r.findings.filter((f) => f.verdict === 'FAIL').map((f) => f.evidence?.client)).toEqual(['carol']);
  });

  it('fails a broadcast delivered to a client outside the room', async () => {
    const r = await runAgainst('leak-to-non-member');
    expect(r.verdict).toBe('FAIL');
    expect(r.decidedBy).toMatchObject({
      code: 'CC_CHECK_DELIVERED_TO_NON_MEMBER',
      step: { path: 'steps[9].expect', line: 19 },
      evidence: { client: 'dave', message: 'NEW_MESSAGE', expected: 'no message', actual: { action: 'NEW_MESSAGE', data: { content: 'hi' } } },
    });
  });

  it('makes a field the spec does not define NON-STRICT, naming it', async () => {
    const r = await runAgainst('extra-field');
    expect(r.verdict).toBe('NON-STRICT');
    expect(r.decidedBy).toMatchObject({ verdict: 'NON-STRICT', code: 'CC_SCHEMA_EXTRA_FIELDS', evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/shiny' } });
  });

  it('counts a message whose name the spec does not define in the message shapes, NON-STRICT (a reading), and not against a case it was no subject of', async () => {
    server = await startFaultServer('unknown-message');
    for (const [policy, verdict] of [['cap', 'NON-STRICT'], ['enforce', 'FAIL']] as const) {
      const shapes = new ShapeCollector();
      const [r] = await runScenarioText(broadcast, server.url, { decisionPolicy: policy, shapes });
      expect(r?.verdict).toBe('PASS');
      expect(shapes.result()).toMatchObject([{
        profile: 'assa', direction: 'server', message: 'SURPRISE', pointer: '/action', code: 'CC_SCHEMA_UNKNOWN_MESSAGE', source: { kind: 'reading' }, verdict, count: 1, cases: ['fault.broadcast'],
        sample: { case: 'fault.broadcast', raw: expect.stringMatching(/^\{"action":"SURPRISE","data":\{\},"seq_id":"srv-x",/), truncated: false },
      }]);
    }
  });

  it('makes the schema findings of a message a step of steps: took the case\'s own, and a precondition\'s only a shape', async () => {
    server = await startFaultServer('schema-violation');
    const shapes = new ShapeCollector();
    const [subject] = await runScenarioText(broadcast, server.url, { shapes });
    expect(subject?.decidedBy).toMatchObject({ verdict: 'FAIL', code: 'CC_SCHEMA_INVALID', source: { kind: 'seed' }, evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/message_id' } });
    // The same exchange as a precondition of another subject: the finding is the shapes' alone.
    const [setup] = await runScenarioText(broadcast.replace('steps:\n  - connect: [alice, bob, carol, dave]', 'setup:\n  - connect: [alice, bob, carol, dave]').replace(/\n  - expect: \{ clients: \[bob, carol\][^\n]*\n$/, '\nsteps:\n  - expect: { clients: [bob, carol], message: NEW_MESSAGE, within: 1s, match: { data: { content: hi } }, none_for: [dave] }\n'), server.url, { shapes });
    expect(setup?.verdict).toBe('PASS');
    expect(setup?.findings.filter((f) => f.code.startsWith('CC_SCHEMA_'))).toEqual([]);
    // Both runs' replies, each counted once; the run's exit code sees this seed shape (src/report/run-summary.ts).
    expect(shapes.result().map((s) => [s.message, s.pointer, s.verdict, s.count, s.caseCount])).toEqual([['SEND_MESSAGE_RESPONSE', '/data/message_id', 'FAIL', 2, 1]]);
  });

  it('ends a case that outlives its deadline as ERROR, leaving the result unchanged afterwards', async () => {
    server = await startFaultServer('none');
    const [r] = await runScenarioText(`id: slow\ntitle: slow\nprofile: assa\ntimeout: 300ms\nclients:\n  a: { user_id: 1 }\nsteps:\n  - connect: a\n  - wait: 5s\n`, server.url);
    expect(r?.verdict).toBe('ERROR');
    expect(r?.decidedBy).toMatchObject({ code: 'CC_CASE_TIMEOUT', message: 'the case did not finish within its deadline of 300ms', step: { path: 'timeout', line: 1 } });
    expect(r?.durationMs).toBeLessThan(5000);
    const findings = r?.findings.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(r?.findings.length).toBe(findings);
  });

  it('caps the transcript of a long case with a note and keeps the evidence valid', async () => {
    server = await startFaultServer('schema-violation');
    const [r] = await runScenarioText(broadcast, server.url, { transcriptMaxEntries: 5 });
    expect(r?.transcript).toHaveLength(6);
    expect(r?.transcript[5]).toMatchObject({ event: 'note', text: 'transcript truncated after 5 entries' });
    expect(r?.decidedBy?.code).toBe('CC_SCHEMA_INVALID');
    expect(r?.decidedBy?.evidence).not.toHaveProperty('transcriptIndex');
  });

  it('weighs a broken SHOULD as NON-STRICT, not FAIL', async () => {
    server = await startFaultServer('no-reply');
    const [r] = await runScenarioText(broadcast.replace('profile: assa', 'profile: assa\nstrength: SHOULD'), server.url);
    expect(r?.verdict).toBe('NON-STRICT');
    expect(r?.decidedBy?.code).toBe('CC_CHECK_TIMEOUT');
  });
});
