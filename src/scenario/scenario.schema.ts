import { LOAD_SECTION_SCHEMA } from './load-section.schema.js';
import { captureMap, clientList, clientName, duration, fixedDuration, httpStatus, messageNames, oneOrMany, tokenVariant } from './schema-fragments.js';

/**
 * The JSON Schema of the scenario format itself (one YAML document = one case). ajv checks every
 * document against it on load, so a typo is reported at file:line:column before anything runs.
 * Documented in docs/scenarios.md; keep both in step.
 */

export const STEP_KINDS = ['connect', 'send', 'expect', 'expect_none', 'expect_close', 'close', 'wait', 'capture', 'repeat', 'parallel', 'crowd', 'check', 'http'] as const;

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
    steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
    load: LOAD_SECTION_SCHEMA,
  },
  definitions: {
    step: {
      type: 'object',
      minProperties: 1,
      maxProperties: 1,
      additionalProperties: false,
      properties: {
        connect: {
          anyOf: [
            clientName,
            clientList,
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                ...oneOrMany,
                auth: { type: 'boolean' },
                await: { type: 'boolean' },
                expect: { enum: ['ok', 'refused'] },
                token: tokenVariant,
                url: { type: 'string' },
                within: duration,
                login: clientName,
              },
            },
          ],
        },
        send: {
          type: 'object',
          additionalProperties: false,
          required: ['client'],
          properties: {
            client: clientName,
            message: { type: 'string', minLength: 1 },
            data: {},
            fields: { type: 'object' },
            raw: { type: 'string' },
            raw_base64: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
            autofill: { type: 'boolean' },
          },
        },
        expect: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...oneOrMany,
            reply: { type: 'boolean' },
            message: messageNames,
            match: { type: 'object' },
            within: duration,
            next: { type: 'boolean' },
            capture: captureMap,
            none_for: clientList,
          },
        },
        expect_none: {
          type: 'object',
          additionalProperties: false,
          required: ['for'],
          properties: { ...oneOrMany, for: duration, message: messageNames },
        },
        expect_close: {
          anyOf: [
            clientName,
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                ...oneOrMany,
                code: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' }, minItems: 1 }] },
                within: duration,
              },
            },
          ],
        },
        close: {
          anyOf: [
            clientName,
            clientList,
            { type: 'object', additionalProperties: false, properties: { ...oneOrMany, code: { type: 'integer' } } },
          ],
        },
        wait: duration,
        capture: { type: 'object', minProperties: 1, propertyNames: clientName },
        check: {
          type: 'object',
          additionalProperties: false,
          required: ['value', 'match'],
          properties: { value: {}, match: {} },
        },
        crowd: {
          type: 'object',
          additionalProperties: false,
          required: ['count'],
          properties: {
            count: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*\\$\\{[^}]+\\}\\s*$' }] },
            user_id_from: { type: 'integer', minimum: 1 },
            hold: duration,
            within: duration,
          },
        },
        http: {
          type: 'object',
          additionalProperties: false,
          required: ['url'],
          properties: {
            method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
            url: { type: 'string', minLength: 1 },
            json: {},
            body: { type: 'string' },
            headers: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$' }, additionalProperties: { type: 'string' } },
            status: { anyOf: [httpStatus, { type: 'array', items: httpStatus, minItems: 1, uniqueItems: true }] },
            within: duration,
            capture: captureMap,
          },
        },
        repeat: {
          type: 'object',
          additionalProperties: false,
          required: ['times', 'steps'],
          properties: {
            times: { type: 'integer', minimum: 0 },
            as: clientName,
            steps: { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
          },
        },
        parallel: {
          type: 'array',
          minItems: 1,
          items: {
            anyOf: [
              { $ref: '#/definitions/step' },
              { type: 'array', minItems: 1, items: { $ref: '#/definitions/step' } },
            ],
          },
        },
      },
    },
  },
} as const;
