/**
 * `crowd`: many authenticated clients (user ids from `user_id_from` up) connect at once, must all
 * stay open for `hold`, then are closed so the server's capacity is free for what follows.
 */
import type { ClientDef, Duration, SourceRef } from '../case-parts.js';
import { duration, verdictSource } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { Stop, type Failure } from '../failure.js';
import { connectEach } from './connect.js';
import { defineStep } from './types.js';

export interface CrowdStep {
  kind: 'crowd';
  /** How many connections (a number or a template such as `${limits.maxConnections}`). */
  count: number | Template;
  /** The first member's user id; the others count up from it. */
  userIdFrom: number;
  /** How long every member must stay connected. */
  hold?: Duration;
  /** Deadline of the whole crowd's connections and authentication, from the start of the step. */
  within?: Duration;
  source: SourceRef;
}

export const crowd = defineStep<CrowdStep>({
  kind: 'crowd',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['count'],
    properties: {
      count: { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^\\s*\\$\\{[^}]+\\}\\s*$' }] },
      user_id_from: { type: 'integer', minimum: 1 },
      hold: duration,
      within: duration,
      source: verdictSource,
    },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    return {
      kind: 'crowd',
      count: typeof obj.count === 'number' ? obj.count : ctx.compile(obj.count, [...at, 'count']),
      userIdFrom: (obj.user_id_from as number | undefined) ?? 1_000_000,
      ...(obj.hold === undefined ? {} : { hold: ctx.duration(obj.hold, [...at, 'hold']) }),
      ...(obj.within === undefined ? {} : { within: ctx.duration(obj.within, [...at, 'within']) }),
      source,
    };
  },
  async run(step, ctx) {
    const count = Number(typeof step.count === 'number' ? step.count : ctx.eval(step.count, step.source));
    if (!Number.isSafeInteger(count) || count < 1) {
      ctx.fail(step.source, { code: 'CC_CASE_TEMPLATE', message: `crowd count must be a positive whole number, got ${count}`, evidence: {}, verdict: 'ERROR' });
    }
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `crowd-${i}`;
      const def: ClientDef = { name, userId: step.userIdFrom + i, nickname: name, claims: { t: 'lit', value: {} }, token: 'valid', heartbeat: 'auto', source: step.source };
      ctx.addClient(def);
      names.push(name);
    }
    ctx.note(names[0] as string, `crowd of ${count} connecting`);
    // One finding for the crowd, not one per member: the first failure and how many failed.
    const failures: Failure[] = [];
    try {
      await connectEach({ kind: 'connect', clients: names, auth: true, await: true, expect: 'ok', ...(step.within === undefined ? {} : { within: step.within }), source: step.source }, names, ctx, (f) => {
        failures.push(f);
        throw new Stop();
      }, true);
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
    }
    const first = failures[0];
    // The case's end closes a failed crowd (briefly: its server may not answer a close either).
    if (first) ctx.fail(step.source, { ...first, message: `${failures.length} of the ${count} crowd connections failed; the first: ${first.message}` });
    await ctx.sleep(ctx.ms(step.hold, step.source) ?? 0);
    const dropped = names.filter((name) => ctx.client(name).closed);
    if (dropped.length > 0) {
      ctx.fail(step.source, {
        code: 'CC_CHECK_CLOSED',
        message: `${dropped.length} of the ${count} crowd connections closed while they were held (first: ${dropped[0]})`,
        evidence: { client: dropped[0] as string, expected: `${count} open`, actual: `${count - dropped.length} open` },
      });
    }
    ctx.note(names[0] as string, `crowd of ${count} held`);
    // Held: closed now, so the server's capacity is free for what follows.
    await Promise.all(names.map((name) => ctx.client(name).close()));
  },
});
