import { ccError } from '../errors.js';
import { ANNOTATION_KEYWORDS, DEFINITION_KEYWORDS, MIXED_KEYWORDS, REF_ANNOTATIONS, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS, STRIPPED_KEYWORDS, VALUE_KEYWORDS } from './keywords.js';
import type { Direction } from './message.js';
import { escapePointerToken, isObject, resolveLocalRef, unescapePointerToken, type Json, type JsonObject } from './pointer.js';

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** What the generator needs to know about one message. */
export interface MessageInput {
  name: string;
  direction: Direction;
  /** Key in components.messages. */
  key: string;
  specSection?: string;
  /** The payload, already unwrapped from `{schemaFormat, schema}`. */
  payload: Json;
}

/** `$id` of a generated schema: stable, unique per profile, direction and name. */
export function schemaId(profile: string, direction: Direction, name: string): string {
  return `urn:chat-conform:${profile}:${direction}:${name}`;
}

/**
 * Turns one AsyncAPI schema (and everything it references) into plain draft-07 JSON Schema.
 * Every `$ref` becomes `#/$defs/<name>`; the referenced schema is converted once and kept in
 * `$defs`, so a circular reference stays a reference instead of unrolling forever.
 *
 * `x-decision` covers everything under the node that carries it, through references too: a
 * schema referenced from inside a decision's region (and without an `x-decision` of its own) is
 * emitted as a second definition, `<name>.<decision id>`, whose root carries that decision. So
 * the nearest `x-decision` above any keyword, within its own definition, is its source, whichever
 * way the validator reached it (`MEDIA_STATUS_RESPONSE` reuses the request's `MediaStatusData`
 * under assa.D7.replies, while the request itself stays `seed`).
 */
class Converter {
  /** Definition name by the document pointer it came from and the decision it inherits. */
  private readonly names = new Map<string, string>();
  private readonly taken = new Set<string>();
  readonly defs: JsonObject = {};

  constructor(private readonly doc: Json, private readonly specPath: string) {}

  private fail(where: string, detail: string): never {
    throw ccError('CC_ERR_SPEC_INVALID', { path: this.specPath, detail: `${where}: ${detail}` });
  }

  private defFor(ref: string, where: string, decision: string | undefined): string {
    if (!ref.startsWith('#/')) this.fail(where, `$ref ${ref} is not a reference inside the document`);
    const target = resolveLocalRef(this.doc, ref, this.specPath);
    // A target with its own decision is the same whatever region references it.
    const inherited = isObject(target) && target['x-decision'] === undefined ? decision : undefined;
    const key = inherited === undefined ? ref : `${ref} ${inherited}`;
    const known = this.names.get(key);
    if (known !== undefined) return known;
    const tokens = ref.slice(2).split('/').map((t) => unescapePointerToken(decodeURIComponent(t)));
    const last = tokens[tokens.length - 1] ?? 'def';
    const base = (inherited === undefined ? last : `${last}.${inherited}`).replace(/[^A-Za-z0-9_.-]/g, '_') || 'def';
    let name = base;
    // Names are given in traversal order, which is the document's order: deterministic.
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`;
    this.names.set(key, name);
    this.taken.add(name);
    this.defs[name] = true; // placeholder while converting, so a cycle finds the name
    const converted = this.convert(target, ref, inherited);
    this.defs[name] = inherited !== undefined && isObject(converted) ? { ...converted, 'x-decision': inherited } : converted;
    return name;
  }

  /** Checks an annotation's value: ajv would refuse a wrong type too, but only once a message is validated. */
  private annotation(node: JsonObject, key: string, where: string): Json | undefined {
    const value = node[key];
    if (value === undefined) return undefined;
    const type = ANNOTATION_KEYWORDS[key];
    if (typeof value !== type || (type === 'string' && value === '')) this.fail(`${where}/${key}`, `must be a${type === 'string' ? ' non-empty string' : ' boolean'}`);
    return value;
  }

  convert(node: Json, where: string, decision?: string): Json {
    if (typeof node === 'boolean') return node;
    if (!isObject(node)) return this.fail(where, 'a schema must be an object or a boolean');
    const own = this.annotation(node, 'x-decision', where) as string | undefined;
    const openEnum = this.annotation(node, 'x-open-enum', where);
    if (openEnum !== undefined && node.enum === undefined) this.fail(`${where}/x-open-enum`, 'belongs beside the enum it opens');
    const region = own ?? decision;
    if (typeof node.$ref === 'string') {
      // Draft-07 and AsyncAPI ignore keywords beside $ref; ajv's newer drafts apply them. Rather
      // than pick one meaning silently, annotations are dropped and assertions are refused. An
      // x-decision there is kept: it is the decision of everything the reference reaches.
      const assertions = Object.keys(node).filter((k) => k !== '$ref' && !k.startsWith('x-') && !REF_ANNOTATIONS.has(k));
      if (assertions.length > 0) {
        this.fail(where, `keywords beside $ref (${assertions.join(', ')}) are ignored by AsyncAPI but applied by newer JSON Schema drafts; write allOf: [{$ref: '${node.$ref}'}, {${assertions.join(', ')}: ...}] instead`);
      }
      return { $ref: `#/$defs/${escapePointerToken(this.defFor(node.$ref, where, region))}` };
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      const at = `${where}/${escapePointerToken(key)}`;
      if (key in ANNOTATION_KEYWORDS) out[key] = value;
      else if (key.startsWith('x-') || STRIPPED_KEYWORDS.has(key) || DEFINITION_KEYWORDS.has(key)) continue;
      else if (VALUE_KEYWORDS.has(key)) out[key] = value;
      else if (SCHEMA_KEYWORDS.has(key)) out[key] = this.convert(value, at, region);
      else if (SCHEMA_ARRAY_KEYWORDS.has(key)) {
        if (!Array.isArray(value)) this.fail(at, `${key} must be an array of schemas`);
        out[key] = value.map((item, i) => this.convert(item, `${at}/${i}`, region));
      } else if (SCHEMA_MAP_KEYWORDS.has(key)) {
        if (!isObject(value)) this.fail(at, `${key} must map names to schemas`);
        const map: JsonObject = {};
        for (const [name, schema] of Object.entries(value)) map[name] = this.convert(schema, `${at}/${escapePointerToken(name)}`, region);
        out[key] = map;
      } else if (MIXED_KEYWORDS.has(key)) {
        if (key === 'items') {
          out[key] = Array.isArray(value) ? value.map((item, i) => this.convert(item, `${at}/${i}`, region)) : this.convert(value, at, region);
        } else {
          if (!isObject(value)) this.fail(at, 'dependencies must be an object');
          const map: JsonObject = {};
          for (const [name, dep] of Object.entries(value)) map[name] = Array.isArray(dep) ? dep : this.convert(dep, `${at}/${escapePointerToken(name)}`, region);
          out[key] = map;
        }
      } else if (key === '$id') {
        this.fail(at, '$id inside a payload would change how references resolve; remove it');
      } else {
        this.fail(at, `unknown keyword ${key} (not JSON Schema draft-07 nor AsyncAPI; prefix it with x- if it is an annotation)`);
      }
    }
    return out;
  }
}

/** Sorts object keys recursively: the files must be byte-for-byte the same on every machine. */
export function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json);
  return out;
}

/** The standalone JSON Schema of one message. */
export function generateMessageSchema(doc: Json, profileName: string, message: MessageInput, specPath: string): JsonObject {
  const converter = new Converter(doc, specPath);
  const where = `#/components/messages/${escapePointerToken(message.key)}/payload`;
  // A payload that is only a $ref is inlined at the root; the target still lands in $defs if it is reached again.
  let rootNode = message.payload;
  let rootWhere = where;
  const seen = new Set<string>();
  while (isObject(rootNode) && typeof rootNode.$ref === 'string' && Object.keys(rootNode).length === 1 && !seen.has(rootNode.$ref)) {
    seen.add(rootNode.$ref);
    rootWhere = rootNode.$ref;
    rootNode = resolveLocalRef(doc, rootNode.$ref, specPath);
  }
  const root = converter.convert(rootNode, rootWhere);
  const section = message.specSection ? `, seed ${message.specSection}` : '';
  const schema: JsonObject = {
    ...(isObject(root) ? root : { allOf: [root] }),
    $schema: DRAFT_07,
    $id: schemaId(profileName, message.direction, message.name),
    $comment: `Generated from ../../asyncapi.yaml (components.messages.${message.key}${section}) by \`chat-conform schemas build\`. Do not edit: change the AsyncAPI document and rebuild.`,
    title: `${profileName} ${message.direction} message ${message.name}`,
  };
  if (Object.keys(converter.defs).length > 0) schema.$defs = converter.defs;
  return sortKeys(schema) as JsonObject;
}

/** The text written for a generated file: two-space JSON and a trailing newline. */
export function renderJson(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
