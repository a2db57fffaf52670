import { MIXED_KEYWORDS, SCHEMA_ARRAY_KEYWORDS, SCHEMA_KEYWORDS, SCHEMA_MAP_KEYWORDS } from './keywords.js';
import { isObject, type Json, type JsonObject } from './pointer.js';

function declaresObject(schema: JsonObject): boolean {
  const type = schema.type;
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
}

/**
 * The "closed" twin of a generated schema, used to find fields the spec does not define: every
 * schema that declares `type: object` and lists `properties`, and says nothing about
 * `additionalProperties`, gets `additionalProperties: false`.
 *
 * Only schemas that declare their type are closed: branches (`then`, `else`, `allOf` members)
 * that refine an object without restating `type: object` stay open, so a field the parent lists
 * is never reported as extra because a branch does not repeat it. docs/profiles.md states this
 * rule for authors.
 */
export function closeSchema(node: Json): Json {
  if (Array.isArray(node) || !isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (SCHEMA_KEYWORDS.has(key)) out[key] = closeSchema(value);
    else if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) out[key] = value.map(closeSchema);
    else if ((SCHEMA_MAP_KEYWORDS.has(key) || key === '$defs' || key === 'definitions') && isObject(value)) {
      const map: JsonObject = {};
      for (const [name, schema] of Object.entries(value)) map[name] = closeSchema(schema);
      out[key] = map;
    } else if (MIXED_KEYWORDS.has(key)) {
      if (key === 'items') out[key] = Array.isArray(value) ? value.map(closeSchema) : closeSchema(value);
      else if (isObject(value)) {
        const map: JsonObject = {};
        for (const [name, dep] of Object.entries(value)) map[name] = Array.isArray(dep) ? dep : closeSchema(dep);
        out[key] = map;
      } else out[key] = value;
    } else out[key] = value;
  }
  if (isObject(out.properties) && declaresObject(out) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
