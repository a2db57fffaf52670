import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { finishLongRun, interruptible, preflightReporters, startLoadServer } from '../long-run.js';
import type { Profile } from '../../profile/types.js';
import type { RunTarget } from '../../transport/target.js';
import { formatDuration } from '../../util/duration.js';
import { ALL_OVERRIDES, addSharedOptions, collect, durationArg, jwtKeySources, positiveIntArg } from '../options.js';

export interface LoadCommandOptions {
  /** Parsed by targetArg; absent: the reference server, started for the run. */
  target?: RunTarget;
  /** Loaded by profileArg; absent: the scenario's. */
  profile?: Profile;
  scenario?: string;
  clients?: number;
  ramp?: number;
  duration?: number;
  rate?: number;
  workers?: number;
  /** 1-based on the command line: `--shard 2/4`. */
  shard?: { index: number; count: number };
  threshold?: string[];
  /** Relax the default gate: failed connection attempts allowed (default 0). */
  gateConnectFailures?: number;
  /** Relax the default gate: percent of requests that may time out (default 0.1). */
  gateTimeouts?: number;
  abortOnFail?: boolean;
  out?: string;
  reporter?: string[];
  jwtSecret?: string;
  jwtKey?: string;
  noValidate?: boolean;
  pingInterval?: number;
  pongTimeout?: number;
  connectTimeout?: number;
  responseTimeout?: number;
  maxTextChars?: number;
  maxMessageBytes?: number;
  maxConnections?: number;
  /** Progress lines every N ms off a TTY (default 5 s). */
  progressEveryMs?: number;
  /** Ends the run early as Ctrl-C does (tests). */
  signal?: AbortSignal;
}

export interface LoadCommandResult {
  exitCode: number;
  reportDir: string;
  report: import('../../report/model.js').RunReport;
}

/** `i/n` with 1 ≤ i ≤ n. */
export function shardArg(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new InvalidArgumentError(`expected i/n with 1 ≤ i ≤ n (e.g. 1/2), got ${JSON.stringify(value)}`);
  return { index: i - 1, count: n };
}

/** `1%`, `0.5%` or `1` (percent). */
export function percentArg(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  const n = Number(m?.[1]);
  if (!m || n > 100) throw new InvalidArgumentError(`expected a percentage from 0 to 100, e.g. 1% or 0.5%, got ${JSON.stringify(value)}`);
  return n;
}

export function nonNegativeIntArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number (0 or more), got ${JSON.stringify(value)}`);
  return n;
}

export function rateArg(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/s)?\s*$/.exec(value);
  const n = Number(m?.[1]);
  if (!m || !(n > 0)) throw new InvalidArgumentError(`expected messages per second per client, e.g. 1 or 0.5 or 2/s, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * `chat-conform load`: runs a load scenario (default: the bundled scenarios/load/assa-chat.yaml),
 * writes the reports, prints a summary, and returns the exit code: 1 when a threshold is breached
 * or a limits case fails, 2 when the run could not happen.
 */
export async function loadCommand(options: LoadCommandOptions, io: CliIO, packageRoot: string): Promise<LoadCommandResult> {
  const [{ readLoadScenario, defaultLoadScenario }, { applyOverrides }, { runLoad, loadTimeline, checkTarget, loadUrl }, { parseThresholds }, { resolveGate, gateRelaxations }] = await Promise.all([
    import('../../load/scenario.js'),
    import('../../load/plan.js'),
    import('../../load/run.js'),
    import('../../load/thresholds.js'),
    import('../../report/gate.js'),
  ]);
  const file = options.scenario ?? defaultLoadScenario(packageRoot, options.profile);
  const scenario = readLoadScenario(file, options.profile);
  const { profile, case: chosen } = scenario;
  const plan = applyOverrides(scenario.plan, {
    ...(options.clients === undefined ? {} : { clients: options.clients }),
    ...(options.ramp === undefined ? {} : { rampMs: options.ramp }),
    ...(options.duration === undefined ? {} : { durationMs: options.duration }),
    ...(options.rate === undefined ? {} : { rate: options.rate }),
  });
  const timers = { pingInterval: options.pingInterval, pongTimeout: options.pongTimeout, connectTimeout: options.connectTimeout, responseTimeout: options.responseTimeout } as Record<string, number>;
  const limits = { maxTextChars: options.maxTextChars, maxMessageBytes: options.maxMessageBytes } as Record<string, number>;
  const jwt = jwtKeySources(options);
  const gate = { ...(options.gateConnectFailures === undefined ? {} : { connectFailures: options.gateConnectFailures }), ...(options.gateTimeouts === undefined ? {} : { timeoutsPercent: options.gateTimeouts }) };
  // Everything that can be refused is refused before anything is sent: thresholds, then the target.
  parseThresholds(plan.thresholds, 'scenario', profile);
  parseThresholds(options.threshold ?? [], 'flag', profile);
  const timeline = loadTimeline(plan, profile, { timers, limits });
  if (options.target !== undefined) await checkTarget(options.target, profile, plan, jwt, timeline.timers.connectTimeout);
  const display = await preflightReporters(options.reporter, io, options.progressEveryMs);
  // The reference server when no target was given: started here, so closed here.
  const startsServer = options.target === undefined;
  const target = options.target ?? (await startLoadServer(profile, { jwt, timeline, clients: plan.clients, ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }) }));
  let report;
  try {
    io.out(formatPlanLine(plan, timeline, options, scenario.plan.durationMs !== undefined, target.embedded ? 'the embedded reference server' : loadUrl(target, profile)));
    for (const r of gateRelaxations(resolveGate(plan.gate, gate))) io.out(`gate relaxed: ${r}`);
    // Ctrl-C stops the run cleanly; the report is still written.
    report = await interruptible(options.signal, (signal) =>
      runLoad({
        plan,
        profile,
        target,
        preflight: false,
        jwt,
        timers,
        limits,
        gate,
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.shard === undefined ? {} : { shard: options.shard }),
        thresholds: options.threshold ?? [],
        abortOnFail: options.abortOnFail === true,
        output: io,
        reporters: display.live,
        progressEveryMs: display.everyMs,
        signal,
        validate: options.noValidate !== true,
        scenarioFile: file,
        scenarioLine: chosen.line,
      }),
    );
  } finally {
    if (startsServer) await target.close();
  }
  return finishLongRun(report, { ...(options.out === undefined ? {} : { out: options.out }), reporters: display.prepared }, io);
}

/**
 * What the run will take, before it starts, and where each part comes from:
 * `load: 200 clients against the embedded reference server, about 4.3s: ramp 300ms (--ramp) + steady 1.5s (--duration) + drain up to 2s (scenario)`.
 */
function formatPlanLine(plan: import('../../load/plan.js').LoadPlan, t: import('../../load/run.js').LoadTimeline, options: LoadCommandOptions, scenarioHasDuration: boolean, against: string): string {
  const d = (ms: number): string => formatDuration(ms);
  const steadyFrom = options.duration !== undefined ? '--duration' : scenarioHasDuration ? 'scenario' : plan.limits ? 'derived from the timers: drop timeout + 2 PING intervals' : 'default';
  return `load: ${plan.clients} clients against ${against}, about ${d(t.totalMs)}: ramp ${d(t.rampMs)} (${options.ramp !== undefined ? '--ramp' : 'scenario'}) + steady ${d(t.steadyMs)} (${steadyFrom}) + drain up to ${d(t.drainMs)} (scenario); the steady phase waits up to ${d(t.setupGraceMs)} for clients still setting up`;
}

export function register(program: Command, ctx: CliContext): Command {
  return addSharedOptions(
    program
      .command('load')
      .description('simulate many concurrent clients: latency, delivery integrity, thresholds and limits at scale (default target: the embedded reference server)')
      .option('--scenario <file>', 'a load scenario (default scenarios/load/<profile>-chat.yaml); see docs/load.md'),
    {
      target: 'the server under test: ws://, wss://, tcp://, tcp+lp://, tls://; default: start the reference server in-process',
      reporter: 'besides report.json: junit, html, markdown, or a module path (repeatable, or comma-separated)',
      overrides: ALL_OVERRIDES,
    },
  )
    .option('--clients <n>', 'virtual clients (overrides the scenario)', positiveIntArg)
    .option('--ramp <duration>', 'spread the connections over this time', durationArg)
    .option('--duration <duration>', 'length of the steady phase after the ramp', durationArg)
    .option('--rate <r>', 'messages per second per client (open model)', rateArg)
    .option('--workers <n>', 'worker threads (default: from the load offered, 1 up to 15,000 inbound messages/s, at most the cores)', positiveIntArg)
    .option('--shard <i/n>', 'run slice i of n (whole rooms); merge the reports with `chat-conform report merge`', shardArg)
    .option('--threshold <expr>', 'e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1% (repeatable); a breach exits 1', collect)
    .option('--gate-connect-failures <n>', 'relax the default gate: failed connection attempts allowed (default 0)', nonNegativeIntArg)
    .option('--gate-timeouts <percent>', 'relax the default gate: requests that may time out, e.g. 1% (default 0.1%)', percentArg)
    .option('--abort-on-fail', 'stop as soon as a threshold is breached (delivery.* thresholds are judged at the end)')
    .option('--no-validate', 'do not validate inbound messages (faster; schema violations are not counted)')
    .action(async (opts: LoadCommandOptions & { validate?: boolean }) => {
      const result = await loadCommand({ ...opts, noValidate: opts.validate === false }, ctx.io, ctx.packageRoot);
      ctx.setExitCode(result.exitCode);
    });
}
