import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryOutput } from '../output.js';
import { conformanceReport, FIXTURE_SECRETS, loadReport } from '../report/fixtures.js';
import { validateReport } from '../report/validate.js';
import { createReporter, reporterNames } from './registry.js';
import { writeReports } from './write.js';

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'cc-reports-'));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));

describe('writeReports', () => {
  it('writes <out>/<timestamp>-<command>/ with report.json and each rendered file, and points latest at it', async () => {
    const io = memoryOutput();
    const written = await writeReports(conformanceReport(), { out, reporters: ['console', 'json', 'junit', 'html', 'markdown'], io });
    expect(written.dir).toBe(join(out, '20261122T040000Z-run'));
    expect(readdirSync(written.dir).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'summary.md']);
    expect(written.files.map((f) => f.slice(written.dir.length + 1))).toEqual(['report.json', 'junit.xml', 'report.html', 'summary.md']);
    expect(written.latest.kind).toBe('symlink');
    expect(lstatSync(join(out, 'latest')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'latest'))).toBe('20261122T040000Z-run');
    expect(readFileSync(join(out, 'latest', 'report.json'), 'utf8')).toBe(readFileSync(join(written.dir, 'report.json'), 'utf8'));
    // console printed instead of writing a file.
    expect(io.stdout.join('\n')).toContain('FAIL          assa.send.too-long');
  });

  it('writes a report.json that validates and holds no secret, in any file', async () => {
    const written = await writeReports(loadReport(), { out, reporters: ['junit', 'html', 'markdown'] });
    expect(validateReport(JSON.parse(readFileSync(join(written.dir, 'report.json'), 'utf8')))).toEqual([]);
    for (const file of written.files) {
      const text = readFileSync(file, 'utf8');
      for (const secret of FIXTURE_SECRETS) expect(text.includes(secret), file).toBe(false);
    }
  });

  it('never overwrites an earlier run with the same timestamp, and moves latest to the new one', async () => {
    const first = await writeReports(conformanceReport(), { out });
    const second = await writeReports(conformanceReport(), { out });
    expect(second.dir).toBe(`${first.dir}-2`);
    expect(readlinkSync(join(out, 'latest'))).toBe('20261122T040000Z-run-2');
  });

  it('replaces a latest file left by a system without symlinks', async () => {
    writeFileSync(join(out, 'latest'), 'old-folder\n');
    await writeReports(loadReport(), { out });
    expect(readlinkSync(join(out, 'latest'))).toBe('20261122T041000Z-load');
  });

  it('fails with CC_ERR_UNKNOWN_REPORTER, listing the known ones, for an unknown name', async () => {
    await expect(writeReports(conformanceReport(), { out, reporters: ['xml'] })).rejects.toMatchObject({
      code: 'CC_ERR_UNKNOWN_REPORTER',
      exitCode: 2,
      hint: 'known reporters: console, json, junit, html, markdown; or pass the path of a reporter module',
    });
    expect(reporterNames()).toEqual(['console', 'json', 'junit', 'html', 'markdown']);
  });
});

describe('custom reporters by path', () => {
  it('loads a factory, a class or an object exported by default, and calls its hooks', async () => {
    const variants = {
      'factory.mjs': 'export default (ctx) => ({ name: "mine", onRunEnd(report) { ctx.io.out("factory " + report.command + " " + report.cases.length); } });',
      'klass.mjs': 'export default class Mine { constructor(ctx) { this.ctx = ctx; } onRunEnd(report) { this.ctx.io.out("class " + report.summary.exitCode); } }',
      'object.mjs': 'export default { onRunEnd() {} , onCaseEnd() {} };',
    };
    const io = memoryOutput();
    for (const [file, source] of Object.entries(variants)) writeFileSync(join(out, file), source);
    const factory = await createReporter(join(out, 'factory.mjs'), { io, color: false });
    const klass = await createReporter('./klass.mjs', { io, color: false }, out);
    const object = await createReporter(join(out, 'object.mjs'), { io, color: false });
    await factory.onRunEnd?.(conformanceReport());
    await klass.onRunEnd?.(conformanceReport());
    expect(io.stdout).toEqual(['factory run 5', 'class 2']);
    expect(factory.name).toBe('mine');
    expect(object.name).toBe(join(out, 'object.mjs'));
  });

  it('reports a module that cannot load, or exports no hooks, as CC_ERR_REPORTER_LOAD', async () => {
    writeFileSync(join(out, 'empty.mjs'), 'export default { name: "x" };');
    const ctx = { io: memoryOutput(), color: false };
    await expect(createReporter(join(out, 'missing.mjs'), ctx)).rejects.toMatchObject({ code: 'CC_ERR_REPORTER_LOAD' });
    await expect(createReporter(join(out, 'empty.mjs'), ctx)).rejects.toMatchObject({
      code: 'CC_ERR_REPORTER_LOAD',
      message: `cannot load the reporter module ${join(out, 'empty.mjs')}: its export has none of onRunStart, onCaseStart, onCaseEnd, onProgress, onRunEnd`,
    });
    expect(existsSync(join(out, 'latest'))).toBe(false);
  });
});
