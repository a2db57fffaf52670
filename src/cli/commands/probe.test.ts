import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { main } from '../main.js';
import { startBadWsServer, type BadWsServer } from '../../testing/bad-ws-server.js';
import { startTcpEchoServer } from '../../testing/transport-echo-servers.js';

let server: BadWsServer;
beforeAll(async () => {
  server = await startBadWsServer('none');
});
afterAll(async () => {
  await server.close();
});

async function run(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', 'probe', ...args], io);
  return { code, out: io.stdout, err: io.stderr };
}

describe('chat-conform probe', () => {
  it('exits 0 and prints one line per check for a well-behaved server', async () => {
    server.fault = 'none';
    const { code, out, err } = await run(server.url, '--timeout', '400ms', '--listen', '100ms');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out.filter((l) => /^(PASS|FAIL|NON-STRICT) /.test(l))).toHaveLength(6);
  });

  it('exits 1 when a check fails, and --json prints a parseable document', async () => {
    server.fault = 'reserved-opcode';
    const { code, out } = await run(server.url, '--timeout', '400ms', '--listen', '100ms', '--json');
    expect(code).toBe(1);
    const doc = JSON.parse(out.join('\n')) as { verdict: string; checks: { id: string; diagnostics: { code: string }[] }[] };
    expect(doc.verdict).toBe('FAIL');
    expect(doc.checks.find((c) => c.id === 'frames')?.diagnostics.map((d) => d.code)).toEqual(['CC_WIRE_RESERVED_OPCODE']);
  });

  it('exits 0 with --lenient when the only faults are recoverable', async () => {
    server.fault = 'non-minimal-length';
    expect((await run(server.url, '--timeout', '400ms', '--listen', '100ms')).code).toBe(1);
    expect((await run(server.url, '--timeout', '400ms', '--listen', '100ms', '--lenient')).code).toBe(0);
  });

  it('exits 2 for an unreachable target, a bad URL and a bad flag', async () => {
    const s = await startTcpEchoServer();
    await s.close();
    const unreachable = await run(`tcp://127.0.0.1:${s.port}`, '--timeout', '400ms');
    expect(unreachable.code).toBe(2);
    expect(unreachable.err[0]).toMatch(/^chat-conform: CC_ERR_CONNECT /);
    const bad = await run('ftp://x');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^chat-conform: CC_ERR_BAD_TARGET /);
    expect((await run(server.url, '--timeout', 'soon')).code).toBe(2);
    expect((await run(server.url, '--header', 'no-colon')).code).toBe(2);
  });
});
