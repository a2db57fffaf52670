/**
 * Schema violations under load, kept as evidence: for each (message, pointer) the count and the
 * first sample (message, pointer, expected, actual, and the message as text, cut to 500 bytes),
 * and each classed by where its rule comes from, by the rule `run` follows (DESIGN.md, "its
 * source caps its verdict"; `strongestVerdictFor` in src/conformance/verdict.ts, under the
 * profile's decision policy): only the FAIL class counts toward `schema.violations`; NON-STRICT
 * and INFORMATIONAL are counted and listed apart (`schema.non_strict`, `schema.informational`).
 *
 * The source is the validator's: each ValidationError's, an unknown name's (a server message the
 * profile does not define is a reading, or a choice where the profile leaves them open), the
 * seed's for a value that is no message at all, and EXTRAS_SOURCE for fields the spec does not
 * define.
 */
import { strongestVerdictFor } from '../conformance/verdict.js';
import { MAX_KINDS } from '../report/load-figures.js';
import type { SchemaViolation } from '../report/model.js';
import type { DecisionPolicy, RuleSource } from '../spec/source.js';
import { EXTRAS_SOURCE, type ValidationOutcome } from '../spec/validator.js';

export type ViolationClass = SchemaViolation['class'];

/** The class of a violation of a rule of this source: the strongest verdict the source allows. */
export function classOf(source: RuleSource, policy: DecisionPolicy = 'cap'): ViolationClass {
  return strongestVerdictFor(source, policy) as ViolationClass;
}

/** Bytes of a sample's text. */
export const SAMPLE_BYTES = 500;

/** The message as text for a sample (JSON; MessagePack values rendered the same way), cut to `SAMPLE_BYTES`. */
export function sampleText(value: unknown): { text: string; truncated: boolean } {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength <= SAMPLE_BYTES) return { text, truncated: false };
  // Cut on a character boundary: drop a trailing partial character rather than keep half of it.
  return { text: bytes.subarray(0, SAMPLE_BYTES).toString('utf8').replace(/\uFFFD$/, ''), truncated: true };
}

interface Item {
  message: string;
  pointer: string;
  expected: string;
  actual: string;
  source: RuleSource;
  /** The decision id, `optional-null` or `open-enum` (none for the seed's own rules). */
  rule?: string;
}

/** What one outcome breaks, item by item (empty for a message valid without extras). */
function itemsOf(outcome: ValidationOutcome): Item[] {
  switch (outcome.kind) {
    case 'not-object':
      return [{ message: '(not an object)', pointer: '', expected: 'a JSON object', actual: outcome.actual, source: 'seed' }];
    case 'no-name':
      return [{ message: '(no name)', pointer: `/${outcome.field}`, expected: `a message name in ${outcome.field}`, actual: outcome.actual, source: 'seed' }];
    case 'unknown-name':
      return [{
        message: outcome.name, pointer: `/${outcome.field}`, expected: `a ${outcome.direction} message of the profile`,
        actual: `${JSON.stringify(outcome.name)}${outcome.otherDirections.length ? ` (a ${outcome.otherDirections.join('/')} message)` : ''}`, source: outcome.source,
      }];
    case 'invalid':
      return [
        ...outcome.errors.map((e) => ({ message: outcome.message.name, pointer: e.pointer, expected: e.expected, actual: e.actual, source: e.source, ...(e.source === 'seed' ? {} : { rule: e.rule }) })),
        ...extras(outcome.message.name, outcome.extras),
      ];
    case 'valid':
      return extras(outcome.message.name, outcome.extras);
  }
}

function extras(message: string, pointers: readonly string[]): Item[] {
  return pointers.map((pointer) => ({ message, pointer, expected: 'no such field (the spec does not define it)', actual: 'present', source: EXTRAS_SOURCE }));
}

/** One thread's log; slices' logs merge with `mergeViolations`. */
export class ViolationLog {
  private readonly kinds = new Map<string, SchemaViolation>();
  /** Kinds seen after MAX_KINDS were kept (counted, not listed). */
  omitted = 0;

  /** `policy`: the profile's decision policy (`enforce` makes a reading's or a choice's violation FAIL). */
  constructor(private readonly policy: DecisionPolicy = 'cap') {}

  /**
   * Records one inbound message's outcome; returns which classes it broke (for the counters: a
   * message counts once per class, however many pointers it breaks).
   */
  record(outcome: ValidationOutcome, value: unknown): { fail: boolean; nonStrict: boolean; informational: boolean } {
    const broke = { fail: false, nonStrict: false, informational: false };
    for (const item of itemsOf(outcome)) {
      const cls = classOf(item.source, this.policy);
      if (cls === 'FAIL') broke.fail = true;
      else if (cls === 'NON-STRICT') broke.nonStrict = true;
      else broke.informational = true;
      const key = `${cls}\u0000${item.message}\u0000${item.pointer}`;
      const seen = this.kinds.get(key);
      if (seen) seen.count++;
      else if (this.kinds.size < MAX_KINDS) {
        this.kinds.set(key, { class: cls, source: item.source, ...(item.rule ? { rule: item.rule } : {}), message: item.message, pointer: item.pointer, count: 1, expected: item.expected, actual: item.actual, sample: sampleText(value) });
      } else this.omitted++;
    }
    return broke;
  }

  list(): SchemaViolation[] {
    return [...this.kinds.values()];
  }
}
