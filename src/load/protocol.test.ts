import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import { LoadProtocol } from './protocol.js';
import { readLoadScenario } from './scenario.js';

const root = join(import.meta.dirname, '..', '..');
const planOf = (name: string) => readLoadScenario(join(root, 'scenarios', 'load', name)).plan;

describe('LoadProtocol: what the engine reads from the profile', () => {
  it('takes the error code where the profile says, and without a path from error_code, else code', () => {
    const assa = new LoadProtocol(loadProfile('assa'), planOf('assa-chat.yaml'));
    expect(assa.errorCode({ action: 'ERROR', error_code: 'ROOM_FULL' })).toBe('ROOM_FULL');
    expect(assa.errorCode({ action: 'ERROR' })).toBe('UNKNOWN');
    const openirc = new LoadProtocol(loadProfile('openirc'), planOf('openirc-chat.yaml'));
    expect(openirc.errorCode({ kind: 'error', list: [{ kind: 'invalid_type' }] })).toBe('invalid_type');
    const bare: Profile = { ...loadProfile('assa'), errorCodePath: undefined };
    const own = new LoadProtocol(bare, planOf('assa-chat.yaml'));
    expect(own.errorCode({ error_code: 'A', code: 'B' })).toBe('A');
    expect(own.errorCode({ error_code: null, code: 'B' })).toBe('B');
  });

  it('knows the too-long refusal from the profile (ASSA: MESSAGE_TOO_LONG); a profile naming none takes any refusal', () => {
    const assa = new LoadProtocol(loadProfile('assa'), planOf('assa-limits.yaml'));
    expect(assa.tooLong).toBe('MESSAGE_TOO_LONG');
    expect([assa.refusesTooLong('MESSAGE_TOO_LONG'), assa.refusesTooLong('ROOM_FULL')]).toEqual([true, false]);
    const silent: Profile = { ...loadProfile('assa'), load: { senderCopy: 'allowed' } };
    expect(new LoadProtocol(silent, planOf('assa-limits.yaml')).refusesTooLong('ANYTHING')).toBe(true);
  });

  it("takes the sender's own copy from the profile, the scenario's delivery.echo over it", () => {
    // Envelope's own copy is a choice (envelope.D3.messages): allowed, so never awaited as a reply.
    const envelope = new LoadProtocol(loadProfile('envelope'), planOf('envelope-chat.yaml'));
    expect([envelope.senderCopy, envelope.sendExpectsReply, envelope.echoIsReply]).toEqual(['allowed', false, false]);
    const assa = new LoadProtocol(loadProfile('assa'), planOf('assa-chat.yaml'));
    expect([assa.senderCopy, assa.sendExpectsReply, assa.echoIsReply]).toEqual(['allowed', true, false]);
    // A scenario that knows its server echoes says so: the copy is expected, and is the send's reply.
    const plan = planOf('envelope-chat.yaml');
    const echoed = new LoadProtocol(loadProfile('envelope'), { ...plan, delivery: { ...plan.delivery, echo: true } });
    expect([echoed.senderCopy, echoed.echoIsReply]).toEqual(['expected', true]);
  });

  it("confirms a join the protocol does not answer with the profile's barrier, and only such a join", () => {
    expect(new LoadProtocol(loadProfile('envelope'), planOf('envelope-chat.yaml')).joinBarrier).toEqual({ send: { type: 'sync.barrier', data: {} }, code: 'unknown_type' });
    // JOIN_ROOM and join are answered: their replies confirm them.
    expect(new LoadProtocol(loadProfile('assa'), planOf('assa-chat.yaml')).joinBarrier).toBeUndefined();
    expect(new LoadProtocol(loadProfile('openirc'), planOf('openirc-chat.yaml')).joinBarrier).toBeUndefined();
  });
});
