import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findScenarioFiles, globToRegExp } from './discover.js';

const root = mkdtempSync(join(tmpdir(), 'cc-discover-'));
for (const f of ['a.yaml', 'b.yml', 'notes.txt', 'sub/c.yaml', 'sub/deep/d.yaml']) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), 'id: x\n');
}

describe('finding scenario files', () => {
  it('takes every .yaml and .yml below a folder, sorted', () => {
    expect(findScenarioFiles(['.'], root).map((f) => f.slice(root.length + 1))).toEqual(['a.yaml', 'b.yml', 'sub/c.yaml', 'sub/deep/d.yaml']);
  });

  it('expands * within a folder and ** across folders', () => {
    expect(findScenarioFiles(['*.yaml'], root).map((f) => f.slice(root.length + 1))).toEqual(['a.yaml']);
    expect(findScenarioFiles(['sub/**/*.yaml'], root).map((f) => f.slice(root.length + 1))).toEqual(['sub/c.yaml', 'sub/deep/d.yaml']);
  });

  it('refuses a missing path and a glob that matches nothing', () => {
    expect(() => findScenarioFiles(['nope.yaml'], root)).toThrow(expect.objectContaining({ code: 'CC_ERR_FILE_NOT_FOUND' }));
    expect(() => findScenarioFiles(['*.json'], root)).toThrow(expect.objectContaining({ code: 'CC_ERR_NO_SCENARIOS', message: 'no scenarios match *.json' }));
  });

  it('translates globs to anchored expressions', () => {
    expect(globToRegExp('**/*.yaml').test('x/y/z.yaml')).toBe(true);
    expect(globToRegExp('**/*.yaml').test('z.yaml')).toBe(true);
    expect(globToRegExp('*.yaml').test('x/z.yaml')).toBe(false);
    expect(globToRegExp('case-?.y[a]ml').test('case-1.yaml')).toBe(true);
  });
});
