import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ccError } from '../errors.js';
import type { CliIO } from '../cli/io.js';
import type { RunReport } from '../report/model.js';
import { redactReport } from '../report/redact.js';
import { renderJson } from './json.js';
import { createReporter } from './registry.js';

export interface WriteReportsOptions {
  /** Output root; default `reports/`. */
  out?: string;
  /** Reporters to run besides report.json (always written): names or module paths. */
  reporters?: readonly string[];
  /** Where `console` (and other printing reporters) write; default: nowhere. */
  io?: CliIO;
  color?: boolean;
}

export interface WrittenReports {
  /** The run folder, `<out>/<timestamp>-<command>`. */
  dir: string;
  /** Every file written, report.json first. */
  files: string[];
  /** The `latest` pointer and how it was made. */
  latest: { path: string; kind: 'symlink' | 'file' };
}

const SILENT: CliIO = { out: () => undefined, err: () => undefined, isTTY: false, color: false };

/** `2026-11-22T04:00:05.100Z` → `20261122T040005Z`: sortable and safe in every file system. */
export function runFolderName(report: RunReport): string {
  const stamp = report.startedAt.replace(/\.\d+/, '').replace(/[-:]/g, '');
  return `${/^\d{8}T\d{6}Z$/.test(stamp) ? stamp : 'run'}-${report.command}`;
}

function uniqueDir(root: string, name: string): string {
  let dir = join(root, name);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${name}-${i}`);
  return dir;
}

/** Points `<out>/latest` at the run folder: a relative symlink, or a file holding its name where links are not allowed. */
function updateLatest(root: string, folder: string): WrittenReports['latest'] {
  const path = join(root, 'latest');
  try {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat && (stat.isSymbolicLink() || stat.isFile())) rmSync(path);
  } catch {
    // Not there, or not ours to remove: the link attempt below reports it.
  }
  try {
    symlinkSync(folder, path, 'dir');
    return { path, kind: 'symlink' };
  } catch {
    writeFileSync(path, `${folder}\n`);
    return { path, kind: 'file' };
  }
}

/**
 * Writes a run's reports: `<out>/<timestamp>-<command>/report.json` plus each reporter's file,
 * then moves `<out>/latest`. Everything written is redacted first.
 */
export async function writeReports(report: RunReport, options: WriteReportsOptions = {}): Promise<WrittenReports> {
  const root = resolve(options.out ?? 'reports');
  const safe = redactReport(report);
  const name = runFolderName(safe);
  const dir = uniqueDir(root, name);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw ccError('CC_ERR_FILE_WRITE', { path: dir, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  const files: string[] = [];
  const jsonPath = join(dir, 'report.json');
  try {
    writeFileSync(jsonPath, renderJson(safe));
  } catch (err) {
    throw ccError('CC_ERR_FILE_WRITE', { path: jsonPath, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  files.push(jsonPath);
  for (const spec of options.reporters ?? []) {
    if (spec === 'json') continue;
    const printing = spec === 'console';
    const reporter = await createReporter(spec, {
      io: options.io ?? SILENT,
      color: options.color ?? false,
      ...(printing ? {} : { outDir: dir }),
    });
    const written = await reporter.onRunEnd?.(safe);
    if (Array.isArray(written)) files.push(...written);
  }
  const latest = updateLatest(root, dir.slice(root.length + 1));
  return { dir, files, latest };
}
