import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ccError } from '../errors.js';
import { SILENT_OUTPUT, type Output } from '../output.js';
import type { RunReport } from '../report/model.js';
import { redactReport } from '../report/redact.js';
import { renderJson } from './json.js';
import { createReporter } from './registry.js';
import type { Reporter, ReporterContext } from './types.js';

export interface WriteReportsOptions {
  /** Output root; default `reports/`. */
  out?: string;
  /** Reporters to run besides report.json (always written): names or module paths. */
  reporters?: readonly string[];
  /** Reporters made before the run (prepareReporters), used instead of `reporters`. */
  prepared?: readonly PreparedReporter[];
  /** Where `console` (and other printing reporters) write; default: nowhere. */
  io?: Output;
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

/**
 * A reporter made before a run, so its live hooks (onRunStart, onCaseEnd, onProgress) see the run
 * and its onRunEnd is the same object's. A file reporter learns its folder (ctx.outDir) only when
 * the reports are written, just before onRunEnd: the folder is named after the finished run.
 */
export interface PreparedReporter {
  readonly spec: string;
  readonly reporter: Reporter;
  readonly ctx: ReporterContext;
}

/** Creates every reporter now (a bad name or module fails before the run); `json` is always written and needs none. */
export async function prepareReporters(specs: readonly string[], options: { io?: Output; color?: boolean; cwd?: string } = {}): Promise<PreparedReporter[]> {
  const prepared: PreparedReporter[] = [];
  for (const spec of specs) {
    if (spec === 'json') continue;
    const ctx: ReporterContext = { io: options.io ?? SILENT_OUTPUT, color: options.color ?? false };
    prepared.push({ spec, reporter: await createReporter(spec, ctx, options.cwd), ctx });
  }
  return prepared;
}

const HOOKS = ['onRunStart', 'onCaseStart', 'onCaseEnd', 'onProgress', 'onCapacityStep', 'onRunEnd'] as const;
export type ReporterHook = (typeof HOOKS)[number];

/** The reporter without some of its hooks; the others bound, so a class-based reporter (hooks on its prototype) loses nothing else. */
export function withoutHooks(reporter: Reporter, drop: readonly ReporterHook[]): Reporter {
  const out: Record<string, unknown> = { ...reporter, name: reporter.name };
  for (const h of HOOKS) {
    const fn = reporter[h];
    if (drop.includes(h)) delete out[h];
    else if (typeof fn === 'function') out[h] = fn.bind(reporter);
  }
  return out as unknown as Reporter;
}

/**
 * The reporter without its onRunEnd, for the run's live hooks: writeReports calls every
 * reporter's onRunEnd itself, once the run's folder exists.
 */
export function withoutRunEnd(reporter: Reporter): Reporter {
  return withoutHooks(reporter, ['onRunEnd']);
}

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
  const prepared = options.prepared ?? (await prepareReporters(options.reporters ?? [], { ...(options.io ? { io: options.io } : {}), ...(options.color === undefined ? {} : { color: options.color }) }));
  for (const { reporter, ctx } of prepared) {
    // Every reporter learns the folder; one that prints (the console) has no use for it.
    ctx.outDir = dir;
    const written = await reporter.onRunEnd?.(safe);
    if (Array.isArray(written)) files.push(...written);
  }
  const latest = updateLatest(root, dir.slice(root.length + 1));
  return { dir, files, latest };
}
