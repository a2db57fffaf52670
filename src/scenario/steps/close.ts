/** `close`: the clients close their connections (with a close code on WebSocket when given). */
import type { SourceRef } from '../case-parts.js';
import { clientList, clientName, oneOrMany } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface CloseStep {
  kind: 'close';
  clients: string[];
  code?: number;
  source: SourceRef;
}

export const close = defineStep<CloseStep>({
  kind: 'close',
  schema: {
    anyOf: [
      clientName,
      clientList,
      { type: 'object', additionalProperties: false, properties: { ...oneOrMany, code: { type: 'integer' } } },
    ],
  },
  parse(body, ctx, at, source) {
    const spec: Record<string, unknown> = typeof body === 'string' || Array.isArray(body) ? { clients: body } : ((body ?? {}) as Record<string, unknown>);
    return { kind: 'close', clients: ctx.targets(spec, at), ...(spec.code === undefined ? {} : { code: spec.code as number }), source };
  },
  async run(step, ctx) {
    await Promise.all(step.clients.map(async (name) => {
      const client = ctx.client(name);
      ctx.note(name, `closing${step.code ? ` with ${step.code}` : ''}`);
      await client.close(step.code);
    }));
  },
});
