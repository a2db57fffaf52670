import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { getValidator } from '../profile/validator.js';
import { MAX_KINDS } from '../report/load-figures.js';
import { classOf, sampleText, ViolationLog } from './violations.js';

const validator = getValidator(loadProfile('assa'));
const reply = (messageId: unknown, extra: Record<string, unknown> = {}) => ({
  action: 'SEND_MESSAGE_RESPONSE', success: true, message: 'sent', timestamp: '2026-11-22T04:00:00.000Z', seq_id: 'c1-7',
  data: { message_id: messageId, room_id: 3, content: 'hi', message_type: 'text', created_at: '2026-11-22T04:00:00.000Z', ...extra },
});

describe('the class of a violation follows the source of its rule', () => {
  it("is the strongest verdict run gives a rule of that source: seed FAIL, reading and lenient NON-STRICT, choice INFORMATIONAL", () => {
    expect([classOf('seed'), classOf('reading'), classOf('lenient'), classOf('choice')]).toEqual(['FAIL', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
  });

  it('makes a reading and a choice FAIL when the profile enforces its decisions; lenient stays NON-STRICT', () => {
    expect([classOf('seed', 'enforce'), classOf('reading', 'enforce'), classOf('lenient', 'enforce'), classOf('choice', 'enforce')]).toEqual(['FAIL', 'FAIL', 'NON-STRICT', 'FAIL']);
  });
});

describe('ViolationLog', () => {
  it('keeps, per (message, pointer), the count and the first message as evidence', () => {
    const log = new ViolationLog();
    const first = reply('12');
    expect(log.record(validator.validate('server', first), first)).toEqual({ fail: true, nonStrict: false, informational: false });
    log.record(validator.validate('server', reply('13')), reply('13'));
    log.record(validator.validate('server', reply('14')), reply('14'));
    expect(log.list()).toEqual([{
      class: 'FAIL', source: 'seed', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/message_id', count: 3,
      expected: 'integer', actual: 'string "12"', sample: { text: JSON.stringify(first), truncated: false },
    }]);
  });

  it('lists a field the spec does not define apart, as NON-STRICT (lenient): not a schema.violations', () => {
    const log = new ViolationLog();
    const value = reply(12, { mood: 'cheerful' });
    const outcome = validator.validate('server', value);
    expect(outcome.kind).toBe('valid');
    expect(log.record(outcome, value)).toEqual({ fail: false, nonStrict: true, informational: false });
    expect(log.list()).toMatchObject([{ class: 'NON-STRICT', source: 'lenient', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/mood', count: 1 }]);
  });

  it("classes each violation by the validator's source and keeps the decision it cites: a choice INFORMATIONAL, a reading NON-STRICT, a null in an optional field lenient", () => {
    const log = new ViolationLog();
    // message_id 0: positive ids are assa.D12.rooms (a choice); a video message: assa.D4.image (a reading).
    const value = reply(0, { message_type: 'video', file_info: null });
    const outcome = validator.validate('server', value);
    expect(log.record(outcome, value)).toEqual({ fail: false, nonStrict: true, informational: true });
    expect(log.list().map((v) => [v.class, v.source, v.rule, v.pointer])).toEqual([
      ['NON-STRICT', 'lenient', 'optional-null', '/data/file_info'],
      ['INFORMATIONAL', 'choice', 'assa.D12.rooms', '/data/message_id'],
      ['NON-STRICT', 'reading', 'assa.D4.image', '/data/message_type'],
    ]);
    // Under the profile's `decisionPolicy: enforce` the decisions are a contract: both FAIL, lenient does not.
    const enforced = new ViolationLog('enforce');
    expect(enforced.record(outcome, value)).toEqual({ fail: true, nonStrict: true, informational: false });
    expect(enforced.list().map((v) => v.class)).toEqual(['NON-STRICT', 'FAIL', 'FAIL']);
  });

  it('names what matches no message, and a value that is no object', () => {
    const log = new ViolationLog();
    log.record(validator.validate('server', { action: 'GOSSIP' }), { action: 'GOSSIP' });
    log.record(validator.validate('server', { action: 'CONNECT' }), { action: 'CONNECT' });
    log.record(validator.validate('server', [1]), [1]);
    expect(log.list().map((v) => [v.message, v.pointer, v.expected, v.actual])).toEqual([
      ['GOSSIP', '/action', 'a server message of the profile', '"GOSSIP"'],
      ['CONNECT', '/action', 'a server message of the profile', '"CONNECT" (a client message)'],
      ['(not an object)', '', 'a JSON object', 'array'],
    ]);
  });

  it(`stops listing new kinds after ${MAX_KINDS}, counting them instead`, () => {
    const log = new ViolationLog();
    for (let i = 0; i < MAX_KINDS + 5; i++) log.record(validator.validate('server', reply(12, { [`x${i}`]: 1 })), {});
    expect(log.list()).toHaveLength(MAX_KINDS);
    expect(log.omitted).toBe(5);
  });
});

describe('sampleText', () => {
  it('cuts the text to 500 bytes on a character boundary and says so', () => {
    const value = { content: '한'.repeat(400) };
    const s = sampleText(value);
    expect(s.truncated).toBe(true);
    expect(Buffer.byteLength(s.text)).toBeLessThanOrEqual(500);
    expect(Buffer.byteLength(s.text)).toBeGreaterThan(496);
    expect(JSON.stringify(value).startsWith(s.text)).toBe(true);
    expect(sampleText({ a: 1 })).toEqual({ text: '{"a":1}', truncated: false });
    expect(sampleText({ b: new Uint8Array(3), n: 10n })).toEqual({ text: '{"b":"<3 bytes>","n":"10"}', truncated: false });
  });
});
