/**
 * `expect_none`: for a while, the clients must receive nothing (or none of the named messages)
 * since the case last acted on the server.
 */
import { formatDuration } from '../../util/duration.js';
import type { Duration, SourceRef } from '../case-parts.js';
import type { Received, ScenarioClient } from '../mailbox.js';
import { duration, messageNames, oneOrMany, verdictSource } from '../schema-fragments.js';
import { defineStep } from './types.js';

export interface ExpectNoneStep {
  kind: 'expect_none';
  clients: string[];
  /** How long to listen. */
  for: Duration;
  /** Only these message names count (empty: any non-heartbeat message). */
  messages: string[];
  source: SourceRef;
}

export const expectNone = defineStep<ExpectNoneStep>({
  kind: 'expect_none',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['for'],
    properties: { ...oneOrMany, for: duration, message: messageNames, source: verdictSource },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    return {
      kind: 'expect_none',
      clients: ctx.targets(obj, at),
      for: ctx.duration(obj.for, [...at, 'for']),
      messages: ctx.messageNames(obj.message, [...at, 'message']),
      source,
    };
  },
  async run(step, ctx) {
    const since = ctx.lastActed();
    const period = ctx.ms(step.for, step.source) ?? 0;
    const end = ctx.now() + period;
    const offending = (client: ScenarioClient): Received | undefined =>
      client.inbox.find((r) => !r.consumed && r.at >= since && (step.messages.length === 0 || (r.name !== undefined && step.messages.includes(r.name))));
    const results = await Promise.all(step.clients.map(async (name) => {
      const client = ctx.client(name);
      for (;;) {
        const hit = offending(client);
        if (hit) return { name, hit };
        const left = end - ctx.now();
        if (left <= 0 || ctx.aborted()) return undefined;
        await client.waitForEvent(left);
      }
    }));
    let failed = false;
    for (const r of results) {
      if (!r) continue;
      failed = true;
      r.hit.consumed = true;
      ctx.report(step.source, {
        code: 'CC_CHECK_NOT_SILENT',
        message: `${r.name} received ${r.hit.name ?? 'a message'} during ${formatDuration(period)} of expected silence`,
        evidence: { client: r.name, message: r.hit.name, expected: 'no message', actual: r.hit.value, transcriptIndex: r.hit.transcriptIndex },
        about: r.hit.seq,
      });
    }
    if (failed) ctx.stop();
  },
});
