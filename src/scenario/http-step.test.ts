/**
 * The `http` step and `requires:`: parsing and its file:line errors, and running against real
 * HTTP servers on loopback (the answer wanted, another status, a refused connection, a server that
 * never answers) and without the run variable a case requires.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isCcError, type CcError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import type { HttpStep } from './model.js';
import { parseScenarios } from './parse.js';
import { runScenarioText } from './testing/harness.js';

const parseOptions = { resolveProfile: loadProfile, defaultProfile: 'assa' };

function parseError(text: string): CcError {
  try {
    parseScenarios(text, 'cases/h.yaml', parseOptions);
  } catch (err) {
    if (isCcError(err)) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

const header = 'id: h\ntitle: http\nrequires: [admin_url]\nsteps:\n';

describe('parsing the http step', () => {
  it('builds the step: method from the body, headers lower-cased, one status or several, templates compiled', () => {
    const [c] = parseScenarios(`${header}  - http: { url: "\${admin_url}", json: { title: "t \${uid()}" }, headers: { X-Token: abc }, status: [200, 202], within: 2s, capture: { n: body.delivered } }
  - http: { url: "http://127.0.0.1:1/x" }
  - http: { method: PUT, url: "https://example.test/a", body: "raw \${n}", status: 204 }
`, 'h.yaml', parseOptions);
    const [a, b, d] = c?.steps as HttpStep[];
    expect(c?.requires).toEqual(['admin_url']);
    expect(a).toMatchObject({ kind: 'http', method: 'POST', headers: { 'x-token': { t: 'lit', value: 'abc' } }, status: [200, 202], within: 2000, capture: { n: 'body.delivered' }, source: { path: 'steps[0].http', line: 5 } });
    expect(a?.url.t).toBe('expr');
    expect(a?.json?.t).toBe('obj');
    expect(b).toMatchObject({ method: 'GET', status: [] });
    expect(d).toMatchObject({ method: 'PUT', status: [204] });
    expect(d?.body?.t).toBe('str');
  });

  it('reports malformed http steps at file:line:column', () => {
    const both = parseError(`${header}  - http: { url: "http://127.0.0.1:1/", json: {}, body: x }\n`);
    expect(both.code).toBe('CC_ERR_SCENARIO_INVALID');
    expect(both.message).toBe('cases/h.yaml:5:11: give json or body, not both');

    const noUrl = parseError(`${header}  - http: { method: POST }\n`);
    expect(noUrl.message).toBe('cases/h.yaml:5:11: steps[0].http needs url');

    const badUrl = parseError(`${header}  - http: { url: "ftp://127.0.0.1/x" }\n`);
    expect(badUrl.message).toBe('cases/h.yaml:5:18: url "ftp://127.0.0.1/x" is not an http:// or https:// URL');

    const method = parseError(`${header}  - http: { method: FETCH, url: "\${admin_url}" }\n`);
    expect(method.message).toBe('cases/h.yaml:5:21: steps[0].http.method must be one of GET, POST, PUT, PATCH, DELETE');

    const typo = parseError(`${header}  - http: { url: "\${admin_url}", timeout: 5s }\n`);
    expect(typo.message).toBe('cases/h.yaml:5:34: unknown field timeout in steps[0].http');
    expect(typo.hint).toMatch(/^allowed: method, url, json, body, headers, status, within, capture$/);

    const status = parseError(`${header}  - http: { url: "\${admin_url}", status: 99 }\n`);
    expect(status.message).toBe('cases/h.yaml:5:42: steps[0].http.status must be >= 100');

    const within = parseError(`${header}  - http: { url: "\${admin_url}", within: soon }\n`);
    expect(within.message).toMatch(/^cases\/h\.yaml:5:42: steps\[0\]\.http\.within /);
    expect(within.hint).toBe('durations are milliseconds or a number with a unit: 300ms, 2s, 1m');
  });

  it('requires `requires: [admin_url]` of a case that uses ${admin_url}, and knows no other run variable', () => {
    const err = parseError('id: h\ntitle: http\nsteps:\n  - http: { url: "${admin_url}" }\n');
    expect(err.message).toBe('cases/h.yaml:4:21: ${admin_url} needs `requires: [admin_url]` on the case');
    expect(err.hint).toBe('add requires: [admin_url] so that a run without --admin-url reports the case as not checked');
    const unknown = parseError('id: h\ntitle: http\nrequires: [admin_token]\nsteps:\n  - wait: 1\n');
    expect(unknown.message).toBe('cases/h.yaml:3:12: requires[0] must be one of admin_url');
  });
});

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  header: string | undefined;
  body: string;
}

const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A loopback server that records each request and answers with `answer` (or never, when it returns undefined). */
async function serve(answer: (seen: Seen) => { status: number; body: string } | undefined): Promise<{ url: string; seen: Seen[]; closed: () => number }> {
  const seen: Seen[] = [];
  let closed = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], header: req.headers['x-run'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      const a = answer(s);
      if (!a) return;
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  server.on('connection', (socket) => socket.on('close', () => closed++));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, closed: () => closed };
}

const announce = (step: string, extra = ''): string => `id: h.run
title: http step
requires: [admin_url]
${extra}variables:
  word: "hello"
steps:
  - ${step}
`;

describe('running the http step against loopback servers', () => {
  it('sends the templated request, accepts the status and captures from the JSON answer', async () => {
    const srv = await serve(() => ({ status: 200, body: '{"delivered": 3}' }));
    const [r] = await runScenarioText(`${announce('http: { method: POST, url: "${admin_url}/announce?w=${word}", json: { title: "${word} world", n: 2 }, headers: { x-run: "${word}" }, status: 200, within: 2s, capture: { delivered: body.delivered, code: status } }')}  - check: { value: { d: "\${delivered}", c: "\${code}" }, match: { d: 3, c: 200 } }
`, 'tcp://127.0.0.1:1', { adminUrl: `${srv.url}/admin` });
    expect(r?.verdict).toBe('PASS');
    expect(srv.seen).toEqual([{ method: 'POST', url: '/admin/announce?w=hello', contentType: 'application/json', header: 'hello', body: '{"title":"hello world","n":2}' }]);
    const entries = r?.transcript.filter((t) => t.event === 'http').map((t) => [t.client, t.direction, t.text]);
    expect(entries).toEqual([
      ['http-1', 'out', `POST ${srv.url}/admin/announce?w=hello {"title":"hello world","n":2}`],
      ['http-1', 'in', '200 {"delivered": 3}'],
    ]);
  });

  it('makes another status an ERROR with the method, url, status and an excerpt of the body', async () => {
    const srv = await serve(() => ({ status: 403, body: `{"error":"loopback_only","pad":"${'x'.repeat(400)}"}` }));
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}", json: { title: t }, status: 200 }'), 'tcp://127.0.0.1:1', { adminUrl: srv.url });
    expect(r?.verdict).toBe('ERROR');
    const f = r?.decidedBy;
    expect(f?.code).toBe('CC_CASE_HTTP_STATUS');
    expect(f?.step).toEqual({ path: 'steps[0].http', line: 7 });
    expect(f?.message).toMatch(new RegExp(`^POST ${srv.url} answered 403, expected 200: \\{"error":"loopback_only","pad":"x+…$`));
    const actual = f?.evidence?.actual as { method: string; url: string; status: number; body: string };
    expect(actual).toMatchObject({ method: 'POST', url: srv.url, status: 403 });
    expect(actual.body).toHaveLength(301);
    expect(f?.evidence?.expected).toEqual({ status: '200' });
    expect(r?.transcript[f?.evidence?.transcriptIndex ?? -1]?.text).toMatch(/^403 \{"error":"loopback_only"/);
  });

  it('accepts any 2xx when no status is given, and refuses a 3xx', async () => {
    const srv = await serve((s) => ({ status: s.url === '/ok' ? 202 : 302, body: '' }));
    const [ok] = await runScenarioText(announce('http: { url: "${admin_url}/ok" }'), 'tcp://127.0.0.1:1', { adminUrl: srv.url });
    expect(ok?.verdict).toBe('PASS');
    expect(srv.seen[0]?.method).toBe('GET');
    const [moved] = await runScenarioText(announce('http: { url: "${admin_url}/moved" }'), 'tcp://127.0.0.1:1', { adminUrl: srv.url });
    expect(moved?.decidedBy?.message).toBe(`GET ${srv.url}/moved answered 302, expected 2xx`);
  });

  it('makes a refused connection an ERROR that says so', async () => {
    const srv = await serve(() => ({ status: 200, body: '{}' }));
    const url = srv.url;
    const s = servers.pop() as http.Server;
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}", json: {} }'), 'tcp://127.0.0.1:1', { adminUrl: url });
    expect(r?.verdict).toBe('ERROR');
    expect(r?.decidedBy?.code).toBe('CC_CASE_HTTP_FAILED');
    expect(r?.decidedBy?.message).toMatch(new RegExp(`^POST ${url} failed: ECONNREFUSED `));
    expect(r?.decidedBy?.evidence?.actual).toMatchObject({ method: 'POST', url, error: expect.stringMatching(/^ECONNREFUSED/) as unknown });
  });

  it('enforces the deadline against a server that never answers, and closes the socket', async () => {
    const srv = await serve(() => undefined);
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}", json: {}, within: 200ms }'), 'tcp://127.0.0.1:1', { adminUrl: srv.url });
    expect(r?.verdict).toBe('ERROR');
    expect(r?.decidedBy?.code).toBe('CC_CASE_HTTP_FAILED');
    expect(r?.decidedBy?.message).toBe(`POST ${srv.url} failed: no answer within 200ms`);
    expect(srv.seen).toHaveLength(1);
    await expect.poll(() => srv.closed(), { timeout: 2000 }).toBe(1);
  });

  it('abandons the request when the case deadline ends first', async () => {
    const srv = await serve(() => undefined);
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}", json: {}, within: 30s }', 'timeout: 300ms\n'), 'tcp://127.0.0.1:1', { adminUrl: srv.url });
    expect(r?.verdict).toBe('ERROR');
    expect(r?.decidedBy?.code).toBe('CC_CASE_TIMEOUT');
    await expect.poll(() => srv.closed(), { timeout: 2000 }).toBe(1);
  });

  it('makes a templated url that is not http(s) an ERROR', async () => {
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}" }'), 'tcp://127.0.0.1:1', { adminUrl: 'ws://127.0.0.1:1/' });
    expect(r?.decidedBy).toMatchObject({ verdict: 'ERROR', code: 'CC_CASE_HTTP_FAILED', message: 'GET ws://127.0.0.1:1/ failed: ws: is not http: or https:' });
  });

  it('does not run a case that requires admin_url when the run has none: INFORMATIONAL, saying to pass --admin-url', async () => {
    const srv = await serve(() => ({ status: 200, body: '{}' }));
    const [r] = await runScenarioText(announce('http: { url: "${admin_url}" }'), 'tcp://127.0.0.1:1');
    expect(r?.verdict).toBe('INFORMATIONAL');
    expect(r?.findings).toHaveLength(1);
    expect(r?.decidedBy).toMatchObject({ verdict: 'INFORMATIONAL', code: 'CC_CASE_NOT_CHECKED', step: { path: 'requires', line: 1 } });
    expect(r?.decidedBy?.message).toMatch(/^not checked: this case needs \$\{admin_url\}, .*; pass --admin-url URL to run/);
    expect(r?.transcript).toEqual([]);
    expect(srv.seen).toEqual([]);
  });
});
