import { ccError } from '../errors.js';

/** A JSON value as the YAML/JSON parsers produce it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 6901 escaping of one reference token. */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * Resolves a local `$ref` (`#/components/schemas/User`) in `doc`. Only references inside the same
 * document are supported: a profile is one self-contained file, so the generated schemas can stand alone.
 */
export function resolveLocalRef(doc: Json, ref: string, specPath: string): Json {
  if (!ref.startsWith('#')) throw ccError('CC_ERR_SPEC_REF', { path: specPath, ref: `${ref} (only references inside the document, starting with #, are supported)` });
  const pointer = ref.slice(1);
  if (pointer === '') return doc;
  if (!pointer.startsWith('/')) throw ccError('CC_ERR_SPEC_REF', { path: specPath, ref });
  let node: Json | undefined = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapePointerToken(decodeURIComponent(raw));
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = Object.prototype.hasOwnProperty.call(node, token) ? node[token] : undefined;
    else node = undefined;
    if (node === undefined) throw ccError('CC_ERR_SPEC_REF', { path: specPath, ref });
  }
  return node;
}

/** Follows `$ref` chains until a non-reference object; guards against a reference cycle. */
export function deref(doc: Json, node: Json, specPath: string): Json {
  let current = node;
  const seen = new Set<string>();
  while (isObject(current) && typeof current.$ref === 'string') {
    if (seen.has(current.$ref)) throw ccError('CC_ERR_SPEC_REF', { path: specPath, ref: `${current.$ref} (a reference cycle)` });
    seen.add(current.$ref);
    current = resolveLocalRef(doc, current.$ref, specPath);
  }
  return current;
}
