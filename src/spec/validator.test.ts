import { describe, expect, it } from 'vitest';
import { CcError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { getValidator } from '../profile/validator.js';
import { createValidator, outcomeSources, worstSource, type ValidationOutcome } from './validator.js';

const assa = () => getValidator(loadProfile('assa'));
const ts = '2024-01-01T12:00:00.000Z';
const send = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  action: 'SEND_MESSAGE',
  data: { room_id: 100, content: 'hi', message_type: 'text', ...data },
  timestamp: ts,
  seq_id: 's1',
  ...extra,
});

describe('getValidator', () => {
  it('is built once per profile and shared', () => {
    expect(getValidator(loadProfile('assa'))).toBe(getValidator(loadProfile('assa')));
  });

  it('returns the same outcome object for every valid message (no allocation on the valid path)', () => {
    const v = assa();
    const first = v.validate('client', send({}));
    expect(first).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validate('client', send({ content: 'other' }))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('tells a value that is not an object apart', () => {
    const v = assa();
    expect(v.validate('client', 'SEND_MESSAGE')).toEqual({ kind: 'not-object', actual: 'string "SEND_MESSAGE"' });
    expect(v.validate('client', [send({})])).toEqual({ kind: 'not-object', actual: 'array' });
    expect(v.validate('client', null)).toEqual({ kind: 'not-object', actual: 'null' });
  });

  it('tells an object without its naming field apart', () => {
    const v = assa();
    expect(v.validate('client', { data: {} })).toEqual({ kind: 'no-name', field: 'action', actual: 'missing' });
    expect(v.validate('client', { action: 7 })).toEqual({ kind: 'no-name', field: 'action', actual: 'integer 7' });
  });

  it('reports a name that matches no message as "matches none", naming the direction that has it', () => {
    const v = assa();
    expect(v.validate('client', { action: 'SEND_MESAGE' })).toEqual({ kind: 'unknown-name', field: 'action', name: 'SEND_MESAGE', direction: 'client', otherDirections: [], source: 'seed' });
    expect(v.validate('server', { action: 'PONG', timestamp: ts, seq_id: 'p' })).toEqual({ kind: 'unknown-name', field: 'action', name: 'PONG', direction: 'server', otherDirections: ['client'], source: 'reading' });
  });

  it('reports fields the spec does not define as extras, apart from violations', () => {
    const v = assa();
    expect(v.validate('client', send({ colour: 'red' }, { trace: 1 }))).toMatchObject({ kind: 'valid', extras: ['/data/colour', '/trace'] });
    const both = v.validate('client', send({ room_id: 'x', colour: 'red' }));
    expect(both).toMatchObject({ kind: 'invalid', extras: ['/data/colour'] });
    if (both.kind === 'invalid') expect(both.errors).toEqual([{ pointer: '/data/room_id', keyword: 'type', message: 'must be integer', expected: 'integer', actual: 'string "x"', source: 'seed', rule: 'seed' }]);
  });

  it('validates SDP by direction: target_user_id from the client, sender_user_id from the server', () => {
    const v = assa();
    const data = { video_room_id: 200, sdp_type: 'offer', sdp_data: 'v=0' };
    expect(v.directionsOf('SDP')).toEqual(['client', 'server']);
    expect(v.validate('client', { action: 'SDP', data: { ...data, target_user_id: 456 }, timestamp: ts, seq_id: 'a' })).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validate('server', { action: 'SDP', data: { ...data, sender_user_id: 123 }, timestamp: ts, seq_id: 'b' })).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validate('server', { action: 'SDP', data: { ...data, target_user_id: 456 }, timestamp: ts, seq_id: 'c' })).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/data/sender_user_id', keyword: 'required' }],
      extras: ['/data/target_user_id'],
    });
  });

  it('checks the success and failure forms of a reply', () => {
    const v = assa();
    const base = { action: 'JOIN_ROOM_RESPONSE', timestamp: ts, seq_id: 'j' };
    expect(v.validate('server', { ...base, success: false, error_code: 'ROOM_FULL', message: 'full' })).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validate('server', { ...base, success: false })).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/error_code', keyword: 'required' }, { pointer: '/message', keyword: 'required' }],
    });
    expect(v.validate('server', { ...base, success: true })).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/data', keyword: 'required' }] });
    expect(v.validate('server', { ...base, success: false, error_code: 'NO_SUCH_CODE', message: 'x' })).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/error_code', keyword: 'enum', actual: 'string "NO_SUCH_CODE"' }],
    });
  });

  it('counts text length in code points: 5,000 emoji pass, 5,001 fail at /data/content', () => {
    const v = assa();
    expect(v.validate('client', send({ content: '😀'.repeat(5000) }))).toMatchObject({ kind: 'valid' });
    expect(v.validate('client', send({ content: '가'.repeat(5001) }))).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/data/content', keyword: 'maxLength', expected: 'at most 5000 characters' }],
    });
  });

  it('checks timestamps as ISO 8601 date-times', () => {
    expect(assa().validate('client', send({}, { timestamp: 'yesterday' }))).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/timestamp', keyword: 'format', expected: 'format date-time', actual: 'string "yesterday"' }],
    });
  });

  it('never picks an explicit-only message from the wire, and checks it when named', () => {
    const v = getValidator(loadProfile('openirc'));
    expect(v.validate('server', { connections: [], ws: 'ws://127.0.0.1/x' })).toEqual({ kind: 'no-name', field: 'kind', actual: 'missing' });
    expect(v.validateAs('server', 'login.reply', { connections: [], ws: 'ws://127.0.0.1/x' })).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validateAs('server', 'login.reply', { connections: [] })).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/ws', keyword: 'required' }] });
  });

  it('requires given_rid on a reply with rid -1', () => {
    const v = getValidator(loadProfile('openirc'));
    const list = [{ kind: 'invalid_type', context: 'rid', given_type: 'string', required_type: 'int32' }];
    expect(v.validate('server', { rid: -1, kind: 'error', list })).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/given_rid', keyword: 'required' }] });
    expect(v.validate('server', { rid: -1, given_rid: 'x', kind: 'error', list })).toMatchObject({ kind: 'valid', extras: [] });
  });

  it('refuses to validate as a message the profile does not have', () => {
    try {
      assa().validateAs('server', 'NOPE', {});
      throw new Error('expected an error');
    } catch (err) {
      expect((err as CcError).code).toBe('CC_ERR_UNKNOWN_MESSAGE');
      expect((err as CcError).message).toBe('profile assa has no server message named NOPE');
    }
  });
});

/** pointer, keyword, source and rule of each error: what decides a verdict. */
function sources(outcome: ValidationOutcome): [string, string, string, string][] {
  if (outcome.kind !== 'invalid') throw new Error(`expected invalid, got ${outcome.kind}`);
  return outcome.errors.map((e) => [e.pointer, e.keyword, e.source, e.rule]);
}

describe('the source of each error', () => {
  const server = (name: string, value: Record<string, unknown>) => getValidator(loadProfile(name)).validate('server', value);
  const sendReply = (data: Record<string, unknown>) => ({
    action: 'SEND_MESSAGE_RESPONSE',
    success: true,
    message: 'sent',
    data: { message_id: 1001, room_id: 100, content: 'hi', message_type: 'text', created_at: ts, ...data },
    timestamp: ts,
    seq_id: 's1',
  });
  const error = (fields: Record<string, unknown>) => ({ action: 'ERROR', success: false, message: 'bad', error_code: 'INVALID_MESSAGE_TYPE', timestamp: ts, seq_id: 'e', ...fields });
  const connectReply = (data: Record<string, unknown>) => ({
    action: 'CONNECT_RESPONSE',
    success: true,
    data: { user_id: 123, session_id: 'session', server_time: ts, reconnection_info: { existing_rooms: [1], unread_messages: 0 }, ...data },
    timestamp: ts,
    seq_id: 'c',
  });

  it('is lenient for null in a field the schema does not require (an echo of an optional request field)', () => {
    expect(sources(server('assa', sendReply({ client_message_id: null })))).toEqual([['/data/client_message_id', 'type', 'lenient', 'optional-null']]);
    expect(sources(server('assa', error({ data: { original_action: null, error_details: 'not JSON' } })))).toEqual([['/data/original_action', 'type', 'lenient', 'optional-null']]);
  });

  it('is the seed for a wrong type in a field the seed shows, and for null in a field it requires', () => {
    expect(sources(server('assa', sendReply({ content: 42 })))).toEqual([['/data/content', 'type', 'seed', 'seed']]);
    expect(sources(server('assa', connectReply({ user_id: '123' })))).toEqual([['/data/user_id', 'type', 'seed', 'seed']]);
    expect(sources(server('assa', { action: 'JOIN_ROOM_RESPONSE', success: null, timestamp: ts, seq_id: 'j' }))).toEqual([['/success', 'type', 'seed', 'seed']]);
    // Array items are not optional fields: a null among the room ids is wrong.
    expect(sources(server('assa', connectReply({ reconnection_info: { existing_rooms: [null], unread_messages: 0 } })))).toEqual([['/data/reconnection_info/existing_rooms/0', 'type', 'seed', 'seed']]);
    expect(sources(server('envelope', { type: 'user.joined', data: { user_id: 5, username: 'ann' } }))).toEqual([['/data/user_id', 'type', 'seed', 'seed']]);
  });

  it('is lenient for a code outside a list the seed gives as examples', () => {
    expect(sources(server('assa', error({ error_code: 'INVALID_JSON' })))).toEqual([['/error_code', 'enum', 'lenient', 'open-enum']]);
    expect(sources(server('envelope', { type: 'error', code: 'invalid_json', message: 'not JSON' }))).toEqual([['/code', 'enum', 'lenient', 'open-enum']]);
    // Open as to its values, not its type.
    expect(sources(server('assa', error({ error_code: 7 })))).toEqual([['/error_code', 'type', 'seed', 'seed'], ['/error_code', 'enum', 'lenient', 'open-enum']]);
  });

  it('is the class and id of the nearest x-decision, through references too', () => {
    const failure = { action: 'JOIN_ROOM_RESPONSE', success: false, timestamp: ts, seq_id: 'j' };
    // The seed's failure examples (§3.1, §9.1) show error_code and message: a failure without them breaks the seed.
    expect(sources(server('assa', failure))).toEqual([
      ['/error_code', 'required', 'seed', 'seed'],
      ['/message', 'required', 'seed', 'seed'],
    ]);
    expect(sources(server('assa', { ...failure, error_code: null, message: 'no' }))).toEqual([
      ['/error_code', 'type', 'seed', 'seed'],
      ['/error_code', 'enum', 'seed', 'seed'],
    ]);
    // A null where only a decision requires the field is judged by that decision.
    expect(sources(server('assa', { action: 'MEDIA_STATUS_RESPONSE', success: true, data: { video_room_id: 1, audio_enabled: null, video_enabled: true }, timestamp: ts, seq_id: 'm' }))).toEqual([
      ['/data/audio_enabled', 'type', 'choice', 'assa.D7.replies'],
    ]);
    const newMessage = { action: 'NEW_MESSAGE', data: { message_id: 1, room_id: 100, content: 'x', message_type: 'video', user: { user_id: 1, nickname: 'n' }, created_at: ts }, timestamp: ts, seq_id: 'n' };
    expect(sources(server('assa', newMessage))).toEqual([['/data/message_type', 'enum', 'reading', 'assa.D4.image']]);
    // The seed shows no MEDIA_STATUS_RESPONSE: its data is assa.D7.replies, though the request's shape is the seed's; a nearer decision wins.
    const media = { video_room_id: 0, audio_enabled: 'yes' };
    expect(sources(server('assa', { action: 'MEDIA_STATUS_RESPONSE', success: true, data: media, timestamp: ts, seq_id: 'm' }))).toEqual([
      ['/data/video_enabled', 'required', 'choice', 'assa.D7.replies'],
      ['/data/audio_enabled', 'type', 'choice', 'assa.D7.replies'],
      ['/data/video_room_id', 'minimum', 'choice', 'assa.D12.rooms'],
    ]);
    expect(sources(getValidator(loadProfile('assa')).validate('client', { action: 'MEDIA_STATUS', data: media, timestamp: ts, seq_id: 'm' }))).toEqual([
      ['/data/video_enabled', 'required', 'seed', 'seed'],
      ['/data/audio_enabled', 'type', 'seed', 'seed'],
      ['/data/video_room_id', 'minimum', 'choice', 'assa.D12.rooms'],
    ]);
    expect(sources(server('openirc', { rid: 3, kind: 'error', list: [{ kind: 'invalid_type', context: 'rid', given_type: 'float64', required_type: 'int32' }] }))).toEqual([
      ['/list/0/given_type', 'enum', 'choice', 'openirc.D3.given-type'],
    ]);
    expect(sources(server('openirc', { rid: 3, kind: 'error', list: [] }))).toEqual([['/list', 'minItems', 'reading', 'openirc.D4.context']]);
    // user.joined is shown by the lesson, user.left only named: the same field, two sources.
    expect(sources(server('envelope', { type: 'user.left', data: { user_id: 5, username: 'ann' } }))).toEqual([['/data/user_id', 'type', 'choice', 'envelope.D3.messages']]);
    expect(sources(server('envelope', { type: 'chat.message', data: { room: 'general', text: 'hi', ts: 'noon' } }))).toEqual([['/data/ts', 'format', 'seed', 'seed']]);
    expect(sources(server('envelope', { type: 'chat.message', data: { room: 'general', text: 'hi', ts, user_id: 5 } }))).toEqual([['/data/user_id', 'type', 'choice', 'envelope.D3.messages']]);
  });

  it('gives a server message the spec does not define a reading, or a choice where server messages are open', () => {
    expect(server('assa', { action: 'TYPING', timestamp: ts, seq_id: 't' })).toEqual({ kind: 'unknown-name', field: 'action', name: 'TYPING', direction: 'server', otherDirections: [], source: 'reading' });
    expect(server('openirc', { kind: 'join', target: { connid: 0, kind: 'channel', name: '#a' }, from: { nickname: 'bob' } })).toEqual({
      kind: 'unknown-name', field: 'kind', name: 'join', direction: 'server', otherDirections: ['client'], source: 'choice',
    });
  });

  it('says every source an outcome deviates by, strongest first, and the worst of them', () => {
    const v = assa();
    const clean = v.validate('client', send({}));
    expect([outcomeSources(clean), worstSource(clean)]).toEqual([[], undefined]);
    const extra = v.validate('client', send({ colour: 'red' }));
    expect([outcomeSources(extra), worstSource(extra)]).toEqual([['lenient'], 'lenient']);
    const mixed = server('assa', { ...sendReply({ client_message_id: null, room_id: 0 }), trace: 1 });
    expect([outcomeSources(mixed), worstSource(mixed)]).toEqual([['lenient', 'choice'], 'lenient']);
    const broken = server('assa', sendReply({ content: 42, client_message_id: null }));
    expect([outcomeSources(broken), worstSource(broken)]).toEqual([['seed', 'lenient'], 'seed']);
    expect(worstSource(server('assa', { action: 'TYPING' }))).toBe('reading');
    expect(worstSource(v.validate('client', [1]))).toBe('seed');
    expect(worstSource(v.validate('client', { data: {} }))).toBe('seed');
  });
});

describe('createValidator', () => {
  const schema = {
    type: 'object',
    properties: { t: { const: 'x' }, n: { type: 'integer', 'x-decision': 'my.D1.n' }, m: { type: 'integer', 'x-decision': 'my.D9.gone' } },
  };
  const message = { id: 'server.x', name: 'x', direction: 'server' as const, key: 'X', schemaFile: 'generated/server/x.json' };

  it('takes messages with their schemas and the classes of the decisions they cite, no profile', () => {
    const v = createValidator({ name: 'mine', namingField: 't', messages: [{ message, schema }], decisions: [{ id: 'my.D1.n', class: 'choice' }], serverMessages: 'open' });
    expect(v.name).toBe('mine');
    expect(sources(v.validate('server', { t: 'x', n: 'one' }))).toEqual([['/n', 'type', 'choice', 'my.D1.n']]);
    // A decision it was not told of is still ours, never the seed's.
    expect(sources(v.validate('server', { t: 'x', m: 'one' }))).toEqual([['/m', 'type', 'reading', 'my.D9.gone']]);
    expect(v.validate('server', { t: 'y' })).toMatchObject({ kind: 'unknown-name', source: 'choice' });
  });
});
