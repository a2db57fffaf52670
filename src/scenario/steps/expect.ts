/**
 * `expect`: each client must receive a message (the reply to its last request, or one of the
 * named messages) that matches, within the deadline; values may be captured from the first
 * client's (`$elapsed`: the ms it took to come), and clients in `none_for` must not get the message.
 */
import { pointerOfPath, readPath } from '../../util/dotted-path.js';
import type { Duration, SourceRef } from '../case-parts.js';
import { checkMatcher, match } from '../match.js';
import { isFailure, type Failure } from '../failure.js';
import type { Received } from '../mailbox.js';
import { captureMap, clientList, duration, messageNames, oneOrMany, verdictSource } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { defineStep, type StepContext } from './types.js';

export interface ExpectStep {
  kind: 'expect';
  clients: string[];
  /** Expect the reply to the client's last request (correlated by the profile's rule). */
  reply: boolean;
  /** Acceptable message names; empty = any. */
  messages: string[];
  /** Partial matcher (template tree with `$` operators). */
  match?: Template;
  within?: Duration;
  /** The matched message must be the next unconsumed one (default false: others may come first). */
  next: boolean;
  /** Variable name → path into the matched message (of the first client), or ELAPSED. */
  capture: Record<string, string>;
  /** Clients that must NOT receive a message of this name (checked when the expectation is met). */
  noneFor: string[];
  source: SourceRef;
}

/** The capture path that reads the ms from the start of the step to the arrival of the first client's message. */
export const ELAPSED = '$elapsed';

export const expect = defineStep<ExpectStep>({
  kind: 'expect',
  schema: {
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
      source: verdictSource,
    },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    const clients = ctx.targets(obj, at);
    const messages = ctx.messageNames(obj.message, [...at, 'message']);
    const reply = (obj.reply as boolean | undefined) ?? false;
    if (!reply && messages.length === 0) {
      ctx.fail(at, 'expect needs `reply: true` or a message name', 'e.g. `expect: {client: alice, reply: true}` or `message: NEW_MESSAGE`');
    }
    if (obj.match !== undefined) {
      const problem = checkMatcher(obj.match);
      if (problem) ctx.fail([...at, 'match', ...problem.path], problem.message, 'see "Matchers" in docs/scenarios.md');
    }
    const noneFor = ((obj.none_for as string[] | undefined) ?? []).map((c, i) => ctx.client(c, [...at, 'none_for', i]));
    const overlap = noneFor.find((c) => clients.includes(c));
    if (overlap) ctx.fail([...at, 'none_for'], `${overlap} is both expected to receive and not to receive`, 'list each client once');
    if (noneFor.length > 0 && messages.length === 0) ctx.fail([...at, 'none_for'], 'none_for needs a message name to watch for', 'add `message: NAME`');
    const step: ExpectStep = {
      kind: 'expect',
      clients,
      reply,
      messages,
      next: (obj.next as boolean | undefined) ?? false,
      capture: (obj.capture as Record<string, string> | undefined) ?? {},
      noneFor,
      source,
    };
    if (obj.match !== undefined) step.match = ctx.compile(obj.match, [...at, 'match']);
    if (obj.within !== undefined) step.within = ctx.duration(obj.within, [...at, 'within']);
    return step;
  },
  declares(body) {
    return Object.keys(((body ?? {}) as { capture?: Record<string, string> }).capture ?? {});
  },
  async run(step, ctx) {
    const started = ctx.now();
    const spec = step.match === undefined ? undefined : ctx.eval(step.match, step.source);
    const within = ctx.ms(step.within, step.source) ?? ctx.caseWithin ?? ctx.env.responseTimeout;
    const deadline = ctx.now() + within;
    const results = await Promise.all(step.clients.map((name) => ctx.awaitMessage(ctx.connected(name, step.source, true), step, spec, deadline, within)));
    const failures = results.filter((r): r is Failure => isFailure(r));
    for (const f of failures) ctx.report(step.source, f);
    if (failures.length > 0) ctx.stop();
    const first = results[0] as Received;
    for (const [name, path] of Object.entries(step.capture)) {
      if (path === ELAPSED) {
        // A message already waiting when the step began arrived after 0 ms of it.
        ctx.setVar(name, Math.max(0, Math.round(first.at - started)));
        continue;
      }
      const got = readPath(first.value, path);
      if (!got.found) {
        ctx.fail(step.source, {
          code: 'CC_CHECK_CAPTURE',
          message: `cannot capture ${name}: ${first.name ?? 'the message'} has no ${path}`,
          evidence: { client: step.clients[0], message: first.name, pointer: pointerOfPath(path), expected: 'present', transcriptIndex: first.transcriptIndex },
        });
      }
      ctx.setVar(name, got.value);
    }
    if (step.noneFor.length > 0) await checkNoneFor(step, spec, ctx);
  },
});

/** A client outside the audience must not get the message: watched for a short grace after the others got theirs. */
async function checkNoneFor(step: ExpectStep, spec: unknown, ctx: StepContext): Promise<void> {
  await ctx.sleep(ctx.env.noneForGrace ?? 50);
  let failed = false;
  for (const name of step.noneFor) {
    const client = ctx.client(name);
    const hit = client.inbox.find((r) => !r.consumed && r.name !== undefined && step.messages.includes(r.name) && (spec === undefined || !match(spec, r.value)));
    if (!hit) continue;
    hit.consumed = true;
    failed = true;
    ctx.report(step.source, {
      code: 'CC_CHECK_DELIVERED_TO_NON_MEMBER',
      message: `${name} received ${hit.name} but must not`,
      evidence: { client: name, message: hit.name, expected: 'no message', actual: hit.value, transcriptIndex: hit.transcriptIndex },
      about: hit.seq,
    });
  }
  if (failed) ctx.stop();
}
