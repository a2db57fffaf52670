import { describe, expect, it } from 'vitest';
import type { ShapeFinding } from './model.js';
import { cutUtf8, SHAPE_CASES_LISTED, ShapeCollector, shapePointer, type ShapeInput } from './shapes.js';

const RAW = '{"action":"SEND_MESSAGE_RESPONSE","seq_id":3,"data":{"success":true,"client_message_id":null}}';

function nullEcho(overrides: Partial<ShapeInput> = {}): ShapeInput {
  return {
    profile: 'assa', direction: 'server', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/client_message_id', code: 'CC_SCHEMA_INVALID',
    source: { kind: 'lenient', rule: 'optional-null' }, verdict: 'NON-STRICT', detail: 'is null', expected: 'string', actual: 'null', raw: RAW, ...overrides,
  };
}

describe('ShapeCollector', () => {
  it('aggregates one finding per shape: count, the first cases, how many cases, the first sample', () => {
    const shapes = new ShapeCollector();
    for (let i = 0; i < 30; i++) {
      const id = `assa.send.case-${String(i).padStart(2, '0')}`;
      shapes.add(id, nullEcho(i === 0 ? {} : { raw: `${RAW} ${i}` }));
      shapes.add(id, nullEcho({ raw: 'later' }));
    }
    const [shape, ...rest] = shapes.result();
    expect(rest).toEqual([]);
    expect(shape).toEqual({
      profile: 'assa', direction: 'server', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/client_message_id', code: 'CC_SCHEMA_INVALID',
      source: { kind: 'lenient', rule: 'optional-null' }, verdict: 'NON-STRICT', count: 60,
      cases: Array.from({ length: SHAPE_CASES_LISTED }, (_, i) => `assa.send.case-${String(i).padStart(2, '0')}`),
      caseCount: 30,
      sample: { case: 'assa.send.case-00', pointer: '/data/client_message_id', detail: 'is null', expected: 'string', actual: 'null', raw: RAW, truncated: false },
    });
  });

  it('keeps shapes apart by profile, direction, message, pointer, code, source kind and rule', () => {
    const shapes = new ShapeCollector();
    const variants: Partial<ShapeInput>[] = [
      {}, { profile: 'envelope' }, { direction: 'client' }, { message: 'ERROR' }, { pointer: '/data/original_action' }, { code: 'CC_SCHEMA_EXTRA_FIELDS' },
      { source: { kind: 'seed' } }, { source: { kind: 'lenient', rule: 'open-enum' } }, { source: { kind: 'lenient' } },
    ];
    for (const v of variants) shapes.add('c', nullEcho(v));
    shapes.add('c', nullEcho());
    expect(shapes.size).toBe(variants.length);
    expect(shapes.result().reduce((n, s) => n + s.count, 0)).toBe(variants.length + 1);
  });

  it('counts every element of an array as the same field, and keeps the concrete pointer in the sample', () => {
    expect(shapePointer('/data/messages/3/text')).toBe('/data/messages/*/text');
    expect(shapePointer('/data/list/12')).toBe('/data/list/*');
    expect(shapePointer('/data/v2x/text')).toBe('/data/v2x/text');
    const shapes = new ShapeCollector();
    shapes.add('a', nullEcho({ message: 'CHECK_RECEIVE_RESPONSE', pointer: '/data/messages/3/text' }));
    shapes.add('b', nullEcho({ message: 'CHECK_RECEIVE_RESPONSE', pointer: '/data/messages/17/text' }));
    const [shape] = shapes.result();
    expect(shape).toMatchObject({ pointer: '/data/messages/*/text', count: 2, cases: ['a', 'b'], sample: { case: 'a', pointer: '/data/messages/3/text' } });
  });

  it('lists the worst shapes first, then the most frequent, and keeps the worst verdict a shape was given', () => {
    const shapes = new ShapeCollector();
    shapes.add('a', nullEcho({ message: 'A', verdict: 'INFORMATIONAL', source: { kind: 'choice', rule: 'assa.D7.replies' } }));
    shapes.add('a', nullEcho({ message: 'B' }));
    shapes.add('a', nullEcho({ message: 'C' }));
    shapes.add('b', nullEcho({ message: 'C' }));
    shapes.add('a', nullEcho({ message: 'D', verdict: 'FAIL', source: { kind: 'seed' } }));
    shapes.add('a', nullEcho({ message: 'B', verdict: 'FAIL' }));
    expect(shapes.result().map((s) => [s.message, s.verdict, s.count])).toEqual([['B', 'FAIL', 2], ['D', 'FAIL', 1], ['C', 'NON-STRICT', 2], ['A', 'INFORMATIONAL', 1]]);
  });

  it('cuts the raw sample to 500 bytes of UTF-8, never inside a character', () => {
    expect(cutUtf8('abc')).toEqual({ text: 'abc', truncated: false });
    expect(cutUtf8('a'.repeat(500))).toEqual({ text: 'a'.repeat(500), truncated: false });
    expect(cutUtf8('a'.repeat(501))).toEqual({ text: 'a'.repeat(500), truncated: true });
    // 'é' is 2 bytes: 250 fit; the emoji is 4 bytes: after one ASCII byte, 124 fit (497 bytes), the 125th would end at 501.
    expect(cutUtf8('é'.repeat(400))).toEqual({ text: 'é'.repeat(250), truncated: true });
    const emoji = cutUtf8(`x${'😀'.repeat(200)}`);
    expect(emoji).toEqual({ text: `x${'😀'.repeat(124)}`, truncated: true });
    expect(Buffer.byteLength(emoji.text)).toBe(497);
    const shapes = new ShapeCollector();
    shapes.add('a', nullEcho({ raw: `{"content":"${'한'.repeat(1000)}"}` }));
    const sample = shapes.result()[0]?.sample;
    expect(sample?.truncated).toBe(true);
    expect(Buffer.byteLength(sample?.raw ?? '')).toBe(500 - ((500 - 12) % 3));
  });

  it('holds a bounded number of entries however many distinct pointers and names a server sends, and loses no count', () => {
    const shapes = new ShapeCollector({ maxShapes: 3 });
    let added = 0;
    for (let m = 0; m < 5; m++) {
      for (let p = 0; p < 50; p++) {
        shapes.add(`case-${p}`, nullEcho({ message: `NAME_${m}`, pointer: `/data/f${p}`, verdict: p === 49 && m === 4 ? 'FAIL' : 'NON-STRICT' }));
        added++;
      }
    }
    const result = shapes.result();
    // 3 exact shapes; then pointer `*` per message until 6 entries; then message `*` too.
    expect(result.map((s) => `${s.message} ${s.pointer}`).sort()).toEqual(['* *', 'NAME_0 *', 'NAME_0 /data/f0', 'NAME_0 /data/f1', 'NAME_0 /data/f2', 'NAME_1 *', 'NAME_2 *']);
    expect(result.reduce((n, s) => n + s.count, 0)).toBe(added);
    // The one FAIL among them is not lost in the catch-all entry.
    expect(result[0]).toMatchObject({ message: '*', pointer: '*', verdict: 'FAIL', count: 100, caseCount: 50 });
  });

  it('keeps one entry for a shape seen in a hundred thousand messages', () => {
    const shapes = new ShapeCollector();
    for (let i = 0; i < 100_000; i++) shapes.add(`case-${i % 7}`, nullEcho());
    expect(shapes.size).toBe(1);
    expect(shapes.result()[0]).toMatchObject({ count: 100_000, caseCount: 7 });
  });

  it('adds up finished shapes from shards: counts, listed cases and the cases beyond the list', () => {
    const one = new ShapeCollector();
    for (let i = 0; i < 25; i++) one.add(`s0-${i}`, nullEcho());
    const two = new ShapeCollector();
    for (let i = 0; i < 3; i++) two.add(`s1-${i}`, nullEcho({ raw: 'second shard' }));
    two.add('s1-0', nullEcho({ message: 'ERROR', pointer: '/original_action' }));
    const merged = new ShapeCollector();
    for (const s of [...one.result(), ...two.result()]) merged.addShape(s);
    const [echo, error] = merged.result();
    expect(echo).toMatchObject({ message: 'SEND_MESSAGE_RESPONSE', count: 28, caseCount: 28, sample: { case: 's0-0', raw: RAW } });
    expect(echo?.cases).toHaveLength(SHAPE_CASES_LISTED);
    expect(error).toMatchObject({ message: 'ERROR', count: 1, cases: ['s1-0'], caseCount: 1 });
    // Merging a shape with itself (the same shard twice) counts its listed cases once.
    const again = new ShapeCollector();
    const small = two.result()[0] as ShapeFinding;
    again.addShape(small);
    again.addShape(small);
    expect(again.result()[0]).toMatchObject({ count: 6, caseCount: 3 });
  });
});
