import type { RunReport } from '../report/model.js';
import type { PreparedReporter } from '../reporters/write.js';
import type { CliIO } from './io.js';

/**
 * What `load` and `capacity` share around their long runs: the reporter list checked before any
 * load is sent, Ctrl-C turned into an abort (the report is still written), and the closing summary
 * plus report files.
 */

/**
 * Parses `--reporter` values (repeatable, comma-separated) and makes each reporter now, so a bad
 * name fails before any load is sent and the run's progress reaches each one's onProgress.
 */
export async function preflightReporters(values: readonly string[] | undefined, io: CliIO): Promise<PreparedReporter[]> {
  const { prepareReporters } = await import('../reporters/index.js');
  const specs = (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s && s !== 'json');
  return prepareReporters(specs, { io, color: io.color });
}

/** Runs `work` with a signal that Ctrl-C (or `outer`) aborts. A second Ctrl-C is Node's default. */
export async function interruptible<T>(outer: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort);
  outer?.addEventListener('abort', abort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', abort);
    outer?.removeEventListener('abort', abort);
  }
}

/** Prints the summary, writes report.json and the chosen reporters' files, and names where they went. */
export async function finishLongRun(
  report: RunReport,
  summary: readonly string[],
  options: { out?: string; reporters: readonly PreparedReporter[] },
  io: CliIO,
): Promise<{ exitCode: number; reportDir: string; report: RunReport }> {
  const { writeReports } = await import('../reporters/index.js');
  for (const line of summary) io.out(line);
  const written = await writeReports(report, { out: options.out ?? 'reports', prepared: options.reporters, io, color: io.color });
  io.out(`report: ${written.files[0] ?? written.dir}`);
  return { exitCode: report.summary.exitCode, reportDir: written.dir, report };
}
