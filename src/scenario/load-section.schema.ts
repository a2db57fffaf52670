/**
 * The shape of a case's `load:` section: part of the scenario format, so the parser reports a
 * typo in it at file:line:column like any other. src/load/plan.ts gives the section its meaning.
 */
import { fixedDuration } from './schema-fragments.js';

const messageSpec = {
  type: 'object',
  additionalProperties: false,
  required: ['message'],
  properties: { message: { type: 'string', minLength: 1 }, data: {}, fields: { type: 'object' } },
};

/** JSON Schema of the `load:` section (draft-07). */
export const LOAD_SECTION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clients: { type: 'integer', minimum: 1 },
    ramp: fixedDuration,
    duration: fixedDuration,
    drain: fixedDuration,
    user_id_base: { type: 'integer', minimum: 1 },
    rooms: {
      type: 'object',
      additionalProperties: false,
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1 },
        create: { ...messageSpec, required: ['message', 'id'], properties: { ...messageSpec.properties, id: { type: 'string', minLength: 1 } } },
        join: { ...messageSpec, properties: { ...messageSpec.properties, ack: { type: 'string', minLength: 1 } } },
      },
    },
    loop: {
      type: 'object',
      additionalProperties: false,
      required: ['send'],
      properties: {
        rate: { type: 'number', exclusiveMinimum: 0 },
        think: fixedDuration,
        send: { ...messageSpec, properties: { ...messageSpec.properties, marker: { type: 'string', minLength: 1 } } },
      },
    },
    delivery: {
      type: 'object',
      additionalProperties: false,
      required: ['message', 'text'],
      properties: { message: { type: 'string', minLength: 1 }, text: { type: 'string', minLength: 1 }, echo: { type: 'boolean' } },
    },
    reconnect: {
      type: 'object',
      additionalProperties: false,
      properties: { backoff: { type: 'array', items: fixedDuration, maxItems: 10 } },
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: {
        silent_clients: { type: 'integer', minimum: 0 },
        text_probes: { type: 'integer', minimum: 0 },
        oversize_senders: { type: 'integer', minimum: 0 },
        tolerance: fixedDuration,
      },
    },
    thresholds: { type: 'array', items: { type: 'string', minLength: 1 } },
    gate: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connect_failures: { type: 'integer', minimum: 0 },
        timeouts: { anyOf: [{ type: 'number', minimum: 0, maximum: 100 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*%\\s*$' }] },
      },
    },
  },
} as const;
