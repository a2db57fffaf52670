import { decode, encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import type { Profile } from '../profile/types.js';
import { applyByteFill, composeMessage, CorrelationIds } from './compose.js';
import { serialisedSize } from './generators.js';
import { ByteFill } from './template.js';

const assa = {
  namingField: 'action',
  correlation: { requestField: 'seq_id', replyField: 'seq_id', generator: 'string' },
  autofill: { timestamp: 'now-iso', seq_id: 'correlation-id' },
} as unknown as Profile;

const openirc = {
  namingField: 'kind',
  correlation: { requestField: 'rid', replyField: 'rid', generator: 'int32' },
  autofill: {},
} as unknown as Profile;

describe('composing messages', () => {
  it('sets the name, data, autofilled envelope fields and returns the correlation value', () => {
    const { message, correlation } = composeMessage(assa, 'JOIN_ROOM', { data: { room_id: 1 } }, new CorrelationIds('string', 'run-alice'), true);
    expect(message).toEqual({ action: 'JOIN_ROOM', data: { room_id: 1 }, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), seq_id: 'run-alice-1' });
    expect(correlation).toBe('run-alice-1');
  });

  it('keeps fields the scenario gives, and cannot be renamed through fields', () => {
    const { message, correlation } = composeMessage(assa, 'PONG', { fields: { seq_id: 'ping-7', action: 'OTHER' } }, new CorrelationIds('string', 'x'), true);
    expect(message.action).toBe('PONG');
    expect(message.seq_id).toBe('ping-7');
    expect(correlation).toBe('ping-7');
  });

  it('adds the correlation field even when the profile does not autofill it (OpenIRC rid)', () => {
    const ids = new CorrelationIds('int32', 'x');
    expect(composeMessage(openirc, 'join', { fields: { target: {} } }, ids, true).message).toEqual({ kind: 'join', target: {}, rid: 0 });
    expect(composeMessage(openirc, 'join', {}, ids, true).correlation).toBe(1);
  });

  it('sends exactly what was written without autofill', () => {
    expect(composeMessage(assa, 'PING', {}, new CorrelationIds('string', 'x'), false)).toEqual({ message: { action: 'PING' }, correlation: undefined });
  });

  it('wraps the int32 counter after 2147483647', () => {
    const ids = new CorrelationIds('int32', 'x');
    (ids as unknown as { counter: number }).counter = 2147483647;
    expect([ids.next(), ids.next()]).toEqual([2147483647, 0]);
  });
});

describe('padding a message to an exact size', () => {
  it.each([1000, 1048576, 1048577])('makes a JSON message exactly %i bytes', (size) => {
    const message: Record<string, unknown> = { action: 'SEND_MESSAGE', data: { room_id: 1, content: new ByteFill(size) }, seq_id: 'a-1' };
    expect(applyByteFill(message, 'json')).toBeUndefined();
    expect(Buffer.byteLength(JSON.stringify(message))).toBe(size);
  });

  it.each([40, 300, 70000])('makes a MessagePack message exactly %i bytes across string header sizes', (size) => {
    const message: Record<string, unknown> = { kind: 'message', rid: 1, content: new ByteFill(size) };
    expect(applyByteFill(message, 'msgpack')).toBeUndefined();
    expect(serialisedSize(message, 'msgpack')).toBe(size);
    expect((decode(encode(message)) as { content: string }).content).toMatch(/^x*$/);
  });

  it('says so when the message is already larger than the size', () => {
    const message: Record<string, unknown> = { action: 'SEND_MESSAGE', content: new ByteFill(5) };
    expect(applyByteFill(message, 'json')).toBe('the message is already larger than 5 bytes without padding');
  });
});
