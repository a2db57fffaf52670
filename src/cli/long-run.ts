import type { LoadOutput } from '../load/output.js';
import type { RunReport } from '../report/model.js';
import type { Reporter } from '../reporters/types.js';
import type { PreparedReporter } from '../reporters/write.js';
import type { CliIO } from './io.js';

/**
 * What `load` and `capacity` share around their long runs: the reporter list checked before any
 * load is sent, Ctrl-C turned into an abort (the report is still written), and the closing summary
 * plus report files.
 */

/** What a load or capacity command hands its run for output, and takes back when it ends. */
export interface LongRunOutput {
  /** The reporters asked for, made before the run (a bad name fails before any load is sent). */
  prepared: PreparedReporter[];
  /** Reporters for the run's live hooks: those asked for, and a console reporter for the status line when none was. */
  live: Reporter[];
  /** Notices: `info` to standard output, `warn` to standard error, each after ending a status line. */
  output: LoadOutput;
  /** The status line's cadence: every second on a terminal (redrawn in place), else every 5 s. */
  everyMs: number;
  /** Ends a status line drawn in place, before the summary is printed. */
  end(): void;
}

/**
 * Parses `--reporter` values (repeatable, comma-separated) and makes each reporter now, so a bad
 * name fails before any load is sent and the run's progress reaches each one's onProgress. The
 * status line is the console reporter's: redrawn in place on a terminal, one line at a time off one.
 */
export async function preflightReporters(values: readonly string[] | undefined, io: CliIO, offTerminalMs = 5000): Promise<LongRunOutput> {
  const [{ prepareReporters, withoutRunEnd }, { consoleReporter }] = await Promise.all([import('../reporters/write.js'), import('../reporters/console.js')]);
  let drawn = false;
  // CliIO.out always ends a line; redrawing in place needs the terminal itself.
  const status = io.isTTY ? (line: string): void => {
    process.stdout.write(`\r\u001b[2K${line}`);
    drawn = true;
  } : undefined;
  const end = (): void => {
    if (drawn) process.stdout.write('\n');
    drawn = false;
  };
  const specs = (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s && s !== 'json');
  const prepared = await prepareReporters(specs, { io, color: io.color, ...(status ? { status } : {}) });
  const live = prepared.map((p) => p.reporter);
  if (!prepared.some((p) => p.spec === 'console')) live.push(withoutRunEnd(consoleReporter({ io, color: io.color, ...(status ? { status } : {}) })));
  const output: LoadOutput = {
    info: (text) => {
      end();
      io.out(text);
    },
    warn: (text) => {
      end();
      io.err(`chat-conform: ${text}`);
    },
  };
  return { prepared, live, output, everyMs: io.isTTY ? 1000 : offTerminalMs, end };
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
