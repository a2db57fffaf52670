import { LOAD_SECTION_SCHEMA } from './load-section.schema.js';
import { clientName, fixedDuration, tokenVariant, verdictSource } from './schema-fragments.js';
import { STEP_KINDS, STEPS } from './steps/index.js';

/**
 * The JSON Schema of the scenario format itself (one YAML document = one case). ajv checks every
 * document against it on load, so a typo is reported at file:line:column before anything runs.
 * Documented in docs/scenarios.md; keep both in step.
 */

export const scenarioSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://chat-conform.dev/schemas/scenario.json',
  title: 'chat-conform scenario case',
  type: 'object',
  // steps, or a load: section (docs/load.md): the parser checks that one of them is there.
  required: ['id', 'title'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]*$' },
    title: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    profile: { type: 'string', minLength: 1 },
    spec: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    strength: { enum: ['MUST', 'SHOULD', 'MAY', 'UNSPECIFIED'] },
    tags: { type: 'array', items: { type: 'string', minLength: 1 } },
    decisions: { type: 'array', items: { type: 'string', minLength: 1 } },
    source: verdictSource,
    requires: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['admin_url'] } },
    transports: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['tcp', 'tcp+lp', 'tls', 'ws', 'wss'] } },
    timeout: fixedDuration,
    within: fixedDuration,
    unexpected: { enum: ['record', 'fail'] },
    variables: { type: 'object', propertyNames: clientName },
    clients: {
      type: 'object',
      propertyNames: clientName,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['user_id'],
        properties: {
          user_id: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }] },
          nickname: { type: 'string' },
          claims: { type: 'object' },
          token: tokenVariant,
          heartbeat: { enum: ['auto', 'manual', 'ignore'] },
        },
      },
    },
    setup: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
    steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
    load: LOAD_SECTION_SCHEMA,
  },
  definitions: {
    step: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      // Each step's body is its module's (./steps/): `repeat` and `parallel` hold `#/definitions/step`.
      properties: Object.fromEntries(STEP_KINDS.map((kind) => [kind, STEPS[kind].schema])),
    },
  },
} as const;
