/**
 * `expect_close`: the server must close each client's connection within the deadline, with one of
 * the close codes when given (checked on WebSocket only: a raw TCP stream has no close code). The
 * first client's close may be captured: its `code` (null on TCP), `reason` and `elapsed` (ms from
 * the start of the step to the close), for `check` steps of their own source.
 */
import { formatDuration } from '../../util/duration.js';
import type { Duration, SourceRef } from '../case-parts.js';
import type { Failure } from '../failure.js';
import type { CloseInfo } from '../mailbox.js';
import { clientName, duration, oneOrMany, verdictSource } from '../schema-fragments.js';
import { defineStep } from './types.js';

/** What `capture:` of an expect_close may read from the close. */
export const CLOSE_CAPTURES = ['code', 'reason', 'elapsed'] as const;
export type CloseCapture = (typeof CLOSE_CAPTURES)[number];

export interface ExpectCloseStep {
  kind: 'expect_close';
  clients: string[];
  code?: number[];
  within?: Duration;
  /** Variable name → what of the first client's close it receives. */
  capture: Record<string, CloseCapture>;
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
          capture: { type: 'object', propertyNames: clientName, additionalProperties: { enum: [...CLOSE_CAPTURES] } },
          source: verdictSource,
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
      capture: (spec.capture as Record<string, CloseCapture> | undefined) ?? {},
      source,
    };
  },
  declares(body) {
    return typeof body === 'object' && body !== null ? Object.keys((body as { capture?: Record<string, string> }).capture ?? {}) : [];
  },
  async run(step, ctx) {
    const started = ctx.now();
    const within = ctx.ms(step.within, step.source) ?? ctx.env.responseTimeout;
    const end = started + within;
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
    const first = ctx.client(step.clients[0] as string).closed as CloseInfo;
    for (const [name, what] of Object.entries(step.capture)) ctx.setVar(name, closeValue(first, what, started));
  },
});

function closeValue(closed: CloseInfo, what: CloseCapture, started: number): unknown {
  switch (what) {
    case 'code':
      return closed.code ?? null;
    case 'reason':
      return closed.reason ?? null;
    case 'elapsed':
      // A connection already closed when the step began closed after 0 ms of it.
      return Math.max(0, Math.round(closed.at - started));
  }
}
