/**
 * What the runner needs from schema validation, in its own words: one outcome per message. The
 * profile's validator (src/spec/) is adapted to this in `createChecker`, so only this file knows
 * its shape.
 */
import type { Direction, Profile } from '../profile/types.js';
import { getValidator } from '../profile/validator.js';
import type { RuleSource } from '../spec/source.js';
import { EXTRAS_SOURCE } from '../spec/validator.js';

export interface SchemaIssue {
  /** JSON pointer of the offending value inside the message. */
  pointer: string;
  keyword?: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** Where the broken rule comes from; it caps the verdict (src/conformance/verdict.ts). */
  source: RuleSource;
  /** The decision id, `optional-null`, `open-enum`, or `seed`. */
  rule: string;
}

export type MessageCheck =
  /** `extras` are fields the spec does not define, at most `extrasSource` (lenient). */
  | { kind: 'valid'; name: string; extras: string[]; extrasSource: RuleSource }
  | { kind: 'invalid'; name: string; issues: SchemaIssue[]; extras: string[]; extrasSource: RuleSource }
  | { kind: 'not-object' }
  | { kind: 'no-name' }
  /**
   * The naming field holds a name the profile does not define in this direction: a `reading`
   * for a server message (a `choice` when the profile leaves server messages open), else `seed`.
   */
  | { kind: 'unknown'; name: string; source: RuleSource };

export interface MessageChecker {
  check(direction: Direction, value: unknown): MessageCheck;
}

/** Adapts the profile's validator (src/spec/validator.ts); compiled once per profile by it. */
export function createChecker(profile: Profile): MessageChecker {
  const validator = getValidator(profile);
  return {
    check(direction, value) {
      const outcome = validator.validate(direction, value);
      switch (outcome.kind) {
        case 'valid':
          return { kind: 'valid', name: outcome.message.name, extras: [...outcome.extras], extrasSource: EXTRAS_SOURCE };
        case 'invalid':
          return {
            kind: 'invalid',
            name: outcome.message.name,
            issues: outcome.errors.map((e) => ({ pointer: e.pointer, keyword: e.keyword, message: e.message, expected: e.expected, actual: e.actual, source: e.source, rule: e.rule })),
            extras: outcome.extras,
            extrasSource: EXTRAS_SOURCE,
          };
        case 'not-object':
          return { kind: 'not-object' };
        case 'no-name':
          return { kind: 'no-name' };
        case 'unknown-name':
          return { kind: 'unknown', name: outcome.name, source: outcome.source };
      }
    },
  };
}
