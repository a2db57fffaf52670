import { describe, expect, it } from 'vitest';
import { readPath } from '../util/dotted-path.js';
import { checkMatcher, match } from './match.js';

const msg = {
  action: 'NEW_MESSAGE',
  data: { room_id: 100, content: '안녕', participants: [{ user_id: 1 }, { user_id: 2 }], note: null },
  seq_id: 'srv-1',
};

describe('matching a message', () => {
  it('accepts a partial object whose values are equal', () => {
    expect(match({ action: 'NEW_MESSAGE', data: { room_id: 100 } }, msg)).toBeUndefined();
  });

  it('names the pointer, expected and actual of a wrong value', () => {
    expect(match({ data: { room_id: 101 } }, msg)).toEqual({ pointer: '/data/room_id', expected: 101, actual: 100, reason: 'expected 101, got 100' });
  });

  it('does not equate a string with a number', () => {
    expect(match({ data: { room_id: '100' } }, msg)?.reason).toBe('expected "100", got 100');
  });

  it('reports a missing field', () => {
    expect(match({ data: { message_id: 1 } }, msg)).toEqual({ pointer: '/data/message_id', expected: 1, actual: undefined, reason: 'is missing' });
  });

  it('matches arrays element by element with the same length', () => {
    expect(match({ data: { participants: [{ user_id: 1 }, { user_id: 2 }] } }, msg)).toBeUndefined();
    expect(match({ data: { participants: [{ user_id: 1 }] } }, msg)?.reason).toBe('expected 1 elements, got 2');
    expect(match({ data: { participants: [{}, { user_id: 3 }] } }, msg)?.pointer).toBe('/data/participants/1/user_id');
  });

  it('applies $regex, $type and $length (code points)', () => {
    expect(match({ seq_id: { $regex: '^srv-\\d+$' } }, msg)).toBeUndefined();
    expect(match({ seq_id: { $regex: '^x' } }, msg)?.reason).toBe('expected a string matching /^x/, got "srv-1"');
    expect(match({ data: { room_id: { $type: 'integer' } } }, msg)).toBeUndefined();
    expect(match({ data: { room_id: { $type: 'string' } } }, msg)?.reason).toBe('expected string, got integer 100');
    expect(match({ data: { content: { $length: 2 } } }, msg)).toBeUndefined();
    expect(match({ data: { participants: { $length: { $gte: 3 } } } }, msg)?.reason).toBe('length: expected gte 3, got 2');
  });

  it('applies $absent and $present', () => {
    expect(match({ error_code: { $absent: true } }, msg)).toBeUndefined();
    expect(match({ seq_id: { $absent: true } }, msg)).toEqual({ pointer: '/seq_id', expected: { $absent: true }, actual: 'srv-1', reason: 'expected no field, got "srv-1"' });
    expect(match({ data: { note: { $present: true } } }, msg)).toBeUndefined();
    expect(match({ session_id: { $present: true } }, msg)?.reason).toBe('is missing');
  });

  it('applies numeric ranges', () => {
    expect(match({ data: { room_id: { $gte: 100, $lt: 200 } } }, msg)).toBeUndefined();
    expect(match({ data: { room_id: { $gt: 100 } } }, msg)?.reason).toBe('expected gt 100, got 100');
    expect(match({ data: { content: { $lte: 1 } } }, msg)?.reason).toBe('expected a number, got string');
  });

  it('applies $in, $ne, $eq, $contains and $not', () => {
    expect(match({ action: { $in: ['NEW_MESSAGE', 'X'] } }, msg)).toBeUndefined();
    expect(match({ action: { $ne: 'NEW_MESSAGE' } }, msg)?.pointer).toBe('/action');
    expect(match({ data: { participants: { $eq: [{ user_id: 1 }, { user_id: 2 }] } } }, msg)).toBeUndefined();
    expect(match({ data: { participants: { $contains: { user_id: 2 } } } }, msg)).toBeUndefined();
    expect(match({ data: { participants: { $contains: { user_id: 9 } } } }, msg)?.reason).toBe('no element matches {"user_id":9}');
    expect(match({ action: { $not: { $regex: '^ERR' } } }, msg)).toBeUndefined();
  });

  it('checks matchers on load and names the bad operator', () => {
    expect(checkMatcher({ data: { a: { $regx: 'x' } } })).toEqual({ path: ['data', 'a', '$regx'], message: expect.stringMatching(/^unknown operator \$regx; known: /) });
    expect(checkMatcher({ a: { $regex: '(' } })?.message).toMatch(/^bad regular expression/);
    expect(checkMatcher({ a: { $type: 'float' } })?.message).toBe('$type must be one of string, number, integer, int32, boolean, object, array, null');
    expect(checkMatcher({ a: { $gt: 1, b: 2 } })?.message).toBe('operators ($gt) cannot be mixed with field names (b) in one object');
    expect(checkMatcher({ a: [{ $absent: true }], b: { $length: { $gte: 1 } } })).toBeUndefined();
  });

  it('reads dotted paths with indexes', () => {
    expect(readPath(msg, 'data.participants[1].user_id')).toEqual({ found: true, value: 2 });
    expect(readPath(msg, 'data.nope')).toEqual({ found: false, value: undefined });
  });
});
