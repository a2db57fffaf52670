/**
 * A target that accepts connections and never answers (issue 13, items 4 and 6): the bundled ASSA
 * suite with `--response-timeout 2s` ends well within 45 s and exits 1, and no case waits longer
 * than its own timers allow: each gives up when its first awaited reply is overdue.
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
  it('finishes within 45 s, each case within its own timers, and exits 1', async () => {
    const io = memoryIO();
    const out = mkdtempSync(join(tmpdir(), 'cc-silent-'));
    const target = `tcp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const code = await main(['node', 'chat-conform', 'run', '--out', out, '--target', target, '--response-timeout', '2s', '--reporter', 'json'], io);
    const report = JSON.parse(readFileSync(/^report: (.+)$/m.exec(io.stdout.join('\n'))?.[1] as string, 'utf8')) as RunReport;
    expect(code).toBe(1);
    expect(report.cases.length).toBe(66);
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
