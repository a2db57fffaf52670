/**
 * `chat-conform load` as a user meets it: through main() with the arguments of a command line
 * (and, for Ctrl-C, the built binary in a child process). What is asserted is what the user sees:
 * the exit code, the lines printed, the report written.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../testing/loopback-listen.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';

const out = mkdtempSync(join(tmpdir(), 'cc-load-cli-'));

const load = async (...args: string[]) => {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', 'load', '--out', out, ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
};

async function deadPort(): Promise<number> {
  const { port, close } = await listenOnLoopback(net.createServer());
  await close();
  return port;
}

describe('chat-conform load: a target that is not there', () => {
  it('exits 2 with one error line before any client starts, and writes no report, for a dead port', async () => {
    const port = await deadPort();
    const before = existsSync(out) ? readdirSync(out).length : 0;
    const r = await load('--target', `tcp://127.0.0.1:${port}`, '--clients', '20', '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([`chat-conform: CC_ERR_CONNECT cannot connect to tcp://127.0.0.1:${port}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} (is the server running and listening there?)`]);
    expect(r.stdout).toEqual([]);
    expect(readdirSync(out).length).toBe(before);
  });

  it('exits 2 for a scheme the profile does not speak (http:// for ASSA)', async () => {
    const r = await load('--target', 'http://127.0.0.1:8080/', '--clients', '20', '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([
      'chat-conform: CC_ERR_BAD_TARGET invalid target http://127.0.0.1:8080/: unsupported scheme http; this profile speaks tcp://, ws:// (use ws://, wss://, tcp://, tcp+lp:// or tls:// with a host and port)',
    ]);
    expect(r.stdout).toEqual([]);
  });
});

describe('chat-conform load: thresholds are checked before the run', () => {
  it('refuses an unknown metric with the nearest name, exit 2, before any client starts', async () => {
    const r = await load('--threshold', 'repyl.p99<1ms', '--clients', '20', '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual(['chat-conform: CC_ERR_BAD_THRESHOLD invalid threshold "repyl.p99<1ms" (command line): unknown metric repyl.p99 (did you mean reply.p99? the metrics are listed in docs/load.md#metrics)']);
    expect(r.stdout).toEqual([]);
  });

  it('refuses a time bound written without a unit, saying how to write it', async () => {
    const r = await load('--threshold', 'reply.p99<100', '--clients', '20', '--duration', '1s');
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual(['chat-conform: CC_ERR_BAD_THRESHOLD invalid threshold "reply.p99<100" (command line): reply.p99 is a time: its bound needs a unit (write it as reply.p99<100ms (units: us, ms, s, m))']);
  });
});
