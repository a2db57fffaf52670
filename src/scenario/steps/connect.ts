/**
 * `connect`: opens each client's connection the way the profile authenticates (src/auth/), then,
 * for a profile that authenticates with a message (ASSA's CONNECT), sends it and awaits the reply.
 * `expect: refused` turns the check around for negative cases (bad tokens).
 */
import { openClient } from '../../auth/open-client.js';
import { mintVariant, type TokenVariant } from '../../auth/tokens.js';
import { isCcError } from '../../errors.js';
import { setPath } from '../../util/dotted-path.js';
import { formatDuration } from '../../util/duration.js';
import type { Duration, SourceRef } from '../case-parts.js';
import { composeMessage } from '../compose.js';
import { isFailure, type Failure } from '../failure.js';
import { clientList, clientName, duration, oneOrMany, tokenVariant, verdictSource } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { defineStep, type StepContext } from './types.js';

export type ConnectExpectation = 'ok' | 'refused';

export interface ConnectStep {
  kind: 'connect';
  clients: string[];
  /** Run the profile's authentication (default true). */
  auth: boolean;
  /** Await the authentication reply and require success (default true). */
  await: boolean;
  expect: ConnectExpectation;
  /** Overrides the token variant of the client for this connect. */
  token?: TokenVariant;
  /** Overrides the target URL (template). */
  url?: Template;
  within?: Duration;
  /** Variable that receives the parsed answer of an HTTP login (OpenIRC). */
  login?: string;
  source: SourceRef;
}

export const connect = defineStep<ConnectStep>({
  kind: 'connect',
  schema: {
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
          source: verdictSource,
        },
      },
    ],
  },
  parse(body, ctx, at, source) {
    const spec: Record<string, unknown> = typeof body === 'string' || Array.isArray(body) ? { clients: body } : ((body ?? {}) as Record<string, unknown>);
    const step: ConnectStep = {
      kind: 'connect',
      clients: ctx.targets(spec, at),
      auth: (spec.auth as boolean | undefined) ?? true,
      await: (spec.await as boolean | undefined) ?? true,
      expect: (spec.expect as ConnectExpectation | undefined) ?? 'ok',
      source,
    };
    if (spec.token !== undefined) step.token = spec.token as TokenVariant;
    if (spec.url !== undefined) step.url = ctx.compile(spec.url, [...at, 'url']);
    if (spec.within !== undefined) step.within = ctx.duration(spec.within, [...at, 'within']);
    if (spec.login !== undefined) step.login = spec.login as string;
    return step;
  },
  declares(body) {
    return typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>).login === 'string' ? [(body as Record<string, string>).login as string] : [];
  },
  async run(step, ctx) {
    await connectEach(step, step.clients, ctx, (f) => ctx.fail(step.source, f));
  },
});

/**
 * Connects the clients at once as the step says. A client that cannot is handed to `failed`
 * (which records it and throws); once all have settled, the first throw is rethrown. With
 * `together`, `within` runs from now for all of them (a crowd), not from each one's own start.
 */
export async function connectEach(step: ConnectStep, names: readonly string[], ctx: StepContext, failed: (f: Failure) => never, together = false): Promise<void> {
  const deadline = together ? ctx.now() + (ctx.ms(step.within, step.source) ?? ctx.env.responseTimeout) : undefined;
  const results = await Promise.allSettled(names.map((name) => connectOne(step, name, ctx, failed, deadline)));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}

async function connectOne(step: ConnectStep, name: string, ctx: StepContext, failed: (f: Failure) => never, deadline: number | undefined): Promise<void> {
  const client = ctx.client(name);
  const profile = ctx.env.profile;
  const variant = step.token ?? client.def.token;
  const claims = { sub: client.def.userId, nickname: client.def.nickname, ...(ctx.eval(client.def.claims, client.def.source) as Record<string, unknown>) };
  const token = profile.auth.kind === 'none' ? '' : mintVariant(variant, claims, ctx.env.signingKey);
  const url = step.url ? String(ctx.eval(step.url, step.source)) : ctx.env.target.url;
  // What a case blocked here could not get past, in the user's words.
  const opening = profile.auth.kind === 'http-login' ? 'login' : 'connection';
  const authLabel = profile.auth.kind === 'message' ? profile.auth.message : opening;
  let opened;
  try {
    opened = await openClient(profile, {
      url,
      token,
      connectTimeout: ctx.ms(step.within, step.source) ?? ctx.env.connectTimeout,
      maxInboundBytes: ctx.env.maxInboundBytes,
      insecure: ctx.env.insecure ?? false,
      lenient: ctx.env.lenient ?? false,
    });
  } catch (err) {
    const message = isCcError(err) ? `${err.code} ${err.message}` : (err as Error).message;
    failed({ code: 'CC_CASE_CONNECT', message: `${name} could not connect: ${message}`, evidence: { client: name }, verdict: 'ERROR', label: opening });
  }
  if (opened.kind === 'refused') {
    ctx.note(name, `refused: ${opened.reason}`);
    if (step.expect === 'refused') return;
    failed({
      code: 'CC_CHECK_CONNECT_REFUSED',
      message: `the server refused ${name}'s connection: ${opened.reason}`,
      evidence: { client: name, expected: 'accepted', actual: opened.status ?? opened.reason },
      label: opening,
    });
  }
  client.attach(opened.conn);
  if (step.login !== undefined && opened.login !== undefined) ctx.setVar(step.login, opened.login);
  ctx.note(name, `connected to ${opened.conn.url}${opened.loginStatus ? ` (login ${opened.loginStatus})` : ''}`);
  const auth = profile.auth;
  if (auth.kind !== 'message') {
    if (step.expect === 'refused') {
      failed({
        code: 'CC_CHECK_CONNECT_ACCEPTED',
        message: `the server accepted ${name}'s connection with a ${variant} token`,
        evidence: { client: name, expected: 'refused', actual: 'accepted' },
      });
    }
    return;
  }
  if (!step.auth) return;
  const { message, correlation } = composeMessage(profile, auth.message, {}, client.ids, true);
  setPath(message, auth.tokenPath, token);
  await ctx.transmit(client, message, step.source);
  client.lastRequest = { correlation, name: auth.message, at: ctx.now() };
  if (!step.await) return;
  const within = ctx.ms(step.within, step.source) ?? ctx.env.responseTimeout;
  const end = deadline ?? ctx.now() + within;
  // Any correlated reply: a refusal may come as the error message (ASSA's ERROR) rather than the auth reply.
  const got = await ctx.awaitMessage(client, { reply: true, messages: [], next: false }, undefined, end, within);
  if (isFailure(got)) {
    // Worded without the client or its seq_id, so that cases blocked alike read alike (root causes).
    const silent = got.code === 'CC_CHECK_TIMEOUT' ? { message: `no reply to ${auth.message} within ${formatDuration(within)}` } : {};
    failed({ ...got, ...silent, label: authLabel });
  }
  const reply = got.value as Record<string, unknown>;
  const refused = got.name !== auth.reply || reply.success === false;
  if (refused && step.expect === 'ok') {
    failed({
      code: 'CC_CHECK_AUTH_REFUSED',
      message: `${auth.message} of ${name} was refused: ${got.name}${reply.error_code ? ` ${String(reply.error_code)}` : ''}`,
      evidence: { client: name, message: got.name, pointer: '/success', expected: true, actual: reply.success, transcriptIndex: got.transcriptIndex },
      label: authLabel,
    });
  }
  if (!refused && step.expect === 'refused') {
    failed({
      code: 'CC_CHECK_AUTH_ACCEPTED',
      message: `${auth.message} of ${name} with a ${variant} token was accepted`,
      evidence: { client: name, message: got.name, pointer: '/success', expected: false, actual: reply.success, transcriptIndex: got.transcriptIndex },
    });
  }
}
