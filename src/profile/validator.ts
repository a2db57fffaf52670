import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccError } from '../errors.js';
import { generateMessageSchema } from '../spec/generate.js';
import type { JsonObject } from '../spec/pointer.js';
import { createValidator, type ProfileValidator } from '../spec/validator.js';
import { profileSources } from './load.js';
import type { Profile, ProfileMessage } from './types.js';

const validators = new WeakMap<Profile, ProfileValidator>();

/** The generated schema of each message; a profile of one's own may have no generated/ folder yet, so the same schema is generated in memory. */
function messageSchemas(profile: Profile): { message: ProfileMessage; schema: JsonObject }[] {
  let sources: ReturnType<typeof profileSources> | undefined;
  return profile.messages.map((message) => {
    const path = join(profile.generatedDir, message.schemaFile.replace(/^generated\//, ''));
    if (existsSync(path)) return { message, schema: JSON.parse(readFileSync(path, 'utf8')) as JsonObject };
    sources ??= profileSources(profile);
    const source = sources.sources.find((s) => s.id === message.id);
    if (!source) throw ccError('CC_ERR_INTERNAL', { detail: `no source for ${message.id}` });
    return { message, schema: generateMessageSchema(sources.doc, profile.name, source, profile.specPath) };
  });
}

/**
 * The validator of a profile (src/spec/validator.ts), built once per process and shared. Each
 * message's schema is compiled on first use (or all at once with `warmValidator`), never per
 * message validated.
 */
export function getValidator(profile: Profile): ProfileValidator {
  let validator = validators.get(profile);
  if (!validator) {
    validator = createValidator({
      name: profile.name,
      namingField: profile.namingField,
      messages: messageSchemas(profile),
      decisions: profile.decisions,
      serverMessages: profile.serverMessages,
    });
    validators.set(profile, validator);
  }
  return validator;
}

/** Compiles every schema of a profile ahead of time. */
export function warmValidator(profile: Profile): void {
  getValidator(profile).warm();
}
