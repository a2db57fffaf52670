import { InvalidArgumentError, type Command } from 'commander';
import type { CapacityOptions } from '../../capacity/run.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { parseThreshold, parseThresholds } from '../../load/thresholds.js';
import { EMBEDDED_OFFER } from '../../embedded/target.js';
import type { Profile } from '../../profile/types.js';
import type { RunTarget } from '../../transport/target.js';
import { finishLongRun, interruptible, preflightReporters, startLoadServer } from '../long-run.js';
import { addSharedOptions, durationArg, jwtKeySources, positiveIntArg } from '../options.js';
import { rateArg } from './load.js';

export interface CapacityCommandOptions {
  /** Parsed by targetArg; absent: the reference server, started for the run. */
  target?: RunTarget;
  /** Loaded by profileArg; absent: the scenario's. */
  profile?: Profile;
  scenario?: string;
  slo?: string[];
  from?: number;
  to?: number;
  step?: number;
  search?: 'linear' | 'binary';
  resolution?: number;
  stepDuration?: number;
  vary?: 'clients' | 'rate';
  /** With --vary rate: the fixed number of clients (default: the scenario's). */
  clients?: number;
  /** With --vary clients: messages per second per client (default: the scenario's). */
  rate?: number;
  ramp?: number;
  workers?: number;
  baseline?: 'reference';
  out?: string;
  reporter?: string[];
  jwtSecret?: string;
  jwtKey?: string;
  noValidate?: boolean;
  connectTimeout?: number;
  responseTimeout?: number;
  /** Ends the run early as Ctrl-C does (tests). */
  signal?: AbortSignal;
}

export interface CapacityCommandResult {
  exitCode: number;
  reportDir: string;
  report: import('../../report/model.js').RunReport;
}

/** The flag of each option of the capacity library, for its errors. */
const CAPACITY_FLAGS: Record<string, string> = {
  from: '--from', to: '--to', step: '--step', resolution: '--resolution', stepDurationMs: '--step-duration', slo: '--slo',
  baseline: '--baseline', target: '--target', ratePerClient: '--rate', clients: '--clients', vary: '--vary',
};

/** A load: a positive number (client counts are checked to be whole later). */
export function loadArg(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(n > 0)) throw new InvalidArgumentError(`expected a number above 0, got ${JSON.stringify(value)}`);
  return n;
}

function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
}

/** `--slo` values are checked as they are parsed, so a typo exits 2 before any load is sent. */
export function sloArg(value: string, previous: string[] = []): string[] {
  try {
    parseThreshold(value, 'slo');
  } catch (err) {
    const e = err as { message: string; hint?: string };
    throw new InvalidArgumentError(e.hint ? `${e.message} (${e.hint})` : e.message);
  }
  return [...previous, value];
}

/**
 * `chat-conform capacity`: steps the load of a load scenario (default scenarios/load/<profile>-chat.yaml)
 * up, prints a line per step and then the table, the knee and what broke, writes the reports and
 * returns the exit code: 0 when the first step met the SLOs (a knee was found), 1 when even the first
 * step broke one, 2 for usage, configuration and connection errors or when no step could be judged.
 */
export async function capacityCommand(options: CapacityCommandOptions, io: CliIO, packageRoot: string): Promise<CapacityCommandResult> {
  const { join } = await import('node:path');
  const [{ readLoadScenario, defaultLoadScenario }, { runCapacity, validateCapacityOptions }, { loadTimeline }, { withoutHooks }, { ccError, isCcError }] = await Promise.all([
    import('../../load/scenario.js'),
    import('../../capacity/run.js'),
    import('../../load/run.js'),
    import('../../reporters/write.js'),
    import('../../errors.js'),
  ]);
  const slo = options.slo ?? [];
  if (slo.length === 0) throw ccError('CC_ERR_USAGE', { detail: 'capacity needs at least one --slo, e.g. --slo "reply.p99<100ms"' });
  if (options.search === 'binary' && options.step !== undefined) {
    throw ccError('CC_ERR_USAGE', { detail: '--step sets a linear search; --search binary bisects to --resolution: give one of them' });
  }
  const file = options.scenario ?? defaultLoadScenario(packageRoot, options.profile);
  const { profile, plan } = readLoadScenario(file, options.profile);
  // Direct callers (tests, scripts) skip commander's parsing; and only now is the profile known,
  // whose error codes an SLO may name. Either way a bad SLO exits 2 before any load is sent.
  parseThresholds(slo, 'slo', profile);
  const display = await preflightReporters(options.reporter, io);
  const jwt = jwtKeySources(options);
  const timers = options.connectTimeout === undefined && options.responseTimeout === undefined
    ? undefined
    : { ...(options.connectTimeout === undefined ? {} : { connectTimeout: options.connectTimeout }), ...(options.responseTimeout === undefined ? {} : { responseTimeout: options.responseTimeout }) };

  // Ctrl-C ends the step under way (not judged) and writes the report of the steps done.
  const vary = options.vary ?? 'clients';
  const search = {
    plan,
    profile,
    slo,
    vary,
    from: options.from ?? 100,
    to: options.to ?? 1000,
    step: options.step ?? 100,
    search: options.search ?? 'linear',
    ...(options.resolution === undefined ? {} : { resolution: options.resolution }),
    stepDurationMs: options.stepDuration ?? 10_000,
    ...(options.clients === undefined ? {} : { clients: options.clients }),
    ...(options.rate === undefined ? {} : { ratePerClient: options.rate }),
    ...(options.ramp === undefined ? {} : { rampMs: options.ramp }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    jwt,
    ...(timers ? { timers } : {}),
    validate: options.noValidate !== true,
    output: io,
    // The console's status line within a step only on a terminal, where it is redrawn in place; off one, its line per step is enough.
    reporters: io.isTTY ? display.live : display.live.map((r) => (r.name === 'console' ? withoutHooks(r, ['onProgress']) : r)),
    progressEveryMs: display.everyMs,
  } satisfies Omit<CapacityOptions, 'target'>;
  // The library names its options (`from`); a person typed flags (--from): say it in flags. The
  // reference server is checked as what it offers before it is started.
  const given = options.target;
  try {
    validateCapacityOptions({ ...search, target: given ?? EMBEDDED_OFFER, ...(options.baseline ? { baseline: EMBEDDED_OFFER } : {}) });
  } catch (err) {
    if (!isCcError(err) || err.code !== 'CC_ERR_BAD_OPTION') throw err;
    const flags = (text: string): string => text.replace(/`(\w+)`/g, (_m, name: string) => CAPACITY_FLAGS[name] ?? name);
    throw ccError('CC_ERR_BAD_FLAG', { flag: flags(String(err.params.option)), value: err.params.value, reason: flags(String(err.params.reason)), command: 'capacity' });
  }
  // The reference server, where it is the target or the baseline: one for the whole search, with
  // room for the largest step (the previous step's connections may still be closing on its side).
  const largest = vary === 'clients' ? search.to : options.clients ?? plan.clients;
  const reference = (): ReturnType<typeof startLoadServer> =>
    startLoadServer(profile, { jwt, timeline: loadTimeline(plan, profile, { ...(timers ? { timers } : {}) }), clients: largest, maxConnections: Math.max(profile.limits.maxConnections ?? 1000, 2 * largest) });
  // Started here, so closed here; a target given is the caller's.
  const target = given ?? (await reference());
  let baseline: RunTarget | undefined;
  let report;
  try {
    if (options.baseline === 'reference') baseline = await reference();
    const run = { ...search, target, ...(baseline ? { baseline } : {}) };
    report = await interruptible(options.signal, (signal) => runCapacity({ ...run, signal }));
  } finally {
    await Promise.all([given ? undefined : target.close(), baseline?.close()]);
  }
  return finishLongRun(report, { ...(options.out === undefined ? {} : { out: options.out }), reporters: display.prepared }, io);
}

export function register(program: Command, ctx: CliContext): Command {
  return addSharedOptions(
    program
      .command('capacity')
      .description('step the load up and find the knee: the highest load at which a server still meets its SLO (default target: the embedded reference server)')
      .option('--scenario <file>', 'a load scenario (default scenarios/load/<profile>-chat.yaml); see docs/load.md'),
    {
      target: 'the server under test: ws://, wss://, tcp://, tcp+lp://, tls://; default: the reference server in-process',
      reporter: 'besides report.json: junit, html, markdown, or a module path (repeatable, or comma-separated)',
      overrides: ['connectTimeout', 'responseTimeout'],
    },
  )
    .option('--slo <expr>', 'an SLO every step must meet, e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1% (repeatable; at least one)', sloArg)
    .option('--vary <what>', 'clients (step the client count) or rate (step the total messages/s at a fixed client count); default clients', choice(['clients', 'rate'] as const))
    .option('--from <n>', 'first load (default 100)', loadArg)
    .option('--to <n>', 'highest load ever run (default 1000)', loadArg)
    .option('--step <n>', 'linear step between loads (default 100)', loadArg)
    .option('--search <mode>', 'linear (default) or binary: double from --from until a step breaks, then bisect', choice(['linear', 'binary'] as const))
    .option('--resolution <n>', 'binary search: stop when passing and broken loads are this close (default (to - from) / 32)', loadArg)
    .option('--step-duration <duration>', 'measured (steady) phase of each step, after connecting and joining (default 10s)', durationArg)
    .option('--clients <n>', 'with --vary rate: the fixed number of clients (default: the scenario\'s)', positiveIntArg)
    .option('--rate <r>', 'with --vary clients: messages per second per client (default: the scenario\'s)', rateArg)
    .option('--ramp <duration>', 'connection ramp of each step (default: the scenario\'s ramp per client, scaled)', durationArg)
    .option('--workers <n>', 'worker threads per step (default: from the load offered, at most the cores)', positiveIntArg)
    .option('--baseline <server>', 'also run the same steps against the embedded reference server: reference', choice(['reference'] as const))
    .option('--no-validate', 'do not validate inbound messages (faster; schema violations are not counted)')
    .action(async (opts: CapacityCommandOptions & { validate?: boolean }) => {
      const result = await capacityCommand({ ...opts, noValidate: opts.validate === false }, ctx.io, ctx.packageRoot);
      ctx.setExitCode(result.exitCode);
    });
}
