import AjvModule, { type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { addProtocolFormats } from './formats.js';

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

/** An ajv instance with the formats the generated schemas use (date-time, int32, …). */
export function createAjv(options: Options = {}): AjvInstance {
  const ajv = new Ajv({ ...STRICT, ...options });
  addFormats(ajv);
  addProtocolFormats(ajv);
  return ajv;
}
