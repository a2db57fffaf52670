import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ccError } from '../errors.js';
import { isObject, type JsonObject } from '../spec/pointer.js';

/**
 * Reads an AsyncAPI document (YAML or JSON) and checks it claims AsyncAPI 3.0. Full validation
 * against the official AsyncAPI JSON Schema is `schemas check`'s job (src/spec/asyncapi-schema.ts):
 * that schema ships in a dev dependency and costs half a second to compile.
 */
export function readSpecDocument(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw ccError('CC_ERR_FILE_NOT_FOUND', { path, reason });
  }
  const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const first = parsed.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    throw ccError('CC_ERR_SPEC_YAML', { path, line: pos?.line ?? 1, column: pos?.col ?? 1, reason: first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') });
  }
  const doc: unknown = parsed.toJS({ maxAliasCount: 1000 });
  if (!isObject(doc)) throw ccError('CC_ERR_SPEC_NOT_ASYNCAPI3', { path, reason: 'the top level is not a mapping' });
  const version = doc.asyncapi;
  if (version === undefined) throw ccError('CC_ERR_SPEC_NOT_ASYNCAPI3', { path, reason: 'it has no `asyncapi` field' });
  if (typeof version !== 'string' || !/^3\.0\.\d+$/.test(version)) {
    throw ccError('CC_ERR_SPEC_NOT_ASYNCAPI3', { path, reason: `asyncapi is ${JSON.stringify(version)}` });
  }
  return doc;
}
