import { describe, expect, it } from 'vitest';
import { ByteFill, compileString, compileTemplate, evaluate, TemplateError, TemplateEvalError, type TemplateContext } from './template.js';

function ctx(vars: Record<string, unknown> = {}, now = Date.UTC(2026, 0, 1, 12, 0, 0)): TemplateContext {
  let n = 0;
  return {
    lookup: (name) => vars[name],
    has: (name) => Object.hasOwn(vars, name),
    uid: (prefix) => `${prefix}${prefix ? '-' : ''}u${++n}`,
    now: () => now,
  };
}

const run = (value: unknown, vars: Record<string, unknown> = {}) => evaluate(compileTemplate(value), ctx(vars));

describe('templates', () => {
  it('keeps the type of a value when the string is exactly one expression', () => {
    expect(run('${room}', { room: 42 })).toBe(42);
    expect(run({ data: { room_id: '${room}' } }, { room: 42 })).toEqual({ data: { room_id: 42 } });
  });

  it('interpolates text around expressions and renders non-strings as JSON', () => {
    expect(run('room ${room} of ${user.name}', { room: 7, user: { name: 'Bo' } })).toBe('room 7 of Bo');
    expect(run('ids ${ids}', { ids: [1, 2] })).toBe('ids [1,2]');
  });

  it('reads nested paths with indexes', () => {
    expect(run('${r.participants[1].user_id}', { r: { participants: [{ user_id: 1 }, { user_id: 2 }] } })).toBe(2);
  });

  it('writes a literal ${ for $${', () => {
    expect(run('cost: $${x}')).toBe('cost: ${x}');
  });

  it('leaves strings without templates as literals and shares the original value', () => {
    const value = { a: 'plain', b: [1, 2] };
    const t = compileTemplate(value);
    expect(t).toEqual({ t: 'lit', value });
  });

  it('generates exact code point counts of each kind', () => {
    const hangul = run('${text(5001, hangul)}') as string;
    expect([...hangul].length).toBe(5001);
    expect(hangul.codePointAt(0)).toBe(0xac00);
    expect(Buffer.byteLength(hangul)).toBe(5001 * 3);
    const emoji = run('${text(3, emoji)}') as string;
    expect([...emoji]).toEqual(['😀', '😁', '😂']);
    expect(emoji.length).toBe(6);
    expect(run('${text(5)}')).toBe('abcde');
  });

  it('makes unique ids, with a prefix', () => {
    expect(run(['${uid()}', '${uid(room)}'])).toEqual(['u1', 'room-u2']);
  });

  it('shifts now by a signed duration, as ISO text or epoch milliseconds', () => {
    expect(run('${now()}')).toBe('2026-01-01T12:00:00.000Z');
    expect(run('${now(-5m)}')).toBe('2026-01-01T11:55:00.000Z');
    expect(run('${now(+30s)}')).toBe('2026-01-01T12:00:30.000Z');
    expect(run('${nowms(-1s)}')).toBe(Date.UTC(2026, 0, 1, 11, 59, 59));
  });

  it('returns a byte-fill marker for bytes(n)', () => {
    const v = run('${bytes(1048576)}');
    expect(v).toBeInstanceOf(ByteFill);
    expect((v as ByteFill).size).toBe(1048576);
  });

  it('rejects bytes(n) mixed into text', () => {
    expect(() => compileString('x${bytes(10)}')).toThrow(/whole value/);
  });

  it('reports a bad expression with its offset', () => {
    try {
      compileString('hello ${text(5, klingon)}');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).message).toBe('bad generator text(5, klingon): unknown kind klingon: use ascii, hangul, emoji or cjk');
      expect((err as TemplateError).offset).toBe(8);
    }
    expect(() => compileString('${nope(1)}')).toThrow(/unknown generator/);
    expect(() => compileString('${a b}')).toThrow(/bad template expression/);
    expect(() => compileString('${unclosed')).toThrow(/unclosed/);
    expect(() => compileString('${now(yesterday)}')).toThrow(/duration/);
  });

  it('fails at run time when a variable has no value yet', () => {
    expect(() => run('${room}')).toThrow(TemplateEvalError);
    expect(() => run('${r.missing}', { r: { a: 1 } })).toThrow(/no missing in/);
  });
});

describe('template arithmetic and computed counts', () => {
  it('adds or subtracts a number or a duration from a variable', () => {
    expect(run('${limits.maxTextChars + 1}', { limits: { maxTextChars: 5000 } })).toBe(5001);
    expect(run('${limits.maxTextChars - 1}', { limits: { maxTextChars: 5000 } })).toBe(4999);
    expect(run('${timers.pongTimeout + 500ms}', { timers: { pongTimeout: 300 } })).toBe(800);
    expect(run('${timers.pongTimeout + 1s}', { timers: { pongTimeout: 300 } })).toBe(1300);
  });

  it('scales a variable by a factor before adding a delta (tolerances of timer cases)', () => {
    expect(run('${timers.pongTimeout * 1.1 + 250ms}', { timers: { pongTimeout: 60_000 } })).toBe(66_250);
    expect(run('${timers.pingInterval * 2}', { timers: { pingInterval: 150 } })).toBe(300);
    expect(run('${timers.pingInterval * 0.5 - 10ms}', { timers: { pingInterval: 150 } })).toBe(65);
    expect(() => run('${a * 2}', { a: 'x' })).toThrow('${a * 2}: a is "x", not a number');
  });

  it('adds variables to variables, each term with its own factor, rounded to a whole number', () => {
    const timers = { pingInterval: 300, pongTimeout: 1000 };
    expect(run('${timers.pingInterval + timers.pongTimeout}', { timers })).toBe(1300);
    expect(run('${timers.pongTimeout - timers.pingInterval}', { timers })).toBe(700);
    expect(run('${timers.pingInterval * 1.5 + timers.pongTimeout * 0.5 + 250ms}', { timers })).toBe(450 + 500 + 250);
    expect(run('${a-1}', { a: 5 })).toBe(4);
    expect(run('${my-var + 1}', { 'my-var': 5 })).toBe(6);
    expect(run('${a * 0.33}', { a: 10 })).toBe(3);
    expect(() => run('${a + b}', { a: 1, b: 'x' })).toThrow('${a + b}: b is "x", not a number');
    expect(() => compileString('${1 + 2}')).toThrow(/bad template expression/);
    expect(() => compileString('${a + }')).toThrow(/bad template expression/);
  });

  it('reads the count of text() and bytes() from a variable when the step runs', () => {
    const text = run('${text(limits.maxTextChars + 1, emoji)}', { limits: { maxTextChars: 7 } }) as string;
    expect([...text].length).toBe(8);
    expect((run('${bytes(limits.maxMessageBytes + 1)}', { limits: { maxMessageBytes: 1024 } }) as ByteFill).size).toBe(1025);
  });

  it('fails at run time when arithmetic meets something that is not a number', () => {
    expect(() => run('${a + 1}', { a: 'x' })).toThrow('${a + 1}: a is "x", not a number');
    expect(() => run('${text(a, ascii)}', { a: -1 })).toThrow('${a}: expected a whole number, got -1');
  });
});
