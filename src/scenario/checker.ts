/**
 * What the runner needs from schema validation, in its own words: one outcome per message. The
 * profile's validator (src/spec/) is adapted to this in `createChecker`, so only this file knows
 * its shape.
 */
import type { Direction, Profile } from '../profile/types.js';
import { getValidator } from '../spec/validator.js';

export interface SchemaIssue {
  /** JSON pointer of the offending value inside the message. */
  pointer: string;
  keyword?: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export type MessageCheck =
  | { kind: 'valid'; name: string; extras: string[] }
  | { kind: 'invalid'; name: string; issues: SchemaIssue[]; extras: string[] }
  | { kind: 'not-object' }
  | { kind: 'no-name' }
  /** The naming field holds a name the profile does not define in this direction. */
  | { kind: 'unknown'; name: string };

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
          return { kind: 'valid', name: outcome.message.name, extras: [...outcome.extras] };
        case 'invalid':
          return {
            kind: 'invalid',
            name: outcome.message.name,
            issues: outcome.errors.map((e) => ({ pointer: e.pointer, keyword: e.keyword, message: e.message, expected: e.expected, actual: e.actual })),
            extras: outcome.extras,
          };
        case 'not-object':
          return { kind: 'not-object' };
        case 'no-name':
          return { kind: 'no-name' };
        case 'unknown-name':
          return { kind: 'unknown', name: outcome.name };
      }
    },
  };
}
