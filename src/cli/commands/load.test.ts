/**
 * `chat-conform load` as a user meets it: through main() with the arguments of a command line
 * (and, for Ctrl-C, the built binary in a child process). What is asserted is what the user sees:
 * the exit code, the lines printed, the report written.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../report/model.js';
import { validateReport } from '../../report/validate.js';
import { listenOnLoopback } from '../../testing/loopback-listen.js';
import { packageRoot } from '../../util/paths.js';
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

describe('chat-conform load: no green without evidence', () => {
  it('exits 1 against a server that accepts and never answers, the reason first in the summary', async () => {
    const { port, close } = await listenOnLoopback(net.createServer((s) => s.resume()));
    try {
      const r = await load('--target', `tcp://127.0.0.1:${port}`, '--clients', '20', '--ramp', '100ms', '--duration', '1s', '--response-timeout', '300ms');
      expect(r.code).toBe(1);
      expect(r.stdout[0]).toBe(`load: 20 clients against tcp://127.0.0.1:${port}, about 3.6s: ramp 100ms (--ramp) + steady 1s (--duration) + drain up to 2s (scenario); the steady phase waits up to 30.3s for clients still setting up`);
      const summary = r.stdout.findIndex((l) => l.startsWith('load: 20 clients for '));
      const reason = /^FAIL: no round trip completed: (\d+) requests sent, 0 replies, (\d+) timeouts$/.exec(r.stdout[summary - 2] ?? '');
      expect(reason, r.stdout.join('\n')).not.toBeNull();
      // Every CONNECT (one per attempt: the first and the reconnections) timed out.
      expect(Number(reason![1])).toBeGreaterThanOrEqual(20);
      expect(reason![2]).toBe(reason![1]);
      expect(r.stdout[summary - 1]).toBe(`FAIL: ${reason![2]} of ${reason![1]} requests timed out (100%; the gate allows 0.1%)`);
      expect(r.stdout).toContain('  gate FAIL round_trips>0 (actual 0)');
    } finally {
      await close();
    }
  }, 30_000);

  it('prints a relaxed gate before the run and in the summary', async () => {
    const r = await load('--clients', '20', '--ramp', '100ms', '--duration', '1s', '--gate-timeouts', '2%');
    expect(r.code).toBe(0);
    expect(r.stdout[1]).toBe('gate relaxed: timeouts allowed: 2% of requests (--gate-timeouts; default 0.1%)');
    expect(r.stdout).toContain('  gate PASS round_trips>0, connect.errors<=0, timeouts.rate<=2%, delivery.leaked==0; relaxed: timeouts allowed: 2% of requests (--gate-timeouts; default 0.1%)');
  }, 30_000);
});

describe('chat-conform load: Ctrl-C', () => {
  it('writes the report marked incomplete and exits 130 when the process gets SIGINT mid-run', async () => {
    // The built binary in its own process, as a person runs it; SIGINT once clients are sending.
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'chat-conform.js'), 'load', '--clients', '20', '--ramp', '100ms', '--duration', '60s', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!interrupted && /^\[.*\] connected 20 {2}msg\/s [1-9]/m.test(stdout)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 40_000);
    const code = await exit;
    clearTimeout(deadline);
    expect(interrupted, `never saw clients sending:\n${stdout}\n${stderr}`).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain('chat-conform: stopping: closing connections and writing the report');
    const lines = stdout.split('\n');
    const summary = lines.findIndex((l) => l.startsWith('INCOMPLETE: '));
    expect(lines[summary]).toMatch(/^INCOMPLETE: stopped by an interrupt \(Ctrl-C\) [\d.]+m?s into a run planned for 1m: the figures cover only the part that ran$/);
    expect(lines[summary + 1]).toMatch(/^load: 20 clients for [\d.]+s against tcp:\/\/127\.0\.0\.1:\d+ \(embedded reference server\)$/);
    const path = /^report: (.+)$/m.exec(stdout)?.[1];
    const report = JSON.parse(readFileSync(path!, 'utf8')) as RunReport;
    expect(validateReport(report)).toEqual([]);
    expect(report.summary.exitCode).toBe(130);
    expect(report.summary.incomplete).toMatch(/^stopped by an interrupt \(Ctrl-C\)/);
    expect(report.options.stopped).toBe('signal');
    expect(report.load!.durationMs).toBeLessThan(60_000);
  }, 60_000);
});
