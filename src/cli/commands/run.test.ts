import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../../reference-server/server.js';
import type { RunReport } from '../../report/model.js';
import { validateReport } from '../../report/validate.js';
import { startFaultServer, type FaultServer } from '../../testing/scenario-fault-server.js';
import { packageRoot } from '../../util/paths.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';

const out = mkdtempSync(join(tmpdir(), 'cc-run-'));

const run = async (...args: string[]) => {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', 'run', '--out', out, ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
};

function reportOf(stdout: string): RunReport {
  const path = /^report: (.+)$/m.exec(stdout)?.[1];
  if (!path) throw new Error(`no report path in:\n${stdout}`);
  return JSON.parse(readFileSync(path, 'utf8')) as RunReport;
}

/** A port nothing listens on: one the system just gave out and took back. */
async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('chat-conform run', () => {
  it('runs the bundled examples against the embedded reference server and exits 0', async () => {
    const { code, stdout, stderr } = await run(join(packageRoot(), 'scenarios', 'examples'));
    expect(stderr).toMatch(/^chat-conform: embedded reference server: tcp:\/\/127\.0\.0\.1:\d+ /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^PASS +example\.assa\.room-broadcast {2}a message reaches every other member/m);
    // The console's end of run (its onRunEnd, called with the other reporters') comes once, just before the report's path.
    expect(stdout).toMatch(/\n\n\d+ cases: \d+ PASS; [^\n]+; exit 0\nreport: [^\n]+report\.json$/);
    expect(stdout.match(/ cases: /g)).toHaveLength(1);
    const report = reportOf(stdout);
    expect(validateReport(report)).toEqual([]);
    expect(report.command).toBe('run');
    expect(report.target.embedded).toBe(true);
    expect(report.summary.exitCode).toBe(0);
    expect(report.summary.byVerdict.PASS).toBe(report.summary.total);
    expect(report.cases.map((c) => c.profile).sort()).toContain('openirc');
    expect(report.coverage?.messages.find((m) => m.id.endsWith('client.SEND_MESSAGE'))?.sent).toBeGreaterThan(0);
    // Short timers for the embedded server unless the run sets them.
    expect(report.options.timers).toEqual({ pingInterval: 300, pongTimeout: 1000, connectTimeout: 1000 });
  });

  it('exits 1 with the failure expanded when a case fails against the target', async () => {
    server = await startFaultServer('wrong-value');
    const { code, stdout } = await run('--target', server.url, join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'broadcast.yaml'));
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL +fixture\.broadcast /m);
    expect(stdout).toContain('FAIL CC_CHECK_MISMATCH');
    expect(stdout).toContain('evidence: alice SEND_MESSAGE_RESPONSE /data/room_id: expected 1, actual 2');
    expect(reportOf(stdout).summary.byVerdict.FAIL).toBe(1);
    expect(validateReport(reportOf(stdout))).toEqual([]);
  });

  it.each(['schema-violation', 'leak-to-non-member', 'extra-field', 'unknown-message'] as const)('writes a report that matches the report schema for a %s server', async (fault) => {
    server = await startFaultServer(fault);
    const { stdout } = await run('--target', server.url, join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'broadcast.yaml'));
    expect(validateReport(reportOf(stdout))).toEqual([]);
  });

  it('exits 0 on NON-STRICT, and 1 with --strict', async () => {
    server = await startFaultServer('extra-field');
    const fixture = join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'broadcast.yaml');
    const lenient = await run('--target', server.url, fixture);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/^NON-STRICT +fixture\.broadcast /m);
    const strict = await run('--target', server.url, '--strict', fixture);
    expect(strict.code).toBe(1);
  });

  it('caps a finding by its source unless --decisions enforce, and shows the policy in the report', async () => {
    server = await startFaultServer('unknown-message');
    const fixture = join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'broadcast.yaml');
    // SURPRISE is no case's subject: it is a message shape, a reading (the profile lists every server message).
    const capped = await run('--target', server.url, fixture);
    expect(capped.code).toBe(0);
    expect(reportOf(capped.stdout).options.decisions).toBe('cap');
    expect(reportOf(capped.stdout).cases[0]?.verdict).toBe('PASS');
    expect(reportOf(capped.stdout).shapes).toMatchObject([{ message: 'SURPRISE', code: 'CC_SCHEMA_UNKNOWN_MESSAGE', verdict: 'NON-STRICT', source: { kind: 'reading' } }]);
    const enforced = await run('--target', server.url, '--decisions', 'enforce', fixture);
    expect(enforced.code).toBe(1);
    expect(reportOf(enforced.stdout).options.decisions).toBe('enforce');
    expect(reportOf(enforced.stdout).shapes).toMatchObject([{ message: 'SURPRISE', verdict: 'FAIL' }]);
    expect(reportOf(enforced.stdout).summary).toMatchObject({ shapes: 1, shapesFailed: 1, exitCode: 1 });
    expect(validateReport(reportOf(enforced.stdout))).toEqual([]);
    const bad = await run('--decisions', 'strict', fixture);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^chat-conform: CC_ERR_USAGE option '--decisions <policy>' argument 'strict' is invalid\. Allowed choices are cap, enforce\./);
  });

  it('reports a malformed scenario at file:line:column and exits 2 before connecting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-bad-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'id: bad\ntitle: bad\nprofile: assa\nclients:\n  a: { user_id: 1 }\nsteps:\n  - connect: a\n  - expect: { client: a, mesage: X }\n');
    const { code, stderr } = await run(file);
    expect(code).toBe(2);
    expect(stderr).toBe(`chat-conform: CC_ERR_SCENARIO_INVALID ${file}:8:26: unknown field mesage in steps[1].expect (did you mean message? allowed: client, clients, reply, message, match, within, next, capture, none_for, source)`);
  });

  it('exits 2 when no case matches the selection', async () => {
    const { code, stderr } = await run('--grep', 'no-such-case', join(packageRoot(), 'scenarios', 'examples'));
    expect(code).toBe(2);
    expect(stderr).toMatch(/CC_ERR_NO_SCENARIOS no scenarios match .* --grep no-such-case/);
  });

  it('refuses a --grep that is not a regular expression, and a --target that is not one, before anything runs', async () => {
    const grep = await run('--grep', '(', join(packageRoot(), 'scenarios', 'examples'));
    expect(grep.code).toBe(2);
    expect(grep.stderr).toBe('chat-conform: CC_ERR_BAD_FLAG invalid value "(" for --grep: Invalid regular expression: /(/: Unterminated group (see `chat-conform run --help`)');
    const target = await run('--target', 'gopher://127.0.0.1:70', join(packageRoot(), 'scenarios', 'examples'));
    expect(target.code).toBe(2);
    expect(target.stderr).toBe('chat-conform: CC_ERR_BAD_TARGET invalid target gopher://127.0.0.1:70: unsupported scheme gopher (use ws://, wss://, tcp://, tcp+lp:// or tls:// with a host and port)');
    expect(target.stdout).toBe('');
  });

  it('refuses a bad duration flag as a usage error', async () => {
    const { code, stderr } = await run('--response-timeout', 'soon');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^chat-conform: CC_ERR_USAGE option '--response-timeout <duration>' argument 'soon' is invalid/);
  });

  it('selects cases by --tag and --grep, and skips other profiles when --profile is given', async () => {
    const { code, stdout, stderr } = await run('--profile', 'assa', '--tag', 'negative', join(packageRoot(), 'scenarios', 'examples'));
    expect(code).toBe(0);
    expect(stderr).toMatch(/skipping 3 case\(s\) of other profiles \(envelope, openirc\): the run's profile is assa/);
    expect(reportOf(stdout).cases.map((c) => c.id).sort()).toEqual(['example.assa.connect.bad-token', 'example.assa.error.not-in-room', 'example.assa.error.room-not-found', 'example.assa.text-5001-hangul']);
    const grepped = await run('--grep', '^example\\.assa\\.error\\.', join(packageRoot(), 'scenarios', 'examples'));
    expect(reportOf(grepped.stdout).cases.map((c) => c.id).sort()).toEqual(['example.assa.error.not-in-room', 'example.assa.error.room-not-found']);
  });

  it('starts no new case after a failure with --bail', async () => {
    server = await startFaultServer('no-reply');
    const fixture = readFileSync(join(packageRoot(), 'src', 'scenario', 'testing', 'fixtures', 'broadcast.yaml'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'cc-bail-'));
    writeFileSync(join(dir, 'two.yaml'), `${fixture}---\n${fixture.replace('id: fixture.broadcast', 'id: fixture.broadcast.again')}`);
    const { code, stdout } = await run('--target', server.url, '--bail', '--concurrency', '1', join(dir, 'two.yaml'));
    expect(code).toBe(1);
    expect(reportOf(stdout).cases.map((c) => [c.id, c.verdict])).toEqual([['fixture.broadcast', 'FAIL']]);
  });

  it('says an unreachable target in one line before any case runs, and exits 2', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await run('--target', `tcp://127.0.0.1:${port}`, '--tag', 'rooms');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`chat-conform: CC_ERR_CONNECT cannot connect to tcp://127.0.0.1:${port}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} (is the server running and listening there?)`);
  });

  it('says a WebSocket path that answers 404 in one line before any case runs, and exits 2', async () => {
    const http = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/chat`;
    try {
      const { code, stdout, stderr } = await run('--target', url, '--profile', 'envelope');
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(new RegExp(`^chat-conform: CC_ERR_TARGET_REFUSED ${url.replace(/[/.]/g, '\\$&')} was reached but refused: .*404.* \\(wrong path\\? `));
    } finally {
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('lets a run against a live target through its preflight, the envelope handshake with a valid token', async () => {
    const server = await startReferenceServer({ profiles: ['envelope'] });
    try {
      const { code, stdout } = await run('--target', server.urls.envelopeWs as string, '--profile', 'envelope', '--grep', 'unknown-type');
      expect(code).toBe(0);
      expect(reportOf(stdout).cases.map((c) => [c.id, c.verdict])).toEqual([['envelope.error.unknown-type', 'PASS']]);
    } finally {
      await server.close();
    }
  });

  it('signs tokens with an RS256 key from --jwt-key, which the embedded server verifies with its public half', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cc-key-'));
    const keyFile = join(dir, 'key.pem');
    writeFileSync(keyFile, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const { code, stdout } = await run('--jwt-key', keyFile, '--grep', '^example\\.assa\\.connect', join(packageRoot(), 'scenarios', 'examples'));
    expect(code).toBe(0);
    const report = reportOf(stdout);
    expect(report.options.timers).toEqual({ pingInterval: 300, pongTimeout: 1000, connectTimeout: 1000 });
    expect(report.options.auth).toEqual({ algorithm: 'RS256', keyFrom: `--jwt-key ${keyFile}` });
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([['example.assa.connect', 'PASS'], ['example.assa.connect.bad-token', 'PASS']]);
    const connect = report.cases[0]?.transcript.find((t) => t.message === 'CONNECT');
    expect(connect?.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('writes the files of extra reporters beside report.json and refuses an unknown reporter before running', async () => {
    const { code, stdout } = await run('--pong-timeout', '2s', '--reporter', 'junit,markdown', '--grep', '^example\\.openirc\\.', join(packageRoot(), 'scenarios', 'examples'));
    expect(code).toBe(0);
    const dir = /^report: (.+)\/report\.json$/m.exec(stdout)?.[1] as string;
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('example.openirc.bad-rid');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/^## .*chat-conform run: openirc/);
    expect(stdout).not.toMatch(/^PASS /m);
    expect(reportOf(stdout).options.timers).toEqual({ pingInterval: 300, pongTimeout: 2000, connectTimeout: 1000 });
    const bad = await run('--reporter', 'nope', join(packageRoot(), 'scenarios', 'examples'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^chat-conform: CC_ERR_UNKNOWN_REPORTER unknown reporter nope/);
  });
});

