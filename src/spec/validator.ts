import type { ErrorObject, ValidateFunction } from 'ajv';
import { ccError } from '../errors.js';
import { createAjv, type AjvInstance } from './ajv.js';
import { closeSchema } from './closed.js';
import type { Direction, MessageInfo } from './message.js';
import { escapePointerToken, isObject, type JsonObject } from './pointer.js';
import { OPEN_ENUM, OPTIONAL_NULL, SOURCE_ORDER, type DecisionClass, type RuleSource, type ServerMessagesPolicy } from './source.js';

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
  /**
   * Where the broken rule comes from (src/spec/source.ts): `lenient` for null in a field the
   * schema does not require and for a code outside a list of examples (`x-open-enum`), the
   * decision's class for a constraint under an `x-decision`, `seed` otherwise.
   */
  source: RuleSource;
  /** The decision id, `optional-null`, `open-enum`, or `seed`. */
  rule: string;
}

export type ValidationOutcome =
  /** The value is not a JSON object (a string, an array, null…). */
  | { kind: 'not-object'; actual: string }
  /** An object without a string in the profile's naming field. */
  | { kind: 'no-name'; field: string; actual: string }
  /**
   * A name that matches no message of that direction ("matches none", not "invalid"). Its source:
   * a server message the spec does not define is a `reading` (the profile lists every server
   * message) or, with `serverMessages: open`, a `choice`; an undefined client message is `seed`.
   */
  | { kind: 'unknown-name'; field: string; name: string; direction: Direction; otherDirections: Direction[]; source: RuleSource }
  /** The message was identified and breaks its schema. `extras` lists undefined fields too. */
  | { kind: 'invalid'; message: MessageInfo; errors: ValidationError[]; extras: string[] }
  /** The message matches its schema; `extras` are pointers to fields the spec does not define (`lenient`: NON-STRICT). */
  | { kind: 'valid'; message: MessageInfo; extras: readonly string[] };

/** What a validator needs: the messages with their generated schemas, and what their annotations mean. */
export interface ValidatorSource {
  /** The profile's name, for error messages. */
  name: string;
  namingField: string;
  messages: readonly { message: MessageInfo; schema: JsonObject }[];
  /** The class of every decision id an `x-decision` may name. */
  decisions: readonly { id: string; class: DecisionClass }[];
  serverMessages: ServerMessagesPolicy;
}

export interface ProfileValidator {
  /** The profile's name. */
  readonly name: string;
  /** Identifies the message by the profile's naming field and validates it against that one schema. */
  validate(direction: Direction, value: unknown): ValidationOutcome;
  /** Validates against a named message, whatever the value's naming field says (explicit-only messages, --message). */
  validateAs(direction: Direction, name: string, value: unknown): ValidationOutcome;
  /** The directions in which a name exists (SDP: both). */
  directionsOf(name: string): Direction[];
  /** Compiles every hot-path validator now (benchmarks, load workers before the clock starts). */
  warm(): void;
}

/** Fields the spec does not define are never more than lenient. */
export const EXTRAS_SOURCE: RuleSource = 'lenient';

/**
 * Every source an outcome deviates by, strongest first (SOURCE_ORDER); none for a valid message
 * without extras. Not-object and no-name break the seed's message structure.
 */
export function outcomeSources(outcome: ValidationOutcome): RuleSource[] {
  const found = new Set<RuleSource>();
  if (outcome.kind === 'not-object' || outcome.kind === 'no-name') found.add('seed');
  else if (outcome.kind === 'unknown-name') found.add(outcome.source);
  else {
    if (outcome.kind === 'invalid') for (const e of outcome.errors) found.add(e.source);
    if (outcome.extras.length > 0) found.add(EXTRAS_SOURCE);
  }
  return SOURCE_ORDER.filter((s) => found.has(s));
}

/** The strongest source a message deviates by (`seed` before `reading`, `lenient`, `choice`), or undefined when it does not deviate. */
export function worstSource(outcome: ValidationOutcome): RuleSource | undefined {
  return outcomeSources(outcome)[0];
}

const NO_EXTRAS: readonly string[] = Object.freeze([]);

/** ajv's three instances for one profile: the hot path, and two that explain a failure. */
interface Compilers {
  /** Closed schemas, first error only: one call decides "valid without extras" on the hot path. */
  fast: AjvInstance;
  /** The schemas as written, every error, with the failing data and schema: the real violations and their sources. */
  open: AjvInstance;
  /** Closed schemas, every error: where the undefined fields are. */
  closed: AjvInstance;
}

class Entry {
  private fast?: ValidateFunction;
  private open?: ValidateFunction;
  private closed?: ValidateFunction;
  private regions?: WeakMap<object, string | undefined>;
  readonly validOutcome: ValidationOutcome;

  constructor(
    readonly message: MessageInfo,
    private readonly schema: JsonObject,
    private readonly compilers: Compilers,
    private readonly classes: ReadonlyMap<string, DecisionClass>,
  ) {
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
    // `if` errors only repeat the errors of the branch that applied.
    const errors = (this.open.errors ?? []).filter((e) => e.keyword !== 'if');
    return { kind: 'invalid', message: this.message, errors: this.attribute(value, errors), extras: uniqueExtras };
  }

  /**
   * Gives each error its source. A null is tested by validating a copy without the null-valued
   * fields: if that copy misses nothing at the null's pointer, the field was optional and the null
   * is lenient; if it does, the null is judged by the rule that requires the field.
   */
  private attribute(value: unknown, errors: ErrorObject[]): ValidationError[] {
    const open = this.open as ValidateFunction;
    const nulls = new Set<string>();
    const requiredAfter = new Map<string, ErrorObject>();
    if (errors.some((e) => e.keyword !== 'required' && e.data === null)) {
      open(withoutNulls(value, '', nulls));
      for (const e of open.errors ?? []) if (e.keyword === 'required') requiredAfter.set(missingPointer(e), e);
    }
    const ruleOf = (e: ErrorObject): { source: RuleSource; rule: string } => {
      if (e.keyword !== 'required' && e.data === null && nulls.has(e.instancePath)) {
        const required = requiredAfter.get(e.instancePath);
        return required ? this.decisionOf(required) : { source: 'lenient', rule: OPTIONAL_NULL };
      }
      if (e.keyword === 'enum' && isObject(e.parentSchema) && e.parentSchema['x-open-enum'] === true) return { source: 'lenient', rule: OPEN_ENUM };
      return this.decisionOf(e);
    };
    return errors.map((e) => ({ ...describeError(e), ...ruleOf(e) }));
  }

  /** The class and id of the nearest `x-decision` above the failing keyword, or `seed`. */
  private decisionOf(error: ErrorObject): { source: RuleSource; rule: string } {
    if (!this.regions) {
      this.regions = new WeakMap();
      indexRegions(this.schema, undefined, this.regions);
    }
    const id = isObject(error.parentSchema) ? this.regions.get(error.parentSchema) : undefined;
    if (id === undefined) return { source: 'seed', rule: 'seed' };
    // The profile loader refuses an x-decision that names no decision; a hand-made source might not. It is still ours, not the seed's.
    return { source: this.classes.get(id) ?? 'reading', rule: id };
  }
}

/**
 * Maps every schema object of a generated schema to the nearest `x-decision` above it within its
 * own definition. (A definition reached from inside a decision's region carries that decision at
 * its root: src/spec/generate.ts.)
 */
function indexRegions(node: unknown, region: string | undefined, map: WeakMap<object, string | undefined>): void {
  if (Array.isArray(node)) {
    for (const item of node) indexRegions(item, region, map);
    return;
  }
  if (!isObject(node)) return;
  const own = typeof node['x-decision'] === 'string' ? node['x-decision'] : region;
  map.set(node, own);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'enum' || key === 'const' || key === 'default') continue;
    indexRegions(child, key === '$defs' || key === 'definitions' ? undefined : own, map);
  }
}

/** A copy of a value without its null-valued object fields, whose pointers go to `removed`. Array items stay. */
function withoutNulls(value: unknown, pointer: string, removed: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withoutNulls(item, `${pointer}/${i}`, removed));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const at = `${pointer}/${escapePointerToken(key)}`;
    if (field === null) removed.add(at);
    else out[key] = withoutNulls(field, at, removed);
  }
  return out;
}

function missingPointer(error: ErrorObject): string {
  return `${error.instancePath}/${escapePointerToken(String((error.params as { missingProperty: string }).missingProperty))}`;
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

/** An ajv error as pointer, keyword, message, expected and actual. */
function describeError(error: ErrorObject): Omit<ValidationError, 'source' | 'rule'> {
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    return { pointer: missingPointer(error), keyword: 'required', message: `missing required field ${missing}`, expected: 'present', actual: 'missing' };
  }
  return { pointer: error.instancePath, keyword: error.keyword, message: error.message ?? error.keyword, expected: expectedOf(error), actual: describeValue(error.data) };
}

class Validator implements ProfileValidator {
  readonly name: string;
  private readonly byDirection: Record<Direction, Map<string, Entry>> = { client: new Map(), server: new Map() };
  private readonly namingField: string;
  private readonly unknownServerSource: RuleSource;

  constructor(source: ValidatorSource) {
    this.name = source.name;
    this.namingField = source.namingField;
    this.unknownServerSource = source.serverMessages === 'open' ? 'choice' : 'reading';
    const compilers: Compilers = {
      fast: createAjv({ allErrors: false }),
      open: createAjv({ allErrors: true, verbose: true }),
      closed: createAjv({ allErrors: true }),
    };
    const classes = new Map(source.decisions.map((d) => [d.id, d.class]));
    for (const { message, schema } of source.messages) {
      this.byDirection[message.direction].set(message.name, new Entry(message, schema, compilers, classes));
    }
  }

  validate(direction: Direction, value: unknown): ValidationOutcome {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'not-object', actual: describeValue(value) };
    const name = (value as Record<string, unknown>)[this.namingField];
    if (typeof name !== 'string') return { kind: 'no-name', field: this.namingField, actual: name === undefined ? 'missing' : describeValue(name) };
    const entry = this.byDirection[direction].get(name);
    if (entry === undefined || entry.message.explicitOnly) {
      const source = direction === 'server' ? this.unknownServerSource : 'seed';
      return { kind: 'unknown-name', field: this.namingField, name, direction, otherDirections: this.directionsOf(name).filter((d) => d !== direction), source };
    }
    return entry.check(value);
  }

  validateAs(direction: Direction, name: string, value: unknown): ValidationOutcome {
    const entry = this.byDirection[direction].get(name);
    if (entry === undefined) throw ccError('CC_ERR_UNKNOWN_MESSAGE', { profile: this.name, direction, name });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'not-object', actual: describeValue(value) };
    return entry.check(value);
  }

  directionsOf(name: string): Direction[] {
    const out: Direction[] = [];
    if (this.byDirection.client.has(name)) out.push('client');
    if (this.byDirection.server.has(name)) out.push('server');
    return out;
  }

  warm(): void {
    for (const map of Object.values(this.byDirection)) for (const entry of map.values()) entry.warm();
  }
}

/**
 * A validator over the given messages. Each message's schema is compiled on first use (or all at
 * once with `warm`), never per message validated. Build one per profile and share it
 * (`getValidator` in src/profile/validator.ts does).
 */
export function createValidator(source: ValidatorSource): ProfileValidator {
  return new Validator(source);
}
