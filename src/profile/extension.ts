import type { ErrorObject, ValidateFunction } from 'ajv';
import { ccError } from '../errors.js';
import { Ajv, STRICT } from '../spec/ajv.js';
import { parseDuration, parseSize } from '../util/duration.js';
import type { Profile, ProfileLimits, ProfileTimers } from './types.js';

/** The root-level extension of a profile document; docs/profiles.md describes every field. */
export const EXTENSION_KEY = 'x-chat-conform';

/** What the extension holds once read: the Profile fields that AsyncAPI cannot express. */
export type ProfileExtension = Pick<
  Profile,
  'namingField' | 'correlation' | 'codec' | 'framing' | 'transports' | 'auth' | 'errorCodes' | 'limits' | 'timers' | 'autofill' | 'load' | 'decisions' | 'decisionPolicy' | 'serverMessages'
> &
  Partial<Pick<Profile, 'name' | 'defaultPort' | 'heartbeat' | 'errorMessage' | 'errorCodePath' | 'isolation'>>;

const duration = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$' }] };
const size = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?\\s*([bB]|[kKmMgG][iI]?[bB])?\\s*$' }] };
const count = { type: 'integer', minimum: 0 };
const field = { type: 'string', minLength: 1 };

const authRequired: Record<string, string[]> = {
  message: ['message', 'tokenPath', 'reply'],
  query: ['param'],
  'http-login': ['method', 'path', 'body', 'tokenPath', 'wsUrlPath'],
  none: [],
};

const extensionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['namingField', 'correlation', 'codec', 'framing', 'transports', 'auth', 'errorCodes'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    namingField: field,
    correlation: {
      type: 'object',
      additionalProperties: false,
      required: ['requestField', 'replyField', 'generator'],
      properties: { requestField: field, replyField: field, generator: { enum: ['string', 'int32'] } },
    },
    codec: { enum: ['json', 'msgpack'] },
    framing: { enum: ['ndjson', 'length-prefixed'] },
    transports: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['ws', 'wss', 'tcp', 'tcp+lp', 'tls'] } },
    defaultPort: { type: 'integer', minimum: 1, maximum: 65535 },
    auth: {
      type: 'object',
      additionalProperties: false,
      required: ['kind'],
      properties: {
        kind: { enum: Object.keys(authRequired) },
        message: field,
        tokenPath: field,
        reply: field,
        param: field,
        method: { const: 'POST' },
        path: field,
        body: { type: 'object' },
        wsUrlPath: field,
      },
      allOf: Object.entries(authRequired).map(([kind, required]) => ({
        if: { properties: { kind: { const: kind } } },
        then: { required },
      })),
    },
    heartbeat: {
      type: 'object',
      additionalProperties: false,
      required: ['ping', 'pong', 'initiator'],
      properties: { ping: field, pong: field, echoField: field, initiator: { enum: ['server', 'client'] } },
    },
    errorMessage: field,
    errorCodePath: field,
    errorCodes: { type: 'array', uniqueItems: true, items: field },
    limits: {
      type: 'object',
      additionalProperties: false,
      properties: { maxTextChars: count, maxMessageBytes: size, maxImageBytes: size, maxConnections: count, maxMessagesPerSecond: count },
    },
    timers: {
      type: 'object',
      additionalProperties: false,
      properties: { connectTimeout: duration, responseTimeout: duration, pingInterval: duration, pongTimeout: duration },
    },
    autofill: { type: 'object', additionalProperties: { enum: ['now-iso', 'correlation-id'] } },
    load: {
      type: 'object',
      additionalProperties: false,
      properties: {
        senderCopy: { enum: ['expected', 'allowed'] },
        tooLong: field,
        barrier: { type: 'object', additionalProperties: false, required: ['send', 'code'], properties: { send: { type: 'object' }, code: field } },
      },
    },
    decisions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'class', 'text', 'reason'],
        properties: { id: { type: 'string', pattern: '^[a-z0-9]+\\.D\\d+(\\.[a-z0-9-]+)?$' }, class: { enum: ['reading', 'choice'] }, text: field, reason: field },
      },
    },
    decisionPolicy: { enum: ['cap', 'enforce'] },
    serverMessages: { enum: ['closed', 'open'] },
    isolation: {
      type: 'object',
      additionalProperties: false,
      required: ['fields'],
      properties: { fields: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$' } } },
    },
  },
};

let compiled: ValidateFunction | undefined;

function describe(error: ErrorObject): string {
  const at = `/${EXTENSION_KEY}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${at}: missing required field ${String(params.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${at}: unknown field ${String(params.additionalProperty)}`;
  if (error.keyword === 'anyOf') {
    return error.instancePath.startsWith('/timers/')
      ? `${at}: must be a duration such as 300ms, 30s or 1m`
      : `${at}: must be a number of bytes or a size such as 512KiB or 1MiB`;
  }
  if (error.keyword === 'enum') return `${at}: must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${at}: ${error.message ?? error.keyword}`;
}

/** Validates and normalises the extension: timers become milliseconds, sizes bytes. */
export function readExtension(doc: Record<string, unknown>, specPath: string): ProfileExtension {
  const raw = doc[EXTENSION_KEY];
  if (raw === undefined) throw ccError('CC_ERR_SPEC_EXTENSION', { path: specPath, detail: `the document has no root-level ${EXTENSION_KEY} field` });
  compiled ??= new Ajv({ ...STRICT, allErrors: false }).compile(extensionSchema);
  if (!compiled(raw)) {
    const all = compiled.errors ?? [];
    // An anyOf (duration, size) reports each branch too; its own summary says it better.
    const anyOfAt = new Set(all.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
    const errors = all.filter((e) => e.keyword !== 'if' && (e.keyword === 'anyOf' || !anyOfAt.has(e.instancePath)));
    throw ccError('CC_ERR_SPEC_EXTENSION', { path: specPath, detail: errors.map(describe).join('; ') });
  }
  const ext = raw as Record<string, unknown> & ProfileExtension;
  // The load engine counts these codes as the answers it expects: they must be codes of the protocol.
  for (const [at, code] of [['load/tooLong', ext.load?.tooLong], ['load/barrier/code', ext.load?.barrier?.code]] as const) {
    if (code !== undefined && !ext.errorCodes.includes(code)) {
      throw ccError('CC_ERR_SPEC_EXTENSION', { path: specPath, detail: `/${EXTENSION_KEY}/${at}: ${JSON.stringify(code)} is not one of errorCodes` });
    }
  }
  const limitsIn = (ext.limits ?? {}) as Record<string, string | number>;
  const limits: ProfileLimits = {};
  for (const [key, value] of Object.entries(limitsIn)) {
    limits[key as keyof ProfileLimits] = key.endsWith('Bytes') ? parseSize(value) : Number(value);
  }
  const timers: ProfileTimers = {};
  for (const [key, value] of Object.entries((ext.timers ?? {}) as Record<string, string | number>)) {
    timers[key as keyof ProfileTimers] = parseDuration(value);
  }
  return {
    ...ext,
    limits,
    timers,
    autofill: ext.autofill ?? {},
    load: { ...ext.load, senderCopy: ext.load?.senderCopy ?? 'allowed' },
    decisions: ext.decisions ?? [],
    decisionPolicy: ext.decisionPolicy ?? 'cap',
    serverMessages: ext.serverMessages ?? 'closed',
  };
}
