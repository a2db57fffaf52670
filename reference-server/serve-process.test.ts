/**
 * `chat-conform serve` as a real process (the CLI from source, through tsx, so a broken build
 * elsewhere cannot fail it): it prints its URLs, serves, and exits 0 on SIGTERM and on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { mintToken } from '../src/auth/jwt.js';
import { connectTcp } from './testing/client.js';

const mainPath = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function startServe(): { child: ChildProcess; url: Promise<string>; exit: Promise<number | null> } {
  const script = `const m = await import(${JSON.stringify(mainPath)}); process.exitCode = await m.main(['node', 'chat-conform', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'serve', '--profile', 'assa', '--tcp-port', '0', '--ws-port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 20 s: ${out}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /tcp:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exit };
}

describe('chat-conform serve (process)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('serves until %s, then closes its connections and exits 0', async (signal) => {
    const { child, url, exit } = startServe();
    const client = await connectTcp(await url);
    const reply = await client.request('CONNECT', { jwt_token: mintToken({ claims: { sub: '1', nickname: 'A' } }) });
    expect(reply.success).toBe(true);
    child.kill(signal);
    expect(await exit).toBe(0);
    await client.closed();
  }, 30_000);
});
