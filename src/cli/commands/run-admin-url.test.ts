/**
 * `run --admin-url`: a bad value is a usage error (exit 2); given, the announcement cases run
 * against a --target and PASS; left out, they are INFORMATIONAL (not checked) and the run exits 0.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_JWT_SECRET } from '../../auth/jwt.js';
import type { RunReport } from '../../report/model.js';
import { packageRoot } from '../../util/paths.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';
import { httpUrlArg } from './run.js';

const out = mkdtempSync(join(tmpdir(), 'cc-admin-'));
const cases = join(packageRoot(), 'scenarios', 'conformance', 'assa', '08-announcements.yaml');

const run = async (...args: string[]) => {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', 'run', '--out', out, ...args], io);
  const stdout = io.stdout.join('\n');
  const path = /^report: (.+)$/m.exec(stdout)?.[1];
  return { code, stdout, stderr: io.stderr.join('\n'), report: path ? (JSON.parse(readFileSync(path, 'utf8')) as RunReport) : undefined };
};

let server: Awaited<ReturnType<typeof import('../../../reference-server/server.js').startReferenceServer>>;
beforeAll(async () => {
  const { startReferenceServer } = await import('../../../reference-server/server.js');
  server = await startReferenceServer({ profiles: ['assa'], jwt: { secret: DEV_JWT_SECRET } });
});
afterAll(async () => {
  await server.close();
});

describe('chat-conform run --admin-url', () => {
  it('accepts only http:// and https:// URLs', () => {
    expect(httpUrlArg('http://127.0.0.1:8080/admin/announce')).toBe('http://127.0.0.1:8080/admin/announce');
    expect(httpUrlArg('https://chat.example/admin')).toBe('https://chat.example/admin');
    expect(() => httpUrlArg('ftp://127.0.0.1/x')).toThrow('expected an http:// or https:// URL, got "ftp://127.0.0.1/x"');
    expect(() => httpUrlArg('not a url')).toThrow('expected an http:// or https:// URL, got "not a url"');
  });

  it('exits 2 on a bad --admin-url, before anything runs', async () => {
    const { code, stderr, report } = await run('--admin-url', 'ws://127.0.0.1:1/', cases);
    expect(code).toBe(2);
    expect(stderr).toContain("option '--admin-url <url>' argument 'ws://127.0.0.1:1/' is invalid. expected an http:// or https:// URL");
    expect(report).toBeUndefined();
  });

  it('runs the announcement cases against --target with the URL given, and records it in the report', async () => {
    const { code, stdout, stderr, report } = await run('--target', server.urls.assaTcp as string, '--jwt-secret', DEV_JWT_SECRET, '--admin-url', server.urls.adminHttp, cases);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^PASS +assa\.8\.1\.announcement-to-all /m);
    expect(report?.cases.map((c) => c.verdict)).toEqual(['PASS', 'PASS']);
    expect(report?.options.adminUrl).toBe(server.urls.adminHttp);
  }, 30_000);

  it('reports them as not checked without --admin-url, and exits 0', async () => {
    const { code, stdout, stderr, report } = await run('--target', server.urls.assaTcp as string, '--jwt-secret', DEV_JWT_SECRET, cases);
    expect(code).toBe(0);
    expect(stderr).toBe('chat-conform: 2 case(s) need --admin-url and are not checked without it (INFORMATIONAL): assa.8.1.announcement-to-all, assa.8.1.announcement-not-before-connect');
    expect(stdout).toMatch(/^INFORMATIONAL +assa\.8\.1\.announcement-to-all /m);
    expect(report?.cases.map((c) => [c.verdict, c.decidedBy?.code])).toEqual([['INFORMATIONAL', 'CC_CASE_NOT_CHECKED'], ['INFORMATIONAL', 'CC_CASE_NOT_CHECKED']]);
    expect(report?.options.adminUrl).toBeUndefined();
  }, 30_000);
});
