import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ccError } from '../errors.js';
import { profileSources } from '../profile/load.js';
import type { Direction, Profile, ProfileMessage } from '../profile/types.js';
import { createAjv, type AjvInstance } from './ajv.js';
import { closeSchema } from './closed.js';
import { generateMessageSchema } from './generate.js';
import { escapePointerToken, type Json, type JsonObject } from './pointer.js';

/** One violation, located by a JSON pointer into the message. */
export interface ValidationError {
  /** RFC 6901 pointer to the offending value ("" is the whole message); for a missing field, where it should be. */
  pointer: string;
  /** The JSON Schema keyword that failed (required, type, const, enum, format, maxLength, …). */
  keyword: string;
  message: string;
  /** What the schema wants, in words: `integer`, `present`, `one of "text", "image"`. */
  expected: string;
  /** What the message has there: `string "100"`, `missing`. */
  actual: string;
}

export type ValidationOutcome =
  /** The value is not a JSON object (a string, an array, null…). */
  | { kind: 'not-object'; actual: string }
  /** An object without a string in the profile's naming field. */
  | { kind: 'no-name'; field: string; actual: string }
  /** A name that matches no message of that direction ("matches none", not "invalid"). */
  | { kind: 'unknown-name'; field: string; name: string; direction: Direction; otherDirections: Direction[] }
  /** The message was identified and breaks its schema. `extras` lists undefined fields too. */
  | { kind: 'invalid'; message: ProfileMessage; errors: ValidationError[]; extras: string[] }
  /** The message matches its schema; `extras` are pointers to fields the spec does not define (NON-STRICT). */
  | { kind: 'valid'; message: ProfileMessage; extras: readonly string[] };

export interface ProfileValidator {
  readonly profile: Profile;
  /** Identifies the message by the profile's naming field and validates it against that one schema. */
  validate(direction: Direction, value: unknown): ValidationOutcome;
  /** Validates against a named message, whatever the value's naming field says (explicit-only messages, --message). */
  validateAs(direction: Direction, name: string, value: unknown): ValidationOutcome;
  /** The directions in which a name exists (SDP: both). */
  directionsOf(name: string): Direction[];
}

const NO_EXTRAS: readonly string[] = Object.freeze([]);

/** ajv's three instances for one profile: the hot path, and two that explain a failure. */
interface Compilers {
  /** Closed schemas, first error only: one call decides "valid without extras" on the hot path. */
  fast: AjvInstance;
  /** The schemas as written, every error, with the failing data: the real violations. */
  open: AjvInstance;
  /** Closed schemas, every error: where the undefined fields are. */
  closed: AjvInstance;
}

class Entry {
  private fast?: ValidateFunction;
  private open?: ValidateFunction;
  private closed?: ValidateFunction;
  readonly validOutcome: ValidationOutcome;

  constructor(readonly message: ProfileMessage, private readonly schema: JsonObject, private readonly compilers: Compilers) {
    this.validOutcome = Object.freeze({ kind: 'valid', message, extras: NO_EXTRAS });
  }

  private compile(ajv: AjvInstance, schema: JsonObject): ValidateFunction {
    try {
      return ajv.compile(schema);
    } catch (err) {
      throw ccError('CC_ERR_SCHEMA_COMPILE', { message: this.message.id, reason: (err as Error).message });
    }
  }

  /** Compiles the hot-path validator now rather than on the first message. */
  warm(): void {
    this.fast ??= this.compile(this.compilers.fast, closeSchema(this.schema) as JsonObject);
  }

  check(value: unknown): ValidationOutcome {
    this.fast ??= this.compile(this.compilers.fast, closeSchema(this.schema) as JsonObject);
    if (this.fast(value)) return this.validOutcome;
    return this.explain(value);
  }

  private explain(value: unknown): ValidationOutcome {
    this.open ??= this.compile(this.compilers.open, this.schema);
    this.closed ??= this.compile(this.compilers.closed, closeSchema(this.schema) as JsonObject);
    this.closed(value);
    const extras = (this.closed.errors ?? [])
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => `${e.instancePath}/${escapePointerToken(String((e.params as { additionalProperty: string }).additionalProperty))}`);
    const uniqueExtras = [...new Set(extras)].sort();
    if (this.open(value)) return { kind: 'valid', message: this.message, extras: uniqueExtras };
    return { kind: 'invalid', message: this.message, errors: toValidationErrors(this.open.errors ?? []), extras: uniqueExtras };
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `string "abc"`, `integer 12`, `object` — short enough for one line. */
function describeValue(value: unknown): string {
  const type = jsonType(value);
  if (type === 'object' || type === 'array' || type === 'undefined') return type;
  let text = JSON.stringify(value) ?? String(value);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return type === 'null' ? 'null' : `${type} ${text}`;
}

function list(values: unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function expectedOf(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'present';
    case 'type':
      return Array.isArray(p.type) ? p.type.join(' or ') : String(p.type);
    case 'const':
      return JSON.stringify(p.allowedValue);
    case 'enum':
      return `one of ${list(p.allowedValues as unknown[])}`;
    case 'format': {
      const name = String(p.format);
      return name === 'int32' ? 'format int32 (an integer from -2147483648 to 2147483647)' : `format ${name}`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${String(p.comparison)} ${String(p.limit)}`;
    case 'maxLength':
      return `at most ${String(p.limit)} characters`;
    case 'minLength':
      return `at least ${String(p.limit)} characters`;
    case 'maxItems':
      return `at most ${String(p.limit)} items`;
    case 'minItems':
      return `at least ${String(p.limit)} items`;
    case 'pattern':
      return `a string matching ${String(p.pattern)}`;
    case 'additionalProperties':
      return 'absent';
    default:
      return error.message ?? error.keyword;
  }
}

/** ajv errors → pointer, keyword, expected, actual. `if` errors only repeat the branch's errors. */
export function toValidationErrors(errors: ErrorObject[]): ValidationError[] {
  const out: ValidationError[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      out.push({ pointer: `${error.instancePath}/${escapePointerToken(missing)}`, keyword: 'required', message: `missing required field ${missing}`, expected: 'present', actual: 'missing' });
      continue;
    }
    const actual = describeValue(error.data);
    out.push({ pointer: error.instancePath, keyword: error.keyword, message: error.message ?? error.keyword, expected: expectedOf(error), actual });
  }
  return out;
}

function loadSchema(profile: Profile, message: ProfileMessage): JsonObject {
  const path = join(profile.generatedDir, message.schemaFile.replace(/^generated\//, ''));
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as JsonObject;
  // A profile of one's own may have no generated/ folder yet: generate the same schema in memory.
  const { doc, sources } = profileSources(profile);
  const source = sources.find((s) => s.id === message.id);
  if (!source) throw ccError('CC_ERR_INTERNAL', { detail: `no source for ${message.id}` });
  return generateMessageSchema(doc as Json, profile.name, source, profile.specPath);
}

class Validator implements ProfileValidator {
  private readonly byDirection: Record<Direction, Map<string, Entry>> = { client: new Map(), server: new Map() };
  private readonly namingField: string;

  constructor(readonly profile: Profile) {
    this.namingField = profile.namingField;
    const compilers: Compilers = {
      fast: createAjv({ allErrors: false }),
      open: createAjv({ allErrors: true, verbose: true }),
      closed: createAjv({ allErrors: true }),
    };
    for (const message of profile.messages) {
      this.byDirection[message.direction].set(message.name, new Entry(message, loadSchema(profile, message), compilers));
    }
  }

  validate(direction: Direction, value: unknown): ValidationOutcome {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'not-object', actual: describeValue(value) };
    const name = (value as Record<string, unknown>)[this.namingField];
    if (typeof name !== 'string') return { kind: 'no-name', field: this.namingField, actual: name === undefined ? 'missing' : describeValue(name) };
    const entry = this.byDirection[direction].get(name);
    if (entry === undefined || entry.message.explicitOnly) {
      return { kind: 'unknown-name', field: this.namingField, name, direction, otherDirections: this.directionsOf(name).filter((d) => d !== direction) };
    }
    return entry.check(value);
  }

  validateAs(direction: Direction, name: string, value: unknown): ValidationOutcome {
    const entry = this.byDirection[direction].get(name);
    if (entry === undefined) throw ccError('CC_ERR_UNKNOWN_MESSAGE', { profile: this.profile.name, direction, name });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'not-object', actual: describeValue(value) };
    return entry.check(value);
  }

  directionsOf(name: string): Direction[] {
    const out: Direction[] = [];
    if (this.byDirection.client.has(name)) out.push('client');
    if (this.byDirection.server.has(name)) out.push('server');
    return out;
  }

  /** Compiles every hot-path validator (benchmarks, load workers before the clock starts). */
  warm(): void {
    for (const map of Object.values(this.byDirection)) for (const entry of map.values()) entry.warm();
  }
}

const validators = new WeakMap<Profile, Validator>();

/**
 * The validator of a profile, built once per process and shared. Each message's schema is
 * compiled on first use (or all at once with `warmValidator`), never per message validated.
 */
export function getValidator(profile: Profile): ProfileValidator {
  let validator = validators.get(profile);
  if (!validator) {
    validator = new Validator(profile);
    validators.set(profile, validator);
  }
  return validator;
}

/** Compiles every schema of a profile ahead of time. */
export function warmValidator(profile: Profile): void {
  (getValidator(profile) as Validator).warm();
}
