/**
 * `setup:` against the reference server: a case stopped by a precondition is NOT-ASSESSED, blocked
 * by the step that stopped it (its path, line and what it needed, in the user's words), that
 * step's finding keeping its own verdict (the one the exit code sees), and the case's traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { effectiveVerdict } from '../report/run-summary.js';
import { runScenarioText } from './testing/harness.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: ['assa'] });
});

afterAll(async () => {
  await server?.close();
});

const blockedAt = (setup: string, timeout = '') => `id: setup.blocked
title: a message reaches the room
profile: assa
${timeout}clients:
  alice: { user_id: 7301 }
setup:
  - connect: alice
${setup}steps:
  - send: { client: alice, message: SEND_MESSAGE, data: { room_id: 1, content: hi, message_type: text } }
  - expect: { client: alice, reply: true, match: { success: true } }
`;

describe('a case stopped in its setup', () => {
  it('is NOT-ASSESSED, blocked at the reply its precondition waited for, with that FAIL and the traffic', async () => {
    const [r] = await runScenarioText(blockedAt('  - send: { client: alice, message: JOIN_ROOM, data: { room_id: 987654 } }\n  - expect: { client: alice, reply: true, match: { success: true } }\n'), server.urls.assaTcp as string);
    expect(r?.verdict).toBe('NOT-ASSESSED');
    expect(r?.blockedBy).toMatchObject({
      path: 'setup[2].expect', line: 9, label: 'reply to JOIN_ROOM',
      finding: { verdict: 'FAIL', code: 'CC_CHECK_MISMATCH', source: { kind: 'seed' }, message: 'JOIN_ROOM_RESPONSE to alice: /success expected true, got false' },
    });
    expect(r?.decidedBy).toBe(r?.blockedBy?.finding);
    expect(r && effectiveVerdict(r)).toBe('FAIL');
    expect(r?.traffic?.connections).toBe(1);
    // CONNECT and JOIN_ROOM out, their two replies in; nothing of the case's subject was sent.
    expect(r?.transcript.filter((t) => t.event === undefined).map((t) => `${t.direction} ${t.message}`)).toEqual(['out CONNECT', 'in CONNECT_RESPONSE', 'out JOIN_ROOM', 'in JOIN_ROOM_RESPONSE']);
    const bytes = (direction: string) => (r?.transcript ?? []).filter((t) => t.direction === direction && t.event === undefined).reduce((n, t) => n + t.bytes, 0);
    expect(r?.traffic).toEqual({ connections: 1, bytesIn: bytes('in'), bytesOut: bytes('out') });
  });

  it('is NOT-ASSESSED blocked by an ERROR when its setup cannot run as written (exit 2)', async () => {
    const [r] = await runScenarioText(blockedAt('  - capture: { size: "${alice.missing}" }\n'), server.urls.assaTcp as string);
    expect(r?.verdict).toBe('NOT-ASSESSED');
    expect(r?.blockedBy).toMatchObject({ path: 'setup[1].capture', label: 'capture', finding: { verdict: 'ERROR', code: 'CC_CASE_TEMPLATE' } });
    expect(r && effectiveVerdict(r)).toBe('ERROR');
  });

  it('is NOT-ASSESSED blocked by the case deadline at the setup step it stopped', async () => {
    const [r] = await runScenarioText(blockedAt('  - wait: 5s\n', 'timeout: 300ms\n'), server.urls.assaTcp as string);
    expect(r?.verdict).toBe('NOT-ASSESSED');
    expect(r?.blockedBy).toMatchObject({ path: 'setup[1].wait', line: 9, label: 'wait', finding: { verdict: 'ERROR', code: 'CC_CASE_TIMEOUT' } });
  });

  it('runs its subject once the setup holds, and a broken subject is a FAIL of its own rule', async () => {
    const [r] = await runScenarioText(blockedAt('  - send: { client: alice, message: CREATE_ROOM, data: { name: "r ${uid()}" } }\n  - expect: { client: alice, reply: true, match: { success: true } }\n').replace('room_id: 1,', 'room_id: 987654,'), server.urls.assaTcp as string);
    expect(r?.verdict).toBe('FAIL');
    expect(r?.blockedBy).toBeUndefined();
    expect(r?.decidedBy?.step?.path).toBe('steps[1].expect');
  });
});
