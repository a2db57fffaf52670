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
    const envelope = new LoadProtocol(loadProfile('envelope'), planOf('envelope-chat.yaml'));
    expect([envelope.senderCopy, envelope.sendExpectsReply, envelope.echoIsReply]).toEqual(['expected', false, true]);
    const assa = new LoadProtocol(loadProfile('assa'), planOf('assa-chat.yaml'));
    expect([assa.senderCopy, assa.sendExpectsReply, assa.echoIsReply]).toEqual(['allowed', true, false]);
    const plan = planOf('envelope-chat.yaml');
    expect(new LoadProtocol(loadProfile('envelope'), { ...plan, delivery: { ...plan.delivery, echo: false } }).senderCopy).toBe('allowed');
  });
});
