import { readdirSync, existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ccError } from '../errors.js';
import type { SchemaSet } from '../spec/build.js';
import type { JsonObject } from '../spec/pointer.js';
import { packageRoot } from '../util/paths.js';
import { checkDecisionRefs } from './decisions.js';
import { readSpecDocument } from './document.js';
import { readExtension } from './extension.js';
import { deriveMessages, type MessageSource } from './messages.js';
import type { Profile } from './types.js';

interface Loaded {
  profile: Profile;
  doc: JsonObject;
  sources: MessageSource[];
}

/** Profiles by absolute spec path, and the parsed documents behind them (for the generator). */
const cache = new Map<string, Loaded>();
const byProfile = new WeakMap<Profile, Loaded>();

function bundledDir(): string {
  return join(packageRoot(), 'schemas');
}

/** The bundled profiles: folders of schemas/ that hold an asyncapi.yaml, sorted. */
export function listProfiles(): string[] {
  const dir = bundledDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'asyncapi.yaml')))
    .map((entry) => entry.name)
    .sort();
}

/** A bare name (`assa`) is a bundled profile; anything with a slash or a YAML/JSON suffix is a path. */
function specPathOf(nameOrPath: string): string {
  if (/[\\/]/.test(nameOrPath) || /\.(ya?ml|json)$/i.test(nameOrPath)) return resolve(nameOrPath);
  const known = listProfiles();
  if (!known.includes(nameOrPath)) {
    throw ccError('CC_ERR_UNKNOWN_PROFILE', { profile: JSON.stringify(nameOrPath), known: known.join(', ') || '(none)' });
  }
  return join(bundledDir(), nameOrPath, 'asyncapi.yaml');
}

function build(specPath: string): Loaded {
  const doc = readSpecDocument(specPath);
  const ext = readExtension(doc, specPath);
  checkDecisionRefs(doc, ext.decisions, specPath);
  const info = (doc.info ?? {}) as JsonObject;
  const { messages: sources, operations } = deriveMessages(doc, ext.namingField, specPath);
  const profile: Profile = {
    name: ext.name ?? basename(dirname(specPath)),
    title: typeof info.title === 'string' ? info.title : basename(dirname(specPath)),
    version: String(info.version ?? ''),
    specPath,
    generatedDir: join(dirname(specPath), 'generated'),
    namingField: ext.namingField,
    correlation: ext.correlation,
    codec: ext.codec,
    framing: ext.framing,
    transports: ext.transports,
    auth: ext.auth,
    errorCodes: ext.errorCodes,
    limits: ext.limits,
    timers: ext.timers,
    autofill: ext.autofill,
    load: ext.load,
    decisions: ext.decisions,
    decisionPolicy: ext.decisionPolicy,
    serverMessages: ext.serverMessages,
    // The public list carries no payloads: a Profile stays small and serialisable.
    messages: sources.map(({ message: _m, payload: _p, ...meta }) => meta),
    operations,
  };
  if (ext.defaultPort !== undefined) profile.defaultPort = ext.defaultPort;
  if (ext.heartbeat !== undefined) profile.heartbeat = ext.heartbeat;
  if (ext.errorMessage !== undefined) profile.errorMessage = ext.errorMessage;
  if (ext.errorCodePath !== undefined) profile.errorCodePath = ext.errorCodePath;
  if (ext.isolation !== undefined) profile.isolation = ext.isolation;
  return { profile, doc, sources };
}

/**
 * Loads a profile by bundled name or by the path of an AsyncAPI 3.0 document. Synchronous and
 * cached per path: every caller of one process shares the same Profile object.
 */
export function loadProfile(nameOrPath: string): Profile {
  const specPath = specPathOf(nameOrPath);
  let loaded = cache.get(specPath);
  if (!loaded) {
    loaded = build(specPath);
    cache.set(specPath, loaded);
    byProfile.set(loaded.profile, loaded);
  }
  return loaded.profile;
}

/** The parsed document and message sources behind a profile that loadProfile returned. */
export function profileSources(profile: Profile): { doc: JsonObject; sources: MessageSource[] } {
  let loaded = byProfile.get(profile);
  if (!loaded) {
    loadProfile(profile.specPath);
    loaded = cache.get(profile.specPath);
  }
  if (!loaded) throw ccError('CC_ERR_INTERNAL', { detail: `profile ${profile.name} was not loaded` });
  return { doc: loaded.doc, sources: loaded.sources };
}

/** What `schemas build` and `schemas check` need of a profile (src/spec/build.ts). */
export function schemaSetOf(profile: Profile): SchemaSet {
  const { doc, sources } = profileSources(profile);
  return { name: profile.name, namingField: profile.namingField, specPath: profile.specPath, generatedDir: profile.generatedDir, doc, messages: sources };
}

/** Forgets cached profiles (tests that rewrite a document in place). */
export function clearProfileCache(): void {
  cache.clear();
}
