/**
 * JSON Schema draft-07 keywords by what their value is. The generator walks only into
 * schema-valued keywords, so data (`const`, `enum`, `default`) is never rewritten.
 */

/** Keywords whose value is one schema. */
export const SCHEMA_KEYWORDS = new Set(['additionalItems', 'additionalProperties', 'contains', 'else', 'if', 'not', 'propertyNames', 'then']);
/** Keywords whose value is an array of schemas. */
export const SCHEMA_ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf']);
/** Keywords whose value maps names to schemas. */
export const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties']);
/** `items` is a schema or an array of schemas; `dependencies` maps to a schema or a list of names. */
export const MIXED_KEYWORDS = new Set(['items', 'dependencies']);

/** Assertions and annotations that pass through unchanged. */
export const VALUE_KEYWORDS = new Set([
  '$comment', 'title', 'description', 'default', 'readOnly', 'writeOnly',
  'type', 'enum', 'const', 'format', 'contentMediaType', 'contentEncoding',
  'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems',
  'maxProperties', 'minProperties', 'required',
]);

/**
 * AsyncAPI's own schema keywords and pure annotations that ajv's strict mode would refuse or that
 * mean nothing to validation. `discriminator` is a property name in AsyncAPI but an object in
 * ajv's OpenAPI mode; `examples` are illustrations, kept in the AsyncAPI document and tested as
 * fixtures instead of copied into every generated file. `x-*` (including the parser's
 * `x-parser-schema-id`) is handled by prefix.
 */
export const STRIPPED_KEYWORDS = new Set(['discriminator', 'externalDocs', 'deprecated', 'examples', 'example', '$schema']);

/**
 * The `x-` keys the generator keeps: chat-conform's own annotations, declared to ajv as keywords
 * that assert nothing (createAjv), so strict mode stays on. `x-decision` names the decision a
 * schema node's constraints come from; `x-open-enum: true` says its `enum` lists examples, not
 * every value. The validator reads both to give each error its source (src/spec/validator.ts).
 */
export const ANNOTATION_KEYWORDS: Readonly<Record<string, 'string' | 'boolean'>> = { 'x-decision': 'string', 'x-open-enum': 'boolean' };

/** Local definitions: what they hold is lifted into `$defs` when referenced, so the containers go. */
export const DEFINITION_KEYWORDS = new Set(['definitions', '$defs']);

/** What may sit beside a `$ref` without changing validation (and is therefore dropped). */
export const REF_ANNOTATIONS = new Set(['$comment', 'title', 'description', 'readOnly', 'writeOnly', ...STRIPPED_KEYWORDS]);
