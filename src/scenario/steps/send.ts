/**
 * `send`: one message from a client, composed the profile's way (naming field, `data`, autofilled
 * envelope, `${bytes(n)}` padding), or exact text or bytes (`raw`, `raw_base64`) for malformed input.
 */
import type { SourceRef } from '../case-parts.js';
import { applyByteFill, composeMessage } from '../compose.js';
import { clientName } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { defineStep } from './types.js';

export interface SendStep {
  kind: 'send';
  client: string;
  /** Message name (value of the profile's naming field); absent for raw sends. */
  message?: string;
  /** Value of the `data` field (template tree). */
  data?: Template;
  /** Fields merged at the top level of the message (template tree). */
  fields?: Template;
  /** Exact text or bytes sent as one message. */
  raw?: { text?: Template; base64?: string };
  /** Leave out the autofilled envelope fields. */
  autofill: boolean;
  source: SourceRef;
}

export const send = defineStep<SendStep>({
  kind: 'send',
  schema: {
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
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    const client = ctx.client(obj.client as string, [...at, 'client']);
    const hasRaw = obj.raw !== undefined || obj.raw_base64 !== undefined;
    if (hasRaw && (obj.message !== undefined || obj.data !== undefined || obj.fields !== undefined)) {
      ctx.fail(at, 'a raw send takes raw or raw_base64 alone, not message, data or fields', 'use raw for exact text, or message with data for a message');
    }
    if (obj.raw !== undefined && obj.raw_base64 !== undefined) ctx.fail(at, 'give raw or raw_base64, not both', 'raw is text; raw_base64 is bytes');
    if (!hasRaw && obj.message === undefined) ctx.fail(at, 'send needs a message name (or raw / raw_base64)', 'e.g. `send: {client: alice, message: SEND_MESSAGE, data: {...}}`');
    if (typeof obj.message === 'string') ctx.checkMessage(obj.message, 'client', [...at, 'message']);
    return {
      kind: 'send',
      client,
      ...(obj.message === undefined ? {} : { message: obj.message as string }),
      ...(obj.data === undefined ? {} : { data: ctx.compile(obj.data, [...at, 'data']) }),
      ...(obj.fields === undefined ? {} : { fields: ctx.compile(obj.fields, [...at, 'fields']) }),
      ...(hasRaw
        ? { raw: obj.raw !== undefined ? { text: ctx.compile(obj.raw, [...at, 'raw']) } : { base64: obj.raw_base64 as string } }
        : {}),
      autofill: (obj.autofill as boolean | undefined) ?? true,
      source,
    };
  },
  async run(step, ctx) {
    const client = ctx.connected(step.client, step.source);
    if (step.raw) {
      const data = step.raw.text !== undefined ? String(ctx.eval(step.raw.text, step.source)) : Buffer.from(step.raw.base64 ?? '', 'base64');
      try {
        await client.sendRaw(data);
      } catch (err) {
        ctx.sendFailed(step, err);
      }
      ctx.acted();
      return;
    }
    const name = step.message as string;
    const data = step.data === undefined ? undefined : ctx.eval(step.data, step.source);
    const fields = step.fields === undefined ? undefined : ctx.eval(step.fields, step.source);
    const { message, correlation } = composeMessage(ctx.env.profile, name, { data, fields }, client.ids, step.autofill);
    const fillError = applyByteFill(message, ctx.env.profile.codec);
    if (fillError) ctx.fail(step.source, { code: 'CC_CASE_TEMPLATE', message: `cannot size the message: ${fillError}`, evidence: { client: step.client, message: name }, verdict: 'ERROR' });
    await ctx.transmit(client, message, step.source);
    client.lastRequest = { correlation, name, at: ctx.now() };
  },
});
