/**
 * A custom reporter module given to `run` or `load` is one object for the whole run: its live hooks
 * (onRunStart, onCaseStart, onCaseEnd, onProgress) are called while the run goes, and its onRunEnd
 * then writes into the run folder, which it learns from ctx.outDir only at that point.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../util/paths.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-hooks-'));
const module = join(dir, 'collect.mjs');
writeFileSync(
  module,
  `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export default (ctx) => {
  const seen = [];
  return {
    name: 'collect',
    onRunStart(info) { seen.push('start:' + info.command + ':' + (ctx.outDir === undefined ? 'no-dir' : 'dir')); },
    onCaseStart(info) { seen.push('case-start:' + info.id); },
    onCaseEnd(result) { seen.push('case-end:' + result.id + ':' + result.verdict); },
    onProgress(p) { seen.push('progress:' + p.connected); },
    onRunEnd(report) {
      const path = join(ctx.outDir, 'collected.json');
      writeFileSync(path, JSON.stringify({ command: report.command, seen }));
      return [path];
    },
  };
};
`,
);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; collected: { command: string; seen: string[] } }> {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', ...args], io);
  const stdout = io.stdout.join('\n');
  const reportPath = /^report: (.+)$/m.exec(stdout)?.[1];
  if (!reportPath) throw new Error(`no report path in:\n${stdout}\n${io.stderr.join('\n')}`);
  return { code, stdout, collected: JSON.parse(readFileSync(join(reportPath, '..', 'collected.json'), 'utf8')) as { command: string; seen: string[] } };
}

describe('custom reporter modules on the command line', () => {
  it('run: the same object sees the run start, every case start and end, then writes into the run folder', async () => {
    const example = join(packageRoot(), 'scenarios', 'examples', 'assa');
    const { code, collected } = await cli('run', example, '--out', join(dir, 'run'), '--reporter', `console,${module}`);
    expect(code).toBe(0);
    expect(collected.command).toBe('run');
    const seen = collected.seen;
    expect(seen[0]).toBe('start:run:no-dir');
    const starts = seen.filter((s) => s.startsWith('case-start:'));
    const ends = seen.filter((s) => s.startsWith('case-end:'));
    expect(starts.length).toBeGreaterThan(0);
    expect(ends).toHaveLength(starts.length);
    expect(ends.every((s) => s.endsWith(':PASS'))).toBe(true);
    // Each case's start comes before its end.
    for (const end of ends) {
      const id = end.split(':')[1];
      expect(seen.indexOf(`case-start:${id}`)).toBeLessThan(seen.indexOf(end));
    }
  }, 60_000);

  it('load: the same object gets the live progress, then writes into the run folder', async () => {
    const { code, collected } = await cli('load', '--clients', '20', '--ramp', '100ms', '--duration', '6s', '--workers', '1', '--out', join(dir, 'load'), '--reporter', module);
    expect(code).toBe(0);
    expect(collected.command).toBe('load');
    const progress = collected.seen.filter((s) => s.startsWith('progress:'));
    // Off a terminal progress goes out every 5 s from the start of sending: once or twice in a 6 s
    // run, every time with all 20 clients connected (the ramp is 100 ms).
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(new Set(progress)).toEqual(new Set(['progress:20']));
    expect(progress.at(-1)).toBe('progress:20');
  }, 60_000);
});
