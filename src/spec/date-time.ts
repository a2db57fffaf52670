/**
 * ajv-formats' full `date-time` check (RFC 3339 §5.6), hand-written for the hot path: every
 * message's `timestamp` goes through it. ajv-formats splits the string and runs two regexes and
 * several number conversions per call; this reads the characters once and allocates nothing
 * (but for a fraction on second 59 or 60, see below).
 *
 * It accepts exactly what ajv-formats 3.0.1 accepts, quirks included (date-time.test.ts holds it
 * to that with a property test against ajv-formats itself):
 * - the separator is `T`, `t` or any one whitespace character (ajv-formats splits on /t|\s/i);
 * - `z` or `Z`, or an offset `±HH`, `±HHMM` or `±HH:MM` (hours ≤ 23, minutes ≤ 59) is required;
 * - a leap second is valid when the time is 23:59 in UTC once the offset is taken off, computed
 *   as ajv-formats does, so e.g. `24:59:60+01:00` passes (its arithmetic does not bound the hour
 *   before the offset is applied) while any hour, minute and second in range passes anyway;
 * - the seconds with their fraction are compared as a JavaScript number, so a fraction of many
 *   nines can round `59.999…` up to 60 (then the leap-second rule applies) or `60.999…` to 61.
 */

const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** JavaScript's \s, i.e. what ajv-formats' /t|\s/i splits on besides t and T. */
const WHITESPACE = /^\s$/;

const D0 = 48;
const COLON = 58;
const DASH = 45;
const PLUS = 43;
const DOT = 46;

/** The two-digit number at i, or -1 when either character is not an ASCII digit. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - D0;
  const b = s.charCodeAt(i + 1) - D0;
  // NaN (past the end) fails both comparisons as well.
  if (!(a >= 0 && a <= 9 && b >= 0 && b <= 9)) return -1;
  return a * 10 + b;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function isSeparator(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c === 84 || c === 116) return true; // T, t
  // Only a character that can be whitespace is worth the regex: tab..CR, space, and non-ASCII.
  return (c >= 9 && c <= 13) || c === 32 || (c >= 0xa0 && WHITESPACE.test(s.charAt(i)));
}

export function isDateTime(s: string): boolean {
  // YYYY-MM-DD, separator, HH:MM:SS, zone: at least 20 characters.
  const len = s.length;
  if (len < 20) return false;
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  if (y1 < 0 || y2 < 0 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return false;
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(y1 * 100 + y2) ? 29 : (DAYS[month] as number))) return false;
  if (!isSeparator(s, 10)) return false;

  const hr = twoDigits(s, 11);
  const min = twoDigits(s, 14);
  const ss = twoDigits(s, 17);
  if (hr < 0 || min < 0 || ss < 0 || s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return false;
  let i = 19;
  let fractionEnd = 0;
  if (s.charCodeAt(i) === DOT) {
    i++;
    const first = i;
    for (let c = s.charCodeAt(i) - D0; c >= 0 && c <= 9; c = s.charCodeAt(i) - D0) i++;
    if (i === first) return false;
    fractionEnd = i;
  }

  // The zone: z/Z, or ±HH[[:]MM], and then the end of the string.
  let sign = 1;
  let tzH = 0;
  let tzM = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== len) return false;
  } else if (z === PLUS || z === DASH) {
    if (z === DASH) sign = -1;
    tzH = twoDigits(s, i + 1);
    if (tzH < 0) return false;
    i += 3;
    if (i !== len) {
      if (s.charCodeAt(i) === COLON) i++;
      tzM = twoDigits(s, i);
      if (tzM < 0 || i + 2 !== len) return false;
    }
    if (tzH > 23 || tzM > 59) return false;
  } else {
    return false;
  }

  // Seconds 00-58 stay below 59.999… → < 60 whatever the fraction; 61 and up are ≥ 61. Only 59
  // and 60 with a fraction need the exact number ajv-formats compares (its `+"59.999…"`).
  const sec = fractionEnd !== 0 && (ss === 59 || ss === 60) ? Number(s.slice(17, fractionEnd)) : ss;
  if (hr <= 23 && min <= 59 && sec < 60) return true;
  // Leap second: 23:59:60 in UTC, by ajv-formats' arithmetic.
  const utcMin = min - tzM * sign;
  const utcHr = hr - tzH * sign - (utcMin < 0 ? 1 : 0);
  return (utcHr === 23 || utcHr === -1) && (utcMin === 59 || utcMin === -1) && sec < 61;
}
