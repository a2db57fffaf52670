/**
 * A target that accepts connections and never answers (issue 13, items 4 and 6): the bundled ASSA
 * suite with `--response-timeout 2s` says the root cause once (the cases could not get past
 * CONNECT, the server sent 0 bytes), shows the cases blocked in their setup as NOT-ASSESSED at
 * CONNECT rather than as failures of their own rules, ends well within 45 s and exits 1 (through
 * the failing precondition), and no case waits longer than its own timers allow.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../report/model.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';

const RESPONSE_TIMEOUT = 2000;
/** Closing a case's connections: the close waits 500 ms for a server that never answers it, then destroys them. */
const SHUTDOWN = 1000;

let silent: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

describe('the ASSA suite against a server that accepts and never answers', () => {
  it('says the root cause once, shows the blocked cases NOT-ASSESSED at CONNECT, finishes within 45 s, each case within its own timers, and exits 1', async () => {
    const io = memoryIO();
    const out = mkdtempSync(join(tmpdir(), 'cc-silent-'));
    const target = `tcp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const code = await main(['node', 'chat-conform', 'run', '--out', out, '--target', target, '--response-timeout', '2s', '--reporter', 'console,json'], io);
    const stdout = io.stdout.join('\n');
    const report = JSON.parse(readFileSync(/^report: (.+)$/m.exec(stdout)?.[1] as string, 'utf8')) as RunReport;
    expect(code).toBe(1);
    expect(report.summary.exitCode).toBe(1);
    expect(report.cases.length).toBe(66);

    // Every case whose setup connects is NOT-ASSESSED at CONNECT, blocked by the seed's FAIL (no reply in time).
    const blocked = report.cases.filter((c) => c.verdict === 'NOT-ASSESSED');
    const connecting = report.cases.filter((c) => c.findings.some((f) => f.step?.path.startsWith('setup[0]')));
    expect(blocked.map((c) => c.id)).toEqual(connecting.map((c) => c.id));
    expect(blocked.length).toBe(52);
    for (const c of blocked) {
      expect(c.blockedBy, c.id).toMatchObject({ path: 'setup[0].connect', label: 'CONNECT', finding: { verdict: 'FAIL', code: 'CC_CHECK_TIMEOUT', message: 'no reply to CONNECT within 2s', source: { kind: 'seed' } } });
      expect(c.traffic?.bytesIn, c.id).toBe(0);
    }
    // Said once, before the cases' own lines.
    const connections = blocked.reduce((n, c) => n + (c.traffic?.connections ?? 0), 0);
    const line = `52 of 66 cases could not get past CONNECT: no reply to CONNECT within 2s; the server sent 0 bytes on any of ${connections} connections; it may not speak this profile (try \`chat-conform probe ${target}\`)`;
    expect(report.rootCauses?.map((r) => r.message)).toEqual([line]);
    expect(stdout).toContain(`Root causes:\n  ${line} [FAIL CC_CHECK_TIMEOUT]`);
    // The cases whose subject is the connection itself fail their own rule.
    expect(report.cases.filter((c) => c.verdict === 'FAIL').map((c) => c.id).sort()).toEqual([
      'assa.1.2.actions-before-connect', 'assa.10.1.connections-sustained', 'assa.10.2.response-timeout', 'assa.3.1.alg-none', 'assa.3.1.bad-signature', 'assa.3.1.connect',
      'assa.3.1.expired-token', 'assa.3.1.key-confusion', 'assa.3.1.malformed-token', 'assa.3.1.missing-token', 'assa.3.1.not-yet-valid-token',
    ]);
    // The bound for the whole run, not a speed benchmark.
    expect(report.durationMs).toBeLessThan(45_000);
    // A crowd awaits its CONNECT replies for the response timeout plus 10% and 1 s; every other case
    // gives up at its first reply, the response timeout after asking.
    const over = report.cases
      .map((c) => ({ id: c.id, ms: c.durationMs, bound: (c.tags.includes('connections') ? RESPONSE_TIMEOUT * 1.1 + 1000 : RESPONSE_TIMEOUT) + SHUTDOWN }))
      .filter((c) => c.ms > c.bound);
    expect(over).toEqual([]);
  }, 60_000);
});
