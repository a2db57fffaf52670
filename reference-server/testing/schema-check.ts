/**
 * Validates every message the reference server sends in the tests against the profile's generated
 * JSON Schemas (src/spec's validator), so the server and the specs cannot drift apart unnoticed.
 * Violations are collected; each test file asserts none were seen.
 */
import { loadProfile } from '../../src/profile/load.js';
import { getValidator } from '../../src/profile/validator.js';
import type { ProfileValidator } from '../../src/spec/validator.js';

const validators = new Map<string, ProfileValidator>();
const violations: string[] = [];

function validatorFor(profile: string): ProfileValidator {
  let v = validators.get(profile);
  if (!v) {
    v = getValidator(loadProfile(profile));
    validators.set(profile, v);
  }
  return v;
}

/**
 * Checks one server → client message (identified by the profile's naming field, or by `name` for
 * messages that carry none, like OpenIRC's login reply); a violation or an undefined field is recorded.
 */
export function checkServerMessage(profile: string, value: unknown, name?: string): void {
  const v = validatorFor(profile);
  const outcome = name === undefined ? v.validate('server', value) : v.validateAs('server', name, value);
  const shown = JSON.stringify(value).slice(0, 300);
  if (outcome.kind === 'valid') {
    if (outcome.extras.length > 0) violations.push(`${profile}: fields the spec does not define ${outcome.extras.join(', ')} in ${shown}`);
    return;
  }
  const detail = outcome.kind === 'invalid'
    ? outcome.errors.map((e) => `${e.pointer || '/'}: ${e.message} (expected ${e.expected}, got ${e.actual}) [${e.source}${e.source === 'seed' ? '' : ` ${e.rule}`}]`).join('; ')
    : outcome.kind;
  violations.push(`${profile}: ${detail} in ${shown}`);
}

/** Returns and clears the violations seen so far. */
export function takeViolations(): string[] {
  return violations.splice(0);
}
