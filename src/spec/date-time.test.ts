/**
 * isDateTime accepts exactly what ajv-formats' full `date-time` accepts: a table of edge cases
 * with the answer written out, and property tests against ajv-formats' own function over valid
 * and near-valid strings (random digits, separators, fractions, offsets, out-of-range fields,
 * single-character mutations).
 */
import addFormatsModule from 'ajv-formats';
import type { FormatDefinition } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAjv } from './ajv.js';
import { isDateTime } from './date-time.js';

const reference = (addFormatsModule.default.get('date-time') as FormatDefinition<string>).validate as (s: string) => boolean;

const RUNS = 20_000;

const TABLE: [string, boolean][] = [
  ['2024-01-01T12:00:00.000Z', true],
  ['2024-01-01T12:00:00Z', true],
  ['2024-01-01t12:00:00z', true],
  ['2024-01-01 12:00:00Z', true],
  ['2024-01-01\t12:00:00Z', true],
  ['2024-01-01\n12:00:00Z', true],
  ['2024-01-01\u300012:00:00Z', true],
  ['2024-01-01\u00a012:00:00Z', true],
  ['2024-01-01\ufeff12:00:00Z', true],
  ['2024-01-01\u008512:00:00Z', false], // NEL is not \s in JavaScript
  ['2024-01-01X12:00:00Z', false],
  ['2024-01-0112:00:00Z', false],
  ['2024-01-01TT12:00:00Z', false],
  ['2024-01-01T12:00:00', false], // the zone is required
  ['2024-01-01T12:00:00+05', true],
  ['2024-01-01T12:00:00+0530', true],
  ['2024-01-01T12:00:00+05:30', true],
  ['2024-01-01T12:00:00-23:59', true],
  ['2024-01-01T12:00:00+24:00', false],
  ['2024-01-01T12:00:00+05:60', false],
  ['2024-01-01T12:00:00+5', false],
  ['2024-01-01T12:00:00+05:', false],
  ['2024-01-01T12:00:00+05:3', false],
  ['2024-01-01T12:00:00+05:300', false],
  ['2024-01-01T12:00:00+053', false],
  ['2024-01-01T12:00:00ZZ', false],
  ['2024-01-01T12:00:00Z ', false],
  [' 2024-01-01T12:00:00Z', false],
  ['2024-01-01T12:00:00.Z', false],
  ['2024-01-01T12:00:00.123456789012Z', true],
  ['2024-01-01T12:00Z', false],
  ['2024-01-01T1:00:00Z', false],
  ['2024-1-01T12:00:00Z', false],
  ['24-01-01T12:00:00Z', false],
  ['+2024-01-01T12:00:00Z', false],
  ['0000-01-01T00:00:00Z', true],
  ['9999-12-31T23:59:59.999Z', true],
  ['2024-00-10T12:00:00Z', false],
  ['2024-13-10T12:00:00Z', false],
  ['2024-01-00T12:00:00Z', false],
  ['2024-01-32T12:00:00Z', false],
  ['2024-04-31T12:00:00Z', false],
  ['2023-02-29T12:00:00Z', false],
  ['2024-02-29T12:00:00Z', true],
  ['2024-02-30T12:00:00Z', false],
  ['1900-02-29T12:00:00Z', false],
  ['2000-02-29T12:00:00Z', true],
  ['0000-02-29T12:00:00Z', true],
  ['2024-01-01T24:00:00Z', false],
  ['2024-01-01T23:60:00Z', false],
  ['2024-01-01T23:59:60Z', true], // leap second
  ['2024-01-01T23:59:60.5Z', true],
  ['2024-01-01T23:59:61Z', false],
  ['2024-01-01T22:59:60Z', false],
  ['2024-01-01T23:58:60Z', false],
  ['2024-01-01T00:59:60+01:00', true], // 23:59:60 UTC
  ['2024-01-01T22:59:60-01:00', true],
  ['2024-01-01T18:29:60-05:30', true],
  ['2024-01-01T00:00:60+00:01', true], // utc minute and hour both -1
  ['2024-01-01T23:59:60+01:00', false],
  ['2024-01-01T24:59:59+01:00', true], // ajv-formats bounds the hour only after the offset
  ['2024-01-01T23:60:00+00:01', true], // … and the minute
  ['2024-01-01T12:00:59.99999999999999999Z', false], // rounds to 60: not a leap-second time
  ['2024-01-01T23:59:59.99999999999999999Z', true], // rounds to 60 at 23:59 UTC
  ['2024-01-01T23:59:60.99999999999999999Z', false], // rounds to 61
  ['2024-01-01T23:59:60.9999999Z', true],
  ['2024-01-01T12:00:59.9999999Z', true],
  ['２０２４-01-01T12:00:00Z', false], // only ASCII digits
  ['2024-01-01T12:00:00\u0000', false],
  ['', false],
];

describe('isDateTime', () => {
  it.each(TABLE)('%j → %s (as ajv-formats)', (s, expected) => {
    expect(reference(s)).toBe(expected);
    expect(isDateTime(s)).toBe(expected);
  });

  it('is what createAjv registers for date-time', () => {
    const ajv = createAjv();
    expect((ajv.formats['date-time'] as FormatDefinition<string>).validate).toBe(isDateTime);
    const validate = ajv.compile({ type: 'string', format: 'date-time' });
    expect([validate('2024-02-29T12:00:00Z'), validate('2023-02-29T12:00:00Z')]).toEqual([true, false]);
  });
});

const pick = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const digits = (n: number): fc.Arbitrary<string> => fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
/** Two digits, mostly in a field's neighbourhood, sometimes anything. */
const field = (lo: number, hi: number): fc.Arbitrary<string> =>
  fc.oneof(fc.integer({ min: lo, max: hi }), digits(2).map(Number)).map((v) => String(v).padStart(2, '0'));
const SEPARATORS = ['T', 't', ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\u200b', 'x', '', 'TT', 'T ', '_'];
const fraction = fc.oneof(
  pick(''),
  digits(3).map((d) => `.${d}`),
  // Runs of nines up to 25 long reach the float rounding of 59.999… and 60.999….
  fc.integer({ min: 0, max: 25 }).map((n) => `.${'9'.repeat(n)}`),
  fc.array(fc.constantFrom(...'0123456789'), { maxLength: 25 }).map((d) => `.${d.join('')}`),
);
const zone = fc.oneof(
  pick('Z', 'z', '', 'ZZ', 'UTC', '+', '-', 'Z '),
  fc.tuple(pick('+', '-'), field(0, 25), pick('', ':', ':', ''), field(0, 61), pick('full', 'hours', 'short')).map(([sign, h, colon, m, form]) =>
    form === 'hours' ? `${sign}${h}` : form === 'short' ? `${sign}${h}${colon}${m.slice(0, 1)}` : `${sign}${h}${colon}${m}`,
  ),
);
const dateTime = fc
  .tuple(digits(4), field(0, 13), field(0, 32), pick(...SEPARATORS), field(0, 25), field(0, 61), field(0, 62), fraction, zone)
  .map(([y, mo, d, sep, h, mi, s, frac, z]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${z}`);
/** Near 23:59:60 UTC with small offsets, where the leap-second rule decides. */
const leap = fc
  .tuple(pick('22', '23', '24', '00', '01'), pick('58', '59', '60', '00', '01', '29', '30'), pick('59', '60', '61'), fraction, pick('Z', '+', '-'), pick('00', '01', '05', '23'), pick('', ':'), pick('00', '01', '30', '59'))
  .map(([h, mi, s, frac, sign, zh, colon, zm]) => `2024-12-31T${h}:${mi}:${s}${frac}${sign === 'Z' ? 'Z' : `${sign}${zh}${colon}${zm}`}`);
const ALPHABET = '0123456789-:.+TtZz \tx\u3000';
const mutated = fc
  .tuple(fc.oneof(dateTime, leap), fc.nat(), pick('replace', 'insert', 'delete'), fc.integer({ min: 0, max: ALPHABET.length - 1 }))
  .map(([s, at, op, k]) => {
    const i = s.length === 0 ? 0 : at % (s.length + (op === 'insert' ? 1 : 0));
    const c = ALPHABET[k] as string;
    if (op === 'insert') return s.slice(0, i) + c + s.slice(i);
    if (op === 'delete') return s.slice(0, i) + s.slice(i + 1);
    return s.slice(0, i) + c + s.slice(i + 1);
  });
const noise = fc.array(fc.constantFrom(...ALPHABET), { minLength: 15, maxLength: 35 }).map((cs) => cs.join(''));

describe('isDateTime ≡ ajv-formats date-time', () => {
  it.each([
    ['generated date-times', dateTime],
    ['times near a leap second', leap],
    ['single-character mutations', mutated],
    ['strings of date-time characters', noise],
  ] as const)('%s', (_, arb) => {
    fc.assert(fc.property(arb, (s) => isDateTime(s) === reference(s)), { numRuns: RUNS });
  });

  it('the generators reach both answers', () => {
    // Guards the property tests above against generators that only ever produce one answer.
    for (const arb of [dateTime, leap, mutated]) {
      const answers = new Set(fc.sample(arb, 2000).map(reference));
      expect([...answers].sort()).toEqual([false, true]);
    }
  });
});
