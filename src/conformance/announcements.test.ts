/**
 * The §8.1 announcement cases (scenarios/conformance/assa/08-announcements.yaml): PASS on both ASSA
 * transports and against the embedded server (which fills in `${admin_url}` itself), INFORMATIONAL
 * "not checked" against a target without `--admin-url`, FAIL under the announcement faults, and
 * NON-STRICT against a server that also announces to a connection that has not done CONNECT.
 */
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../auth/jwt.js';
import { resolveSigningKey } from '../auth/tokens.js';
import { loadProfile } from '../profile/load.js';
import { urlTarget } from '../transport/target.js';
import { runScenarios } from './run-cases.js';
import { packageRoot } from '../util/paths.js';
import { runSuite } from './suite.js';
import { runOnEmbedded } from './testing/embedded-run.js';

const root = packageRoot();
const file = join(root, 'scenarios', 'conformance', 'assa', '08-announcements.yaml');
const grep = '^assa\\.8\\.1\\.';
const ALL = 'assa.8.1.announcement-to-all';
const UNAUTH = 'assa.8.1.announcement-not-before-connect';

type Closable = { close(): Promise<void> };
const open: Closable[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

describe('assa §8.1 SERVER_ANNOUNCEMENT cases', () => {
  it.each(['tcp', 'ws'] as const)('pass against the reference server over %s', async (transport) => {
    const { report } = await runSuite({ packageRoot: root, profile: 'assa', transport, grep });
    expect(report.cases.map((c) => [c.id, c.verdict, c.decidedBy?.message])).toEqual([[ALL, 'PASS', undefined], [UNAUTH, 'PASS', undefined]]);
    const all = report.cases.find((c) => c.id === ALL);
    // Four clients got the announcement, each validated against the generated schema (no CC_SCHEMA_* finding).
    expect(all?.transcript.filter((t) => t.direction === 'in' && t.message === 'SERVER_ANNOUNCEMENT').map((t) => t.client).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(all?.findings.filter((f) => f.code.startsWith('CC_SCHEMA_'))).toEqual([]);
    expect(all?.transcript.filter((t) => t.event === 'http').map((t) => t.text.slice(0, 4))).toEqual(['POST', '200 ']);
  }, 30_000);

  it('pass against the embedded server, which supplies its own admin URL', async () => {
    const report = await runOnEmbedded({ packageRoot: root, paths: [file] });
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([[ALL, 'PASS'], [UNAUTH, 'PASS']]);
    const post = report.cases[0]?.transcript.find((t) => t.event === 'http' && t.direction === 'out');
    expect(post?.text).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/admin\/announce \{"title":"서버 점검 안내 /);
  }, 30_000);

  it('are INFORMATIONAL, not checked, against a target without --admin-url, and the run exits 0', async () => {
    const { report } = await runSuite({ packageRoot: root, profile: 'assa', grep, withoutAdminUrl: true });
    for (const c of report.cases) {
      expect(c.verdict, c.id).toBe('INFORMATIONAL');
      expect(c.findings.map((f) => f.code)).toEqual(['CC_CASE_NOT_CHECKED']);
      expect(c.decidedBy?.message).toContain('not checked');
      expect(c.decidedBy?.message).toContain('pass --admin-url URL to run');
      expect(c.transcript).toEqual([]);
    }
    expect(report.summary.exitCode).toBe(0);
    expect(report.summary.byVerdict.INFORMATIONAL).toBe(2);
  }, 30_000);

  it.each([
    ['assa.announcement-only-to-room-members', 'CC_CHECK_TIMEOUT', /^carol received no SERVER_ANNOUNCEMENT within /],
    ['assa.announcement-without-message', 'CC_SCHEMA_INVALID', /^SERVER_ANNOUNCEMENT from the server fails its schema at \/data\/message: /],
  ])('FAIL under the fault %s', async (fault, code, message) => {
    const { report } = await runSuite({ packageRoot: root, profile: 'assa', grep, faults: [fault] });
    const all = report.cases.find((c) => c.id === ALL);
    expect(all?.verdict).toBe('FAIL');
    expect(all?.decidedBy?.code).toBe(code);
    expect(all?.decidedBy?.message).toMatch(message);
  }, 30_000);

  it('are NON-STRICT when the server also announces to a connection that has not done CONNECT', async () => {
    const { startReferenceServer } = await import('../../reference-server/server.js');
    const server = await startReferenceServer({ profiles: ['assa'], jwt: { secret: DEV_JWT_SECRET } });
    open.push(server);
    const proxy = await leakyProxy(server.urls.assaTcp as string);
    open.push(proxy);
    const report = await runScenarios({ packageRoot: root, paths: [file], target: urlTarget(proxy.url), adminUrl: server.urls.adminHttp, signingKey: resolveSigningKey({ secret: DEV_JWT_SECRET }) });
    const verdicts = Object.fromEntries(report.cases.map((c) => [c.id, [c.verdict, c.decidedBy?.code, c.decidedBy?.message]]));
    expect(verdicts).toEqual({
      [ALL]: ['PASS', undefined, undefined],
      [UNAUTH]: ['NON-STRICT', 'CC_CHECK_DELIVERED_TO_NON_MEMBER', `mallory received SERVER_ANNOUNCEMENT but must not (decision assa.D17.announcements, a reading: ${loadProfile('assa').decisions.find((d) => d.id === 'assa.D17.announcements')?.text})`],
    });
  }, 30_000);
});

/**
 * A TCP proxy to an ASSA server that behaves like a server broadcasting SERVER_ANNOUNCEMENT to every
 * connection: a line announced on any connection is copied to the connections that have not
 * received a CONNECT_RESPONSE yet.
 */
async function leakyProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(upstream);
  const pending = new Set<net.Socket>();
  const sockets = new Set<net.Socket>();
  const leaked = new WeakMap<net.Socket, Set<string>>();
  const proxy = net.createServer((client) => {
    const server = net.connect(Number(port), hostname);
    sockets.add(client).add(server);
    pending.add(client);
    let buffered = '';
    server.on('data', (chunk: Buffer) => {
      client.write(chunk);
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const msg = JSON.parse(line) as { action?: string; data?: { title?: string } };
        if (msg.action === 'CONNECT_RESPONSE') pending.delete(client);
        if (msg.action !== 'SERVER_ANNOUNCEMENT') continue;
        for (const other of pending) {
          const seen = leaked.get(other) ?? new Set<string>();
          leaked.set(other, seen);
          if (seen.has(String(msg.data?.title))) continue;
          seen.add(String(msg.data?.title));
          other.write(`${line}\n`);
        }
      }
    });
    client.pipe(server);
    const end = (): void => {
      pending.delete(client);
      client.destroy();
      server.destroy();
    };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `tcp://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
