import { describe, expect, it } from 'vitest';
import { CcError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { getValidator } from './validator.js';

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
    expect(v.validate('client', { action: 'SEND_MESAGE' })).toEqual({ kind: 'unknown-name', field: 'action', name: 'SEND_MESAGE', direction: 'client', otherDirections: [] });
    expect(v.validate('server', { action: 'PONG', timestamp: ts, seq_id: 'p' })).toEqual({ kind: 'unknown-name', field: 'action', name: 'PONG', direction: 'server', otherDirections: ['client'] });
  });

  it('reports fields the spec does not define as extras, apart from violations', () => {
    const v = assa();
    expect(v.validate('client', send({ colour: 'red' }, { trace: 1 }))).toMatchObject({ kind: 'valid', extras: ['/data/colour', '/trace'] });
    const both = v.validate('client', send({ room_id: 'x', colour: 'red' }));
    expect(both).toMatchObject({ kind: 'invalid', extras: ['/data/colour'] });
    if (both.kind === 'invalid') expect(both.errors).toEqual([{ pointer: '/data/room_id', keyword: 'type', message: 'must be integer', expected: 'integer', actual: 'string "x"' }]);
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
