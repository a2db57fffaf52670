import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';

const exec = promisify(execFile);

/**
 * The tarball a user installs must work on its own: no src/, no dev dependencies, no repo
 * around it. Packs this checkout, installs the tarball into an empty folder and runs the binary.
 */
describe('the npm package', () => {
  const work = mkdtempSync(join(tmpdir(), 'chat-conform-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs from its tarball and runs --help and validate', async () => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const env = { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' };
    await exec(npm, ['pack', '--pack-destination', work], { cwd: packageRoot(), timeout: 120_000, env });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^chat-conform-\d+\.\d+\.\d+\.tgz$/);

    const app = join(work, 'app');
    await exec('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    await exec(npm, ['install', '--omit=dev', '--ignore-scripts', join(work, tarball!)], { cwd: app, timeout: 180_000, env });

    const bin = join(app, 'node_modules', '.bin', 'chat-conform');
    const help = await exec(bin, ['--help'], { cwd: app, timeout: 20_000 });
    expect(help.stdout).toContain('Usage: chat-conform');

    const message = {
      action: 'SEND_MESSAGE',
      data: { room_id: 100, content: 'hello', message_type: 'text', client_message_id: 'c1' },
      timestamp: '2024-01-01T12:00:00.000Z',
      seq_id: 'send_msg_001',
    };
    writeFileSync(join(app, 'message.json'), JSON.stringify(message));
    const valid = await exec(bin, ['validate', '--profile', 'assa', 'message.json'], { cwd: app, timeout: 20_000 });
    expect(valid.stdout).toContain('SEND_MESSAGE');

    writeFileSync(join(app, 'bad.json'), JSON.stringify({ ...message, seq_id: 7 }));
    const invalid = await exec(bin, ['validate', '--profile', 'assa', 'bad.json'], { cwd: app, timeout: 20_000 }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => err,
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toContain('/seq_id');
  }, 300_000);
});
