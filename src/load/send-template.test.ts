import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readKeys, stampPath } from './paths.js';
import { integrityMarker } from './integrity.js';
import { isoNow, SendTemplate, type FillPlan } from './send-template.js';

/** The engine's generic path for one send: copy, stamp the marker, fill, encode. */
function generic(proto: Record<string, unknown>, markerKeys: string[], text: string, fill: FillPlan, id: string | number, now: string): string {
  const message = stampPath({ ...proto }, markerKeys, text);
  for (const [keys, kind] of fill.autofill) {
    if (readKeys(message, keys) === undefined) stampPath(message, keys, kind === 'now-iso' ? now : id);
  }
  if (readKeys(message, fill.requestKeys) === undefined) stampPath(message, fill.requestKeys, id);
  return JSON.stringify(message);
}

const assaFill: FillPlan = { autofill: [[['timestamp'], 'now-iso'], [['seq_id'], 'correlation-id']], requestKeys: ['seq_id'] };

describe('SendTemplate', () => {
  it('renders exactly the text the generic path encodes (ASSA shape)', () => {
    const proto = { action: 'SEND_MESSAGE', data: { room_id: 12, content: 'hello from vu3', message_type: 'text' } };
    const t = SendTemplate.build(proto, ['data', 'content'], ' hello from vu3', assaFill, 'Lx-c3-')!;
    const now = '2026-11-22T06:37:17.005Z';
    const text = t.render(integrityMarker('3', 41), 77, now);
    expect(text).toBe('{"action":"SEND_MESSAGE","data":{"room_id":12,"content":"[cc:3:41] hello from vu3","message_type":"text"},"timestamp":"2026-11-22T06:37:17.005Z","seq_id":"Lx-c3-77"}');
    expect(text).toBe(generic(proto, ['data', 'content'], '[cc:3:41] hello from vu3', assaFill, 'Lx-c3-77', now));
    expect(t.byteLength(text)).toBe(Buffer.byteLength(text));
    // The prototype is not touched.
    expect(proto.data.content).toBe('hello from vu3');
  });

  it('matches the generic path for any content, prefix, id and field layout (property)', () => {
    fc.assert(
      fc.property(
        fc.string(), fc.string(), fc.nat(2 ** 31 - 1), fc.boolean(), fc.boolean(), fc.boolean(),
        (content, prefix, id, int32, presetTime, nestedId) => {
          const proto: Record<string, unknown> = { type: 'chat', body: { text: content, 'we"ird': '\u00e9\u{1F600}' } };
          if (presetTime) proto.ts = 'fixed';
          const fill: FillPlan = { autofill: [[['ts'], 'now-iso']], requestKeys: nestedId ? ['meta', 'rid'] : ['rid'] };
          const suffix = content ? ` ${content}` : '';
          const t = SendTemplate.build(proto, ['body', 'text'], suffix, fill, int32 ? undefined : prefix);
          expect(t).toBeDefined();
          const now = isoNow();
          const marker = integrityMarker('12', id);
          const text = t!.render(marker, id, now);
          expect(text).toBe(generic(proto, ['body', 'text'], marker + suffix, fill, int32 ? id : prefix + id, now));
          expect(t!.byteLength(text)).toBe(Buffer.byteLength(text));
        },
      ),
    );
  });

  it('declines a message whose marker path does not survive encoding', () => {
    // toJSON replaces the object holding the marker, so the marker never reaches the text.
    const proto = { data: { toJSON: () => ({}) } };
    expect(SendTemplate.build(proto, ['data', 'content'], '', assaFill, 'p-')).toBeUndefined();
  });
});

describe('isoNow', () => {
  it('equals Date#toISOString for any millisecond, the cache notwithstanding (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_198_755_200_000, max: 8_640_000_000_000_000 - 1 }), (ms) => {
        expect(isoNow(ms)).toBe(new Date(ms).toISOString());
        expect(isoNow(ms + 1)).toBe(new Date(ms + 1).toISOString());
      }),
    );
    for (const ms of [0, 999, 1000, 1001, 253402300799999, 253402300800000, -1]) expect(isoNow(ms)).toBe(new Date(ms).toISOString());
  });
});
