import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { memoryIO } from './io.js';
import { main, toolVersion } from './main.js';

const run = async (...args: string[]) => {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
};

describe('the chat-conform CLI', () => {
  it('prints help listing every command and exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    for (const name of ['run', 'load', 'capacity', 'serve', 'token', 'probe', 'validate', 'schemas', 'profiles', 'list', 'report']) {
      expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it('prints the package version with --version', async () => {
    const { code, stdout } = await run('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(toolVersion());
    expect(toolVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reports an unknown option as a usage error on one line and exits 2', async () => {
    const { code, stderr } = await run('--no-such-flag');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe("chat-conform: CC_ERR_USAGE unknown option '--no-such-flag'");
  });

  it('reports an unknown command as a usage error and exits 2', async () => {
    const { code, stderr } = await run('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain("CC_ERR_USAGE unknown command 'frobnicate'");
  });
});

describe('the installed binary', () => {
  const bin = join(packageRoot(), 'bin', 'chat-conform.js');
  const built = existsSync(join(packageRoot(), 'dist', 'src', 'cli', 'main.js'));

  it.runIf(built)('runs from bin/ and exits with the code main() returns', async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [bin, '--version'], { timeout: 20_000 });
    expect(ok.stdout.trim()).toBe(toolVersion());
    const bad = await exec(process.execPath, [bin, '--no-such-flag'], { timeout: 20_000 }).catch((err: { code: number; stderr: string }) => err);
    expect('code' in bad ? bad.code : 0).toBe(2);
    expect('stderr' in bad ? bad.stderr : '').toContain('CC_ERR_USAGE');
  });
});
