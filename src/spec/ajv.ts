import AjvModule, { type FormatDefinition, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isDateTime } from './date-time.js';
import { addProtocolFormats } from './formats.js';
import { ANNOTATION_KEYWORDS } from './keywords.js';

// Both packages ship CommonJS; under NodeNext the callable is the default export's `default`.
export const Ajv = AjvModule.default;
export type AjvInstance = InstanceType<typeof Ajv>;
const addFormats = addFormatsModule.default;

/**
 * Strict mode stays on: an unknown keyword, an unknown format or an ambiguous type is an error
 * at compile time, never silently ignored. The one exception is strictRequired, which ajv itself
 * leaves off by default: it cannot see that a `required` inside an if/then branch names a property
 * the parent schema declares, and would refuse every success/failure reply form.
 */
export const STRICT: Options = {
  strictSchema: true,
  strictNumbers: true,
  strictTypes: true,
  strictTuples: true,
  strictRequired: false,
  // `type: [integer, 'null']` is how the specs write nullable fields.
  allowUnionTypes: true,
};

/**
 * ajv-formats' full formats, with `date-time` checked by the hand-written equivalent (every
 * message's timestamp goes through it; ajv-formats' own splits and runs two regexes). The one
 * place any ajv instance here gets its formats.
 */
export function addFormatsTo(ajv: AjvInstance): void {
  addFormats(ajv);
  // ajv-formats defines it as { validate, compare }: keep its compare (formatMinimum & co).
  const reference = addFormats.get('date-time') as FormatDefinition<string>;
  ajv.addFormat('date-time', { ...reference, type: 'string', validate: isDateTime });
}

/** An ajv instance with the formats (date-time, int32, …) and annotation keywords the generated schemas use. */
export function createAjv(options: Options = {}): AjvInstance {
  const ajv = new Ajv({ ...STRICT, ...options });
  addFormatsTo(ajv);
  addProtocolFormats(ajv);
  // Annotations only: no code, so a valid message costs nothing more; the type is checked at compile time.
  for (const [keyword, schemaType] of Object.entries(ANNOTATION_KEYWORDS)) ajv.addKeyword({ keyword, schemaType });
  return ajv;
}
