import { InvalidArgumentError, type Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ccError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { collect, durationArg } from '../options.js';

/**
 * `chat-conform report render|compare|merge`: typed functions over src/report and src/reporters
 * (tests call them with memoryIO()), and a thin commander registration that imports them lazily.
 */

export interface RenderOptions {
  reporter: string;
  /** Write the rendered file into this folder instead of printing it. */
  out?: string;
}

/** Renders a stored report.json with one reporter. Exit 0 when it rendered (whatever the verdicts). */
export async function reportRender(file: string, options: RenderOptions, io: CliIO): Promise<number> {
  const [{ readReport }, { redactReport }, { createReporter }] = await Promise.all([
    import('../../report/validate.js'),
    import('../../report/redact.js'),
    import('../../reporters/registry.js'),
  ]);
  const report = redactReport(readReport(file));
  let outDir: string | undefined;
  if (options.out !== undefined) {
    outDir = resolve(options.out);
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (err) {
      throw ccError('CC_ERR_FILE_WRITE', { path: outDir, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }
  const printing = options.reporter === 'console';
  const reporter = await createReporter(options.reporter, { io, color: io.color, ...(outDir !== undefined && !printing ? { outDir } : {}) });
  const written = await reporter.onRunEnd?.(report);
  if (Array.isArray(written)) for (const path of written) io.err(`wrote ${path}`);
  return 0;
}

export interface CompareCliOptions {
  /** The relative noise band, a fraction: 0.1 allows 10% growth. */
  maxRegression: number;
  /** The absolute floor for latencies, ms (default 2). */
  minChange?: number;
  /** Values a run needs above a statistic for it to count (default 10). */
  minTailSamples?: number;
  metric?: string[];
}

/** Compares BASE with HEAD; exit 1 on any regression. */
export async function reportCompare(base: string, head: string, options: CompareCliOptions, io: CliIO): Promise<number> {
  const [{ readReport }, { compareReports, formatComparison }] = await Promise.all([import('../../report/validate.js'), import('../../report/compare.js')]);
  const opts = {
    maxRegression: options.maxRegression,
    ...(options.minChange === undefined ? {} : { minChangeMs: options.minChange }),
    ...(options.minTailSamples === undefined ? {} : { minTailSamples: options.minTailSamples }),
    ...(options.metric ? { metrics: options.metric } : {}),
  };
  const comparison = compareReports(readReport(base), readReport(head), opts);
  if (comparison.unknownMetrics.length) {
    throw ccError('CC_ERR_BAD_FLAG', {
      flag: '--metric',
      value: comparison.unknownMetrics.join(', '),
      reason: `no histogram of that name in both reports (they share: ${comparison.sharedMetrics.join(', ') || 'none'})`,
      command: 'report compare',
    });
  }
  io.out(formatComparison(comparison, opts));
  return comparison.regressions > 0 ? 1 : 0;
}

export interface MergeCliOptions {
  /** Write the merged report here instead of printing it. */
  out?: string;
}

/** Merges shard reports; exits with the merged run's exit code (thresholds re-evaluated). */
export async function reportMerge(files: string[], options: MergeCliOptions, io: CliIO): Promise<number> {
  const [{ readReport }, { mergeReports }, { renderJson }, { redactReport }] = await Promise.all([
    import('../../report/validate.js'),
    import('../../report/merge.js'),
    import('../../reporters/json.js'),
    import('../../report/redact.js'),
  ]);
  const merged = redactReport(mergeReports(files.map((f) => readReport(f))));
  const text = renderJson(merged);
  if (options.out === undefined) io.out(text.replace(/\n$/, ''));
  else {
    const path = resolve(options.out);
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    } catch (err) {
      throw ccError('CC_ERR_FILE_WRITE', { path, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
    io.err(`wrote ${path}: ${merged.cases.length} cases from ${files.length} reports`);
  }
  return merged.summary.exitCode;
}

/** `10%`, `10` (percent) or `0.1%` → a fraction. */
export function regressionArg(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError(`expected a percentage such as 10% or 2.5%, got ${JSON.stringify(value)}`);
  return Number(m[1]) / 100;
}

function wholeArg(value: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function reporterArg(value: string): string {
  if (!value.trim()) throw new InvalidArgumentError('expected a reporter name (console, html, junit, markdown, json) or a module path');
  return value;
}

export function register(program: Command, ctx: CliContext): Command {
  // Subcommands copy these settings when created, so parse errors in them exit 2 through main()
  // instead of commander's own process.exit (main.ts configures top-level commands only after this returns).
  const report = program
    .command('report')
    .description('render, compare and merge reports')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(`chat-conform: CC_ERR_USAGE ${s.trim().replace(/^error: /, '')}`),
    });
  report
    .command('render')
    .description('render a report.json with a reporter (prints it, or writes it into --out DIR)')
    .argument('<file>', 'a report.json')
    .requiredOption('--reporter <name>', 'console, html, junit, markdown, json, or the path of a reporter module', reporterArg)
    .option('--out <dir>', 'write the rendered file into this folder instead of printing it')
    .action(async (file: string, opts: RenderOptions) => {
      ctx.setExitCode(await reportRender(file, opts, ctx.io));
    });
  report
    .command('compare')
    .description('compare two reports: percentile deltas and verdict changes; exit 1 on a regression')
    .argument('<base>', 'the baseline report.json')
    .argument('<head>', 'the report.json to judge')
    .option('--max-regression <percent>', 'noise band: growth of a percentile allowed (default 10%)', regressionArg, 0.1)
    .option('--min-change <duration>', 'noise floor: a latency must also grow by more than this to count (default 2ms)', durationArg)
    .option('--min-tail-samples <n>', 'values each run needs above a statistic for it to count (default 10; max never counts)', wholeArg)
    .option('--metric <name>', 'compare only this histogram (reply) or statistic (reply.p99); repeatable', collect)
    .action(async (base: string, head: string, opts: CompareCliOptions) => {
      ctx.setExitCode(await reportCompare(base, head, opts, ctx.io));
    });
  report
    .command('merge')
    .description('merge shard reports into one (histograms exactly, thresholds re-evaluated)')
    .argument('<files...>', 'report.json files of the shards')
    .option('--out <file>', 'write the merged report here instead of printing it')
    .action(async (files: string[], opts: MergeCliOptions) => {
      ctx.setExitCode(await reportMerge(files, opts, ctx.io));
    });
  return report;
}
