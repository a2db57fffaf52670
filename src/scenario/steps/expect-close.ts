/**
 * `expect_close`: the server must close each client's connection within the deadline, with one of
 * the close codes when given (checked on WebSocket only: a raw TCP stream has no close code).
 */
import { formatDuration } from '../../util/duration.js';
import type { Duration, SourceRef } from '../case-parts.js';
import type { Failure } from '../failure.js';
import { clientName, duration, oneOrMany } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface ExpectCloseStep {
  kind: 'expect_close';
  clients: string[];
  code?: number[];
  within?: Duration;
  source: SourceRef;
}

export const expectClose = defineStep<ExpectCloseStep>({
  kind: 'expect_close',
  schema: {
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
  parse(body, ctx, at, source) {
    const spec: Record<string, unknown> = typeof body === 'string' ? { client: body } : ((body ?? {}) as Record<string, unknown>);
    const code = spec.code === undefined ? undefined : Array.isArray(spec.code) ? (spec.code as number[]) : [spec.code as number];
    return {
      kind: 'expect_close',
      clients: ctx.targets(spec, at),
      ...(code === undefined ? {} : { code }),
      ...(spec.within === undefined ? {} : { within: ctx.duration(spec.within, [...at, 'within']) }),
      source,
    };
  },
  async run(step, ctx) {
    const within = ctx.ms(step.within, step.source) ?? ctx.env.responseTimeout;
    const end = ctx.now() + within;
    const failures: Failure[] = [];
    await Promise.all(step.clients.map(async (name) => {
      const client = ctx.client(name);
      while (!client.closed && !ctx.aborted()) {
        const left = end - ctx.now();
        if (left <= 0) break;
        await client.waitForEvent(left);
      }
      const closed = client.closed;
      if (!closed) {
        failures.push({
          code: 'CC_CHECK_NO_CLOSE',
          message: `the server did not close ${name}'s connection within ${formatDuration(within)}`,
          evidence: { client: name, expected: step.code ? { closeCode: step.code } : 'close', actual: 'open' },
        });
        return;
      }
      // A raw TCP stream has no close code: `code:` is checked on WebSocket connections only.
      const streamOnly = client.conn !== undefined && client.conn.scheme !== 'ws' && client.conn.scheme !== 'wss';
      if (step.code && !streamOnly && (closed.code === undefined || !step.code.includes(closed.code))) {
        failures.push({
          code: 'CC_CHECK_CLOSE_CODE',
          message: `${name}'s connection closed with ${closed.code ?? 'no close code'}${closed.reason ? ` (${closed.reason})` : ''}, expected ${step.code.join(' or ')}`,
          evidence: { client: name, expected: step.code.length === 1 ? step.code[0] : step.code, actual: closed.code ?? null, transcriptIndex: closed.transcriptIndex },
        });
      }
    }));
    for (const f of failures) ctx.report(step.source, f);
    if (failures.length > 0) ctx.stop();
  },
});
