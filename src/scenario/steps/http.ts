/**
 * `http`: one request under the step's deadline. It drives the case (an admin's announcement), it
 * does not check the server: no answer, or a status not asked for, is an ERROR with the exchange
 * as evidence.
 */
import { httpRequest, responseBody } from '../../http/request.js';
import { pointerOfPath, readPath } from '../../util/dotted-path.js';
import { formatDuration } from '../../util/duration.js';
import type { Duration, SourceRef } from '../case-parts.js';
import { captureMap, duration, httpStatus } from '../schema-fragments.js';
import type { Template } from '../template.js';
import { defineStep, type StepContext } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * An HTTP request under a deadline, to make the server do something no client can ask for (an
 * administrator's announcement). It drives the case rather than checking the server: a refused
 * connection, no answer in time or an unexpected status is an ERROR (the rule could not be checked).
 */
export interface HttpStep {
  kind: 'http';
  method: HttpMethod;
  /** http:// or https:// URL (template). */
  url: Template;
  /** Sent as JSON with content-type application/json (template tree). */
  json?: Template;
  /** Sent as is (template). */
  body?: Template;
  /** Header name → value (templates). */
  headers: Record<string, Template>;
  /** Acceptable statuses; empty: any 2xx. */
  status: number[];
  within?: Duration;
  /** Variable name → path into the response `{status, headers, body}` (body parsed when it is JSON). */
  capture: Record<string, string>;
  source: SourceRef;
}

/** Characters of an HTTP answer quoted in a finding. */
const EXCERPT = 300;

export const http = defineStep<HttpStep>({
  kind: 'http',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      url: { type: 'string', minLength: 1 },
      json: {},
      body: { type: 'string' },
      headers: { type: 'object', propertyNames: { pattern: '^[A-Za-z0-9!#$%&\'*+.^_`|~-]+$' }, additionalProperties: { type: 'string' } },
      status: { anyOf: [httpStatus, { type: 'array', items: httpStatus, minItems: 1, uniqueItems: true }] },
      within: duration,
      capture: captureMap,
    },
  },
  parse(body, ctx, at, source) {
    const obj = (body ?? {}) as Record<string, unknown>;
    if (obj.json !== undefined && obj.body !== undefined) ctx.fail(at, 'give json or body, not both', 'json: is sent as JSON; body: is sent as text');
    if (typeof obj.url === 'string' && !obj.url.includes('${') && !/^https?:\/\/[^/\s]/i.test(obj.url)) {
      ctx.fail([...at, 'url'], `url ${JSON.stringify(obj.url)} is not an http:// or https:// URL`, 'e.g. url: "${admin_url}" or url: http://127.0.0.1:8080/admin/announce');
    }
    const headers: Record<string, Template> = {};
    for (const [name, value] of Object.entries((obj.headers ?? {}) as Record<string, string>)) headers[name.toLowerCase()] = ctx.compile(value, [...at, 'headers', name]);
    const hasBody = obj.json !== undefined || obj.body !== undefined;
    return {
      kind: 'http',
      method: (obj.method as HttpMethod | undefined) ?? (hasBody ? 'POST' : 'GET'),
      url: ctx.compile(obj.url, [...at, 'url']),
      ...(obj.json === undefined ? {} : { json: ctx.compile(obj.json, [...at, 'json']) }),
      ...(obj.body === undefined ? {} : { body: ctx.compile(obj.body, [...at, 'body']) }),
      headers,
      status: obj.status === undefined ? [] : Array.isArray(obj.status) ? (obj.status as number[]) : [obj.status as number],
      ...(obj.within === undefined ? {} : { within: ctx.duration(obj.within, [...at, 'within']) }),
      capture: (obj.capture as Record<string, string> | undefined) ?? {},
      source,
    };
  },
  declares(body) {
    return Object.keys(((body ?? {}) as { capture?: Record<string, string> }).capture ?? {});
  },
  async run(step, ctx: StepContext) {
    const label = ctx.httpLabel();
    const url = ctx.eval(step.url, step.source);
    const headers: Record<string, string> = {};
    for (const [name, t] of Object.entries(step.headers)) headers[name] = String(ctx.eval(t, step.source));
    let body: string | undefined;
    if (step.json !== undefined) {
      body = JSON.stringify(ctx.eval(step.json, step.source));
      headers['content-type'] ??= 'application/json';
    } else if (step.body !== undefined) {
      body = String(ctx.eval(step.body, step.source));
    }
    const within = ctx.ms(step.within, step.source) ?? ctx.env.responseTimeout;
    const request = `${step.method} ${String(url)}`;
    ctx.transcript.push({ client: label, direction: 'out', at: ctx.now(), bytes: body === undefined ? 0 : Buffer.byteLength(body), ...ctx.transcript.clip(body === undefined ? request : `${request} ${body}`), event: 'http' });
    // expect_none listens from the last thing the case did to the server: this request counts.
    ctx.acted();
    const outcome = typeof url === 'string'
      ? await httpRequest({ method: step.method, url, headers, ...(body === undefined ? {} : { body }), timeoutMs: within, insecure: ctx.env.insecure ?? false, signal: ctx.signal })
      : { kind: 'failed' as const, reason: 'bad-url' as const, message: `the url is ${JSON.stringify(url)}, not a string`, ms: 0 };
    if (outcome.kind === 'failed') {
      if (outcome.reason === 'aborted') ctx.stop();
      const index = ctx.transcript.push({ client: label, direction: 'in', at: ctx.now(), bytes: 0, text: `${outcome.reason}: ${outcome.message}`, truncated: false, event: 'http' });
      const what = outcome.reason === 'timeout' ? `no answer within ${formatDuration(within)}` : outcome.message;
      ctx.fail(step.source, {
        code: 'CC_CASE_HTTP_FAILED',
        message: `${request} failed: ${what}`,
        evidence: { client: label, expected: { status: expectedStatus(step.status) }, actual: { method: step.method, url, error: outcome.message }, transcriptIndex: index },
        verdict: 'ERROR',
      });
    }
    const index = ctx.transcript.push({ client: label, direction: 'in', at: ctx.now(), bytes: Buffer.byteLength(outcome.text), ...ctx.transcript.clip(`${outcome.status} ${outcome.text}`), event: 'http' });
    const statusOk = step.status.length === 0 ? outcome.status >= 200 && outcome.status < 300 : step.status.includes(outcome.status);
    if (!statusOk) {
      const excerpt = outcome.text.length > EXCERPT ? `${outcome.text.slice(0, EXCERPT)}…` : outcome.text;
      ctx.fail(step.source, {
        code: 'CC_CASE_HTTP_STATUS',
        message: `${request} answered ${outcome.status}, expected ${expectedStatus(step.status)}${excerpt ? `: ${excerpt}` : ''}`,
        evidence: { client: label, pointer: '/status', expected: { status: expectedStatus(step.status) }, actual: { method: step.method, url, status: outcome.status, body: excerpt }, transcriptIndex: index },
        verdict: 'ERROR',
      });
    }
    const response = { status: outcome.status, headers: outcome.headers, body: responseBody(outcome.text, outcome.headers) };
    for (const [name, path] of Object.entries(step.capture)) {
      const got = readPath(response, path);
      if (!got.found) {
        ctx.fail(step.source, { code: 'CC_CASE_HTTP_CAPTURE', message: `cannot capture ${name}: the answer to ${request} has no ${path}`, evidence: { client: label, pointer: pointerOfPath(path), expected: 'present', actual: response.body, transcriptIndex: index }, verdict: 'ERROR' });
      }
      ctx.setVar(name, got.value);
    }
  },
});

function expectedStatus(status: number[]): string {
  return status.length === 0 ? '2xx' : status.join(' or ');
}
