/**
 * Finding scenario files: paths, folders (every .yaml/.yml below, sorted) and globs (`*`, `**`,
 * `?`), resolved from the working directory. Node 20 has no fs.glob, hence the small matcher.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ccError } from '../errors.js';

const SCENARIO_FILE = /\.ya?ml$/i;

export function findScenarioFiles(patterns: readonly string[], cwd: string): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const before = out.size;
    if (/[*?[]/.test(pattern)) {
      for (const file of expandGlob(pattern, cwd)) out.add(file);
    } else {
      const abs = resolve(cwd, pattern);
      const stat = statSync(abs, { throwIfNoEntry: false });
      if (!stat) throw ccError('CC_ERR_FILE_NOT_FOUND', { path: pattern, reason: 'ENOENT' });
      if (stat.isDirectory()) for (const file of walk(abs)) out.add(file);
      else out.add(abs);
    }
    if (out.size === before) throw ccError('CC_ERR_NO_SCENARIOS', { pattern });
  }
  return [...out];
}

/** Every scenario file under a folder, in a stable order. */
export function walk(dir: string): string[] {
  const files: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(path));
    else if (entry.isFile() && SCENARIO_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function expandGlob(pattern: string, cwd: string): string[] {
  const normalized = pattern.split(sep).join('/');
  const segments = normalized.split('/');
  const firstGlob = segments.findIndex((s) => /[*?[]/.test(s));
  const base = resolve(cwd, segments.slice(0, firstGlob).join('/') || '.');
  const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
  const stat = statSync(base, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return [];
  return walkAll(base).filter((file) => matcher.test(relative(base, file).split(sep).join('/')));
}

function walkAll(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walkAll(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** `**` crosses folders, `*` and `?` stay within one, `[...]` is a character class. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
