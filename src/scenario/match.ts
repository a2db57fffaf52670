/**
 * Partial matching of a received message against what a scenario expects.
 *
 * - A plain value must be equal (strictly: the string "5" is not the number 5).
 * - An object matches when every key it names matches; other keys of the message are ignored.
 * - An array must have the same length, each element matched in order (use `$contains` for
 *   membership).
 * - An object whose keys all start with `$` is a set of operators, all of which must hold:
 *   $eq, $ne, $in, $regex, $type, $absent, $present, $length, $gt, $gte, $lt, $lte, $contains,
 *   $not, $any.
 */

export interface Mismatch {
  /** JSON pointer into the message (RFC 6901). */
  pointer: string;
  expected: unknown;
  actual: unknown;
  /** One line: what did not hold. */
  reason: string;
}

export const MATCH_OPERATORS = [
  '$eq', '$ne', '$in', '$regex', '$type', '$absent', '$present', '$length',
  '$gt', '$gte', '$lt', '$lte', '$contains', '$not', '$any',
] as const;

const OPERATOR_SET = new Set<string>(MATCH_OPERATORS);

export const MATCH_TYPES = ['string', 'number', 'integer', 'int32', 'boolean', 'object', 'array', 'null'] as const;

const ABSENT = Symbol('absent');

export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

/**
 * Checks a matcher when the scenario loads. Returns the path of the first problem (as keys from
 * the matcher's root) and what is wrong, or undefined when it is well formed.
 */
export function checkMatcher(spec: unknown, path: (string | number)[] = []): { path: (string | number)[]; message: string } | undefined {
  if (Array.isArray(spec)) {
    for (let i = 0; i < spec.length; i++) {
      const problem = checkMatcher(spec[i], [...path, i]);
      if (problem) return problem;
    }
    return undefined;
  }
  if (spec === null || typeof spec !== 'object') return undefined;
  const keys = Object.keys(spec);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length > 0 && ops.length !== keys.length) {
    return { path, message: `operators (${ops.join(', ')}) cannot be mixed with field names (${keys.filter((k) => !k.startsWith('$')).join(', ')}) in one object` };
  }
  const record = spec as Record<string, unknown>;
  for (const key of keys) {
    const value = record[key];
    if (!key.startsWith('$')) {
      const problem = checkMatcher(value, [...path, key]);
      if (problem) return problem;
      continue;
    }
    if (!OPERATOR_SET.has(key)) return { path: [...path, key], message: `unknown operator ${key}; known: ${MATCH_OPERATORS.join(', ')}` };
    const isTemplate = typeof value === 'string' && value.includes('${');
    switch (key) {
      case '$regex':
        if (typeof value !== 'string') return { path: [...path, key], message: '$regex needs a string pattern' };
        if (!isTemplate) {
          try {
            new RegExp(value, 'u');
          } catch (err) {
            return { path: [...path, key], message: `bad regular expression: ${(err as Error).message}` };
          }
        }
        break;
      case '$type':
        if (typeof value !== 'string' || !(MATCH_TYPES as readonly string[]).includes(value)) {
          return { path: [...path, key], message: `$type must be one of ${MATCH_TYPES.join(', ')}` };
        }
        break;
      case '$absent':
      case '$present':
      case '$any':
        if (value !== true) return { path: [...path, key], message: `${key} takes true` };
        break;
      case '$in':
        if (!Array.isArray(value)) return { path: [...path, key], message: '$in needs a list' };
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        if (typeof value !== 'number' && !isTemplate) return { path: [...path, key], message: `${key} needs a number` };
        break;
      case '$length':
        if (typeof value === 'number') break;
        if (isOperatorObject(value)) {
          const problem = checkMatcher(value, [...path, key]);
          if (problem) return problem;
          break;
        }
        if (!isTemplate) return { path: [...path, key], message: '$length needs a number or operators such as {$gte: 1}' };
        break;
      case '$contains':
      case '$not': {
        const problem = checkMatcher(value, [...path, key]);
        if (problem) return problem;
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

const regexCache = new Map<string, RegExp>();

function regex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** Returns the first mismatch, or undefined when `actual` satisfies `spec`. */
export function match(spec: unknown, actual: unknown, pointer = ''): Mismatch | undefined {
  return matchValue(spec, actual, pointer);
}

function matchValue(spec: unknown, actual: unknown | typeof ABSENT, pointer: string): Mismatch | undefined {
  if (isOperatorObject(spec)) return matchOperators(spec, actual, pointer);
  if (actual === ABSENT) return { pointer, expected: spec, actual: undefined, reason: 'is missing' };
  if (Array.isArray(spec)) {
    if (!Array.isArray(actual)) return { pointer, expected: spec, actual, reason: `expected an array, got ${typeName(actual)}` };
    if (actual.length !== spec.length) {
      return { pointer, expected: spec, actual, reason: `expected ${spec.length} elements, got ${actual.length}` };
    }
    for (let i = 0; i < spec.length; i++) {
      const m = matchValue(spec[i], actual[i], `${pointer}/${i}`);
      if (m) return m;
    }
    return undefined;
  }
  if (spec !== null && typeof spec === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return { pointer, expected: spec, actual, reason: `expected an object, got ${typeName(actual)}` };
    }
    const record = actual as Record<string, unknown>;
    for (const [key, sub] of Object.entries(spec as Record<string, unknown>)) {
      const value = Object.hasOwn(record, key) ? record[key] : ABSENT;
      const m = matchValue(sub, value, `${pointer}/${escapePointer(key)}`);
      if (m) return m;
    }
    return undefined;
  }
  if (!Object.is(spec, actual) && !(spec === 0 && actual === 0)) {
    return { pointer, expected: spec, actual, reason: `expected ${JSON.stringify(spec)}, got ${render(actual)}` };
  }
  return undefined;
}

function matchOperators(ops: Record<string, unknown>, actual: unknown | typeof ABSENT, pointer: string): Mismatch | undefined {
  const present = actual !== ABSENT;
  const value = present ? actual : undefined;
  const fail = (expected: unknown, reason: string): Mismatch => ({ pointer, expected, actual: value, reason });
  for (const [op, arg] of Object.entries(ops)) {
    switch (op) {
      case '$absent':
        if (present) return fail({ $absent: true }, `expected no field, got ${render(value)}`);
        continue;
      case '$any':
        continue;
      case '$not':
        if (!matchValue(arg, actual, pointer)) return fail({ $not: arg }, `expected not to match ${JSON.stringify(arg)}, got ${render(value)}`);
        continue;
      default:
        break;
    }
    if (!present) return fail({ [op]: arg }, 'is missing');
    switch (op) {
      case '$present':
        break;
      case '$eq':
        if (!deepEqual(arg, value)) return fail(arg, `expected ${JSON.stringify(arg)}, got ${render(value)}`);
        break;
      case '$ne':
        if (deepEqual(arg, value)) return fail({ $ne: arg }, `expected anything but ${JSON.stringify(arg)}`);
        break;
      case '$in':
        if (!(arg as unknown[]).some((a) => deepEqual(a, value))) return fail({ $in: arg }, `expected one of ${JSON.stringify(arg)}, got ${render(value)}`);
        break;
      case '$regex':
        if (typeof value !== 'string') return fail({ $regex: arg }, `expected a string matching /${String(arg)}/, got ${typeName(value)}`);
        if (!regex(String(arg)).test(value)) return fail({ $regex: arg }, `expected a string matching /${String(arg)}/, got ${render(value)}`);
        break;
      case '$type':
        if (!hasType(value, String(arg))) return fail({ $type: arg }, `expected ${String(arg)}, got ${typeName(value)} ${render(value)}`);
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const limit = Number(arg);
        if (typeof value !== 'number') return fail({ [op]: arg }, `expected a number, got ${typeName(value)}`);
        const ok = op === '$gt' ? value > limit : op === '$gte' ? value >= limit : op === '$lt' ? value < limit : value <= limit;
        if (!ok) return fail({ [op]: arg }, `expected ${op.slice(1)} ${limit}, got ${value}`);
        break;
      }
      case '$length': {
        const length = lengthOf(value);
        if (length === undefined) return fail({ $length: arg }, `expected a string, array or object, got ${typeName(value)}`);
        const m = typeof arg === 'number' ? (length === arg ? undefined : fail({ $length: arg }, `expected length ${arg}, got ${length}`)) : matchValue(arg, length, pointer);
        if (m) return { pointer, expected: { $length: arg }, actual: value, reason: `length: ${m.reason}` };
        break;
      }
      case '$contains':
        if (!Array.isArray(value)) return fail({ $contains: arg }, `expected an array, got ${typeName(value)}`);
        if (!value.some((item) => !matchValue(arg, item, pointer))) return fail({ $contains: arg }, `no element matches ${JSON.stringify(arg)}`);
        break;
      default:
        return fail({ [op]: arg }, `unknown operator ${op}`);
    }
  }
  return undefined;
}

/** Strings count Unicode code points (ASSA's "characters", decision assa.D2). */
function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') {
    let n = 0;
    for (const _ of value) n++;
    return n;
  }
  if (Array.isArray(value)) return value.length;
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'int32':
      return Number.isInteger(value) && (value as number) >= -2147483648 && (value as number) <= 2147483647;
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'null':
      return value === null;
    default:
      return false;
  }
}

export function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || (a === 0 && b === 0)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function render(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function toPointer(path: (string | number)[]): string {
  return path.map((p) => `/${escapePointer(String(p))}`).join('');
}
