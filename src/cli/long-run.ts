import type { JwtKeySources } from '../auth/tokens.js';
import type { EmbeddedTarget } from '../embedded/target.js';
import type { LoadTimeline } from '../load/run.js';
import type { Profile } from '../profile/types.js';
import type { RunReport } from '../report/model.js';
import type { Reporter } from '../reporters/types.js';
import type { PreparedReporter } from '../reporters/write.js';
import type { CliIO } from './io.js';

/**
 * What `load` and `capacity` share around their long runs: the reporter list checked before any
 * load is sent, Ctrl-C turned into an abort (the report is still written), and the closing summary
 * plus report files.
 */

/** The reporters of a load or capacity run, made before it starts. */
export interface LongRunReporters {
  /** The console and the reporters asked for, made before the run (a bad name fails before any load is sent). */
  prepared: PreparedReporter[];
  /** The same, for the run's live hooks (onRunEnd comes from writeReports once the run's folder exists). */
  live: Reporter[];
  /** The status line's cadence: every second on a terminal (redrawn in place), else every 5 s. */
  everyMs: number;
}

/**
 * Parses `--reporter` values (repeatable, comma-separated) and makes each reporter now, so a bad
 * name fails before any load is sent and the run's progress reaches each one's onProgress. The
 * console reporter is always one of them: its status line is redrawn in place on a terminal
 * (io.status), one line at a time off one, and its onRunEnd prints the run's summary.
 */
export async function preflightReporters(values: readonly string[] | undefined, io: CliIO, offTerminalMs = 5000): Promise<LongRunReporters> {
  const { prepareReporters, withoutRunEnd } = await import('../reporters/write.js');
  const asked = (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s && s !== 'json');
  const specs = asked.includes('console') ? asked : ['console', ...asked];
  const prepared = await prepareReporters(specs, { io, color: io.color });
  return { prepared, live: prepared.map((p) => withoutRunEnd(p.reporter)), everyMs: io.isTTY ? 1000 : offTerminalMs };
}

/**
 * The reference server as the target of a load or capacity run given none: the profile's front
 * end, the run's key, the timers and limits the run expects of it, and room for `clients`
 * connections (the protocol's limit, or more when the run needs more: the server is the baseline,
 * not the subject of a connection limit here).
 */
export async function startLoadServer(profile: Profile, run: { jwt: JwtKeySources; timeline: LoadTimeline; clients: number; maxConnections?: number }): Promise<EmbeddedTarget> {
  const [{ servesProfile, startEmbeddedTarget }, { resolveSigningKey }, { ccError }] = await Promise.all([
    import('../embedded/target.js'),
    import('../auth/tokens.js'),
    import('../errors.js'),
  ]);
  if (!servesProfile(profile.name)) {
    throw ccError('CC_ERR_USAGE', { detail: `the embedded reference server does not serve profile ${profile.name}: give the server under test with --target` });
  }
  return startEmbeddedTarget({
    profiles: [profile.name],
    signingKey: resolveSigningKey(run.jwt),
    timers: run.timeline.timers,
    limits: { ...run.timeline.limits, maxConnections: run.maxConnections ?? Math.max(profile.limits.maxConnections ?? 1000, run.clients) },
  });
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

/** Writes report.json and the reporters' files (the console prints the run's summary), and names where they went. */
export async function finishLongRun(
  report: RunReport,
  options: { out?: string; reporters: readonly PreparedReporter[] },
  io: CliIO,
): Promise<{ exitCode: number; reportDir: string; report: RunReport }> {
  const { writeReports } = await import('../reporters/index.js');
  const written = await writeReports(report, { out: options.out ?? 'reports', prepared: options.reporters, io, color: io.color });
  io.out(`report: ${written.files[0] ?? written.dir}`);
  return { exitCode: report.summary.exitCode, reportDir: written.dir, report };
}
