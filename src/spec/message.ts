import { ccError } from '../errors.js';
import { deref, isObject, type Json, type JsonObject } from './pointer.js';

/** Who sends a message: `client` = client → server, `server` = server → client. */
export type Direction = 'client' | 'server';

/** One message of an AsyncAPI document, as the generator and the validator know it (no payload). */
export interface MessageInfo {
  /** Unique within the profile: `<direction>.<name>`, plus a variant for same-named shapes. */
  id: string;
  /** Value of the naming field (`action`, `type`, `kind`) that identifies this message. */
  name: string;
  direction: Direction;
  /** AsyncAPI message key in components.messages. */
  key: string;
  title?: string;
  summary?: string;
  /** Section of the seed spec that defines it, e.g. "§5.1". */
  specSection?: string;
  /** Path of the generated JSON Schema, relative to the profile folder. */
  schemaFile: string;
  /**
   * True when the payload has no constant naming field (e.g. an HTTP login reply): such a message
   * is never picked by name from the wire, only checked when a caller names it explicitly.
   */
  explicitOnly?: boolean;
}

/** RFC 7386 JSON Merge Patch: objects merge key by key, `null` deletes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

/** Schema formats every AsyncAPI 3.0 tool must support; others (Avro, RAML, OpenAPI) are refused. */
const SUPPORTED_SCHEMA_FORMAT = /^application\/(vnd\.aai\.asyncapi(\+json|\+yaml)?;version=[23]\.\d+\.\d+|schema\+(json|yaml);version=draft-07)$/;

/**
 * Unwraps a Multi Format Schema Object `{schemaFormat, schema}`. Handing the wrapper itself to
 * ajv would accept anything (neither key is a validation keyword), so every payload goes through here.
 */
export function unwrapSchema(doc: Json, node: Json, specPath: string, where: string): Json {
  const resolved = deref(doc, node, specPath);
  if (!isObject(resolved) || !('schema' in resolved)) return resolved;
  const keys = Object.keys(resolved).filter((key) => !key.startsWith('x-'));
  if (!keys.every((key) => key === 'schema' || key === 'schemaFormat')) return resolved;
  const format = resolved.schemaFormat;
  if (format !== undefined && (typeof format !== 'string' || !SUPPORTED_SCHEMA_FORMAT.test(format.replace(/\s+/g, '')))) {
    throw ccError('CC_ERR_SPEC_INVALID', {
      path: specPath,
      detail: `${where}: schemaFormat ${JSON.stringify(format)} is not supported (use the AsyncAPI schema format or JSON Schema draft-07)`,
    });
  }
  return resolved.schema ?? null;
}

/**
 * A message with its traits applied. AsyncAPI 3.0 merges traits with JSON Merge Patch, in order,
 * and the message's own fields take precedence over every trait.
 */
export function resolveMessage(doc: Json, node: Json, specPath: string, where: string): JsonObject {
  const message = deref(doc, node, specPath);
  if (!isObject(message)) throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `${where} is not a Message Object` });
  const { traits, ...own } = message;
  let merged: Json = {};
  if (Array.isArray(traits)) {
    for (const [i, trait] of traits.entries()) {
      const resolved = deref(doc, trait, specPath);
      if (!isObject(resolved)) throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `${where}/traits/${i} is not a Message Trait Object` });
      merged = mergePatch(merged, resolved);
    }
  }
  // Keys only the message has are copied as they are: a merge patch would drop a `const: null` inside a payload.
  const result: JsonObject = isObject(merged) ? { ...merged } : {};
  for (const [key, value] of Object.entries(own)) {
    result[key] = key in result ? mergePatch(result[key] ?? null, value) : value;
  }
  return result;
}
