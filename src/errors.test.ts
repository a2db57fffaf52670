import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CcError, ccError, ERROR_CODES, type ErrorCode } from './errors.js';
import { FINDING_CODES } from './findings.js';
import { reportError } from './cli/exit.js';
import { memoryIO } from './cli/io.js';
import { packageRoot } from './util/paths.js';

describe('the error registry', () => {
  it('gives every code the CC_ERR_ prefix and an exit code of 1 or 2', () => {
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^CC_ERR_[A-Z0-9_]+$/);
      expect([1, 2]).toContain(def.exit);
    }
  });

  it('fills the message template and the hint from the params', () => {
    const err = ccError('CC_ERR_UNKNOWN_PROFILE', { profile: 'nope', known: 'assa, envelope' });
    expect(err).toBeInstanceOf(CcError);
    expect(err.code).toBe('CC_ERR_UNKNOWN_PROFILE');
    expect(err.message).toBe('unknown profile nope');
    expect(err.hint).toBe('known profiles: assa, envelope; or pass the path of an AsyncAPI 3.0 document');
    expect(err.exitCode).toBe(2);
  });

  it('is documented: docs/errors.md lists exactly the codes of the registry', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'errors.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `(CC_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });
});

describe('the finding-code registry', () => {
  it('gives every code a case, check or schema prefix and a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(FINDING_CODES)) {
      expect(code).toMatch(/^CC_(CASE|CHECK|SCHEMA|LOAD)_[A-Z0-9_]+$/);
      expect(meaning).toMatch(/^[a-z`][^\n]+$/);
    }
  });

  it('is documented: docs/errors.md lists exactly the finding codes with their meaning', () => {
    const doc = readFileSync(join(packageRoot(), 'docs', 'errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `(CC_(?:CASE|CHECK|SCHEMA|LOAD)_[A-Z0-9_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(rows)).toEqual(FINDING_CODES);
  });

  it('holds every finding code the conformance and load code writes (no inline code outside it)', () => {
    const used = new Set<string>();
    const scan = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) scan(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(/'(CC_(?:CASE|CHECK|SCHEMA|LOAD)_[A-Z0-9_]+)'/g)) used.add(m[1] as string);
        }
      }
    };
    for (const dir of ['scenario', 'conformance', 'load']) scan(join(packageRoot(), 'src', dir));
    expect([...used].filter((code) => !(code in FINDING_CODES))).toEqual([]);
    // And the registry lists no code that nothing writes.
    expect(Object.keys(FINDING_CODES).filter((code) => !used.has(code))).toEqual([]);
  });
});

describe('reportError', () => {
  it('prints one line with the code, the message and the hint, and returns the exit code', () => {
    const io = memoryIO();
    const code = reportError(ccError('CC_ERR_SCHEMA_DRIFT', { detail: '2 files differ' }), io, false);
    expect(code).toBe(1);
    expect(io.stderr).toEqual([
      'chat-conform: CC_ERR_SCHEMA_DRIFT generated schemas differ from the spec: 2 files differ (run `chat-conform schemas build` and commit the result)',
    ]);
  });

  it('turns an unexpected exception into one CC_ERR_INTERNAL line, with the stack only under --debug', () => {
    const quiet = memoryIO();
    expect(reportError(new TypeError('boom\nsecond line'), quiet, false)).toBe(2);
    expect(quiet.stderr).toEqual(['chat-conform: CC_ERR_INTERNAL internal error: boom (rerun with --debug and report it)']);
    const loud = memoryIO();
    reportError(new TypeError('boom'), loud, true);
    expect(loud.stderr.length).toBe(2);
    expect(loud.stderr[1]).toContain('TypeError: boom');
  });
});

export type { ErrorCode };
