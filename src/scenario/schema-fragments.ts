/**
 * Pieces of JSON Schema the scenario format repeats (durations, client names, message names),
 * shared by the case's schema, the steps' fragments and the `load:` section.
 */
import { TOKEN_VARIANTS } from '../auth/tokens.js';

export const fixedDuration = {
  anyOf: [
    { type: 'number', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$' },
  ],
  description: 'milliseconds, or a number with a unit: 300ms, 2s, 1.5m, 1h',
};

/** A step's duration may also be a template evaluated when the step runs: "${timers.pongTimeout + 500ms}". */
export const duration = {
  anyOf: [...fixedDuration.anyOf, { type: 'string', pattern: '^\\s*\\$\\{[^}]+\\}\\s*$' }],
  description: `${fixedDuration.description}, or a template such as "\${timers.pongTimeout + 500ms}"`,
};

export const clientName = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' };
export const clientList = { type: 'array', items: clientName, minItems: 1, uniqueItems: true };
export const messageNames = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 }] };
export const tokenVariant = { enum: [...TOKEN_VARIANTS] };

/** Steps that address one client or several take `client: x` or `clients: [x, y]`. */
export const oneOrMany = {
  client: clientName,
  clients: clientList,
};

/** `source:` of a case or a checking step: `seed`, or a decision id of the profile (checked by the parser). */
export const verdictSource = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' };

export const httpStatus = { type: 'integer', minimum: 100, maximum: 599 };
export const captureMap = { type: 'object', propertyNames: clientName, additionalProperties: { type: 'string', minLength: 1 } };
