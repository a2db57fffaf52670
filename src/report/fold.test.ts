import { describe, expect, it } from 'vitest';
import { compactIds, foldKey, setAsideNames } from './fold.js';
import type { Finding } from './model.js';

const f = (message: string, extra: Partial<Finding> = {}): Finding => ({ verdict: 'FAIL', code: 'CC_CHECK_MISMATCH', message, ...extra });

describe('folding repeated findings', () => {
  it('sets aside the case id (as a whole word), uid() names and UUIDs, and nothing else', () => {
    expect(setAsideNames('room room-mf3k9x2ab1-12-3 of assa.rooms.join: 10s', 'assa.rooms.join')).toBe('room room-<id> of <case>: 10s');
    expect(setAsideNames('assa.rooms.join-2 is another case', 'assa.rooms.join')).toBe('assa.rooms.join-2 is another case');
    expect(setAsideNames('user 0b7c1a52-8d9e-4f10-9a3b-5c6d7e8f9a0b left', 'x')).toBe('user <id> left');
    expect(setAsideNames('cannot connect: a refused', 'a')).toBe('cannot connect: <case> refused');
    expect(setAsideNames('seq_id 12345678 and limit 5000', 'x')).toBe('seq_id 12345678 and limit 5000');
  });

  it('gives findings that differ only in those names one key, and any other difference another', () => {
    const a = foldKey(f('JOIN_ROOM room-mf3k9x2ab1-0-1: expected ROOM_NOT_FOUND'), 'assa.rooms.missing-01');
    expect(foldKey(f('JOIN_ROOM room-mf3k9x2ab1-7-1: expected ROOM_NOT_FOUND'), 'assa.rooms.missing-08')).toBe(a);
    expect(foldKey(f('JOIN_ROOM room-mf3k9x2ab1-0-1: expected ROOM_FULL'), 'assa.rooms.missing-01')).not.toBe(a);
    expect(foldKey(f('JOIN_ROOM room-mf3k9x2ab1-0-1: expected ROOM_NOT_FOUND', { code: 'CC_CHECK_TIMEOUT' }), 'x')).not.toBe(a);
    expect(foldKey(f('JOIN_ROOM room-mf3k9x2ab1-0-1: expected ROOM_NOT_FOUND', { verdict: 'NON-STRICT' }), 'x')).not.toBe(a);
    expect(foldKey(f('JOIN_ROOM room-mf3k9x2ab1-0-1: expected ROOM_NOT_FOUND', { source: { kind: 'reading', rule: 'assa.D12.closed-rooms' } }), 'x')).not.toBe(a);
  });

  it('lists case ids compactly by their common prefix, and says how many more', () => {
    expect(compactIds(['assa.send.a', 'assa.send.b', 'assa.rooms.join', 'solo', 'assa.send.c'])).toBe('assa.send.{a, b, c}, assa.rooms.join, solo');
    expect(compactIds(Array.from({ length: 40 }, (_, i) => `assa.rooms.missing-${i + 1}`), 3)).toBe('assa.rooms.{missing-1, missing-2, missing-3} and 37 more');
  });
});
