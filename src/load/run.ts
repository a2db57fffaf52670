/**
 * A whole load run against the target it is given (a URL, or the embedded reference server its
 * caller started): splits the
 * clients into slices (whole rooms) over worker threads and shards, shows live progress, stops on
 * Ctrl-C or a breached threshold (--abort-on-fail), merges the slices exactly and builds the
 * canonical report: histograms, counters, per-room delivery, limit cases, thresholds, generator
 * health.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ccError } from '../errors.js';
import { MetricsStore } from '../metrics/store.js';
import { SILENT_OUTPUT, type Output } from '../output.js';
import type { Profile } from '../profile/types.js';
import type { GeneratorHealth, HistogramSummary, LoadResult, RunReport, RunSummary, ThresholdResult } from '../report/model.js';
import type { LoadProgress, Reporter } from '../reporters/types.js';
import { reportHeader } from '../report/header.js';
import { mergeDeliveryRows, mergeViolations } from '../report/load-figures.js';
import { gateThresholds, resolveGate, type GateSettings } from '../report/gate.js';
import { errorSamplesOf } from '../report/merge.js';
import { summariseRun } from '../report/run-summary.js';
import { loadMetric } from '../report/thresholds.js';
import type { JwtKeySources } from '../auth/tokens.js';
import { mintVariant, resolveSigningKey } from '../auth/tokens.js';
import { DEFAULT_PREFLIGHT_TIMEOUT_MS, preflight } from '../transport/preflight.js';
import { transportDefaults } from '../transport/profile-defaults.js';
import { entryUrl, type RunTarget } from '../transport/target.js';
import { formatDuration } from '../util/duration.js';
import { LoadSlice, SETTLE_MS, type LoadTimers, type SliceOptions, type SliceProgress, type SliceResult } from './engine.js';
import { limitCases, mergeTallies } from './limits.js';
import { regularClients, silentSlice, sliceClients, type LoadPlan } from './plan.js';
import { LiveProgress } from './live.js';
import { evaluateThresholds, parseThresholds, type Threshold } from './thresholds.js';

export interface LoadRunOptions {
  plan: LoadPlan;
  /** The profile the plan was read with (readLoadScenario). */
  profile: Profile;
  /**
   * The server under test: a URL (urlTarget), or the reference server its caller started
   * (startEmbeddedTarget, with the run's timers and room for its clients). The run does not close it.
   */
  target: RunTarget;
  /**
   * Check that a target other than the embedded server is there before any client starts
   * (src/transport/preflight.ts); a failure throws its CcError (exit 2). Default true; capacity
   * checks once, not per step.
   */
  preflight?: boolean;
  jwt?: JwtKeySources;
  timers?: Partial<LoadTimers>;
  limits?: { maxTextChars?: number; maxMessageBytes?: number };
  /** Worker threads (default: cores, but 1 below 200 clients). */
  workers?: number;
  shard?: { index: number; count: number };
  /** `--threshold` expressions (the plan's own come with source `scenario`). */
  thresholds?: string[];
  /** Relaxations of the default gate from the command line (over the scenario's `load.gate`). */
  gate?: Partial<GateSettings>;
  abortOnFail?: boolean;
  /** Notices (stopping early, a reporter that failed); none = silent. */
  output?: Output;
  /** Reporters' onProgress every N ms (default 5 s; a terminal's status line wants 1 s). */
  progressEveryMs?: number;
  /** Reporters whose `onProgress` gets the live figures (the console reporter prints the status line). */
  reporters?: readonly Reporter[];
  /** Aborts the run early (Ctrl-C); the report is still built. */
  signal?: AbortSignal;
  /** Validate every inbound message (default true). */
  validate?: boolean;
  scenarioFile?: string;
  scenarioLine?: number;
  packageVersion?: string;
}

/**
 * Inbound messages a second one thread takes with room to spare: bench/load.ts measures about 30 µs
 * of CPU per inbound message (parse, validation, correlation, integrity, kernel), so this is about
 * half a core, leaving room for the embedded reference server when it shares the thread.
 */
export const INBOUND_PER_WORKER = 15_000;

/**
 * Default slice count, from the load offered rather than the client count: every send brings its
 * reply and a copy to each other member, so clients × rate × room size messages a second come in.
 * Up to INBOUND_PER_WORKER one slice runs in the main thread; each worker thread beyond that is a
 * V8 heap of its own (about 50 MB at 1,000 clients), so more are used only when the load needs them.
 */
export function defaultWorkers(plan: Pick<LoadPlan, 'clients' | 'rate' | 'roomSize' | 'limits'>): number {
  const inbound = regularClients(plan) * plan.rate * plan.roomSize;
  return Math.max(1, Math.min(availableParallelism(), Math.ceil(inbound / INBOUND_PER_WORKER)));
}

/** The phases of a run as planned, and the timers and limits it runs with. */
export interface LoadTimeline {
  timers: LoadTimers;
  limits: { maxTextChars: number; maxMessageBytes: number };
  toleranceMs: number;
  rampMs: number;
  /** The steady phase (`--duration`, or derived from the timers for a limits run). */
  steadyMs: number;
  /** At most this long for what is still in flight after the steady phase. */
  drainMs: number;
  /**
   * How long after the ramp the steady phase may wait for clients still setting up (connecting,
   * authenticating, joining) before it starts anyway.
   */
  setupGraceMs: number;
  /** Ramp + settle + steady + drain: the length of a run whose clients set up in time. */
  totalMs: number;
}

export function loadTimeline(plan: LoadPlan, profile: Profile, options: Pick<LoadRunOptions, 'timers' | 'limits'> = {}): LoadTimeline {
  const strip = <T extends object>(o: T | undefined): Partial<T> => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  // The deadlines follow the one rule for connection settings (transportDefaults).
  const connection = transportDefaults(profile);
  const timers: LoadTimers = {
    connectTimeout: connection.connect.connectTimeout,
    responseTimeout: connection.responseTimeout,
    pingInterval: profile.timers.pingInterval ?? 30_000,
    pongTimeout: profile.timers.pongTimeout ?? 60_000,
    ...strip(options.timers),
  };
  const limits = {
    maxTextChars: options.limits?.maxTextChars ?? profile.limits.maxTextChars ?? 5000,
    maxMessageBytes: options.limits?.maxMessageBytes ?? profile.limits.maxMessageBytes ?? 1_048_576,
  };
  const toleranceMs = plan.limits?.toleranceMs ?? Math.max(50, Math.round(0.1 * Math.max(timers.pingInterval, timers.pongTimeout)));
  const steadyMs = derivedDuration(plan, timers, toleranceMs);
  return {
    timers, limits, toleranceMs, rampMs: plan.rampMs, steadyMs, drainMs: plan.drainMs,
    setupGraceMs: timers.connectTimeout + timers.responseTimeout,
    totalMs: plan.rampMs + SETTLE_MS + steadyMs + plan.drainMs,
  };
}

/** The steady phase a limits run needs when none is given: past the drop timeout, with PINGs to see. */
export function derivedDuration(plan: LoadPlan, timers: LoadTimers, toleranceMs: number): number {
  if (plan.durationMs !== undefined) return plan.durationMs;
  if (!plan.limits) return 30_000;
  return timers.pongTimeout + 2 * timers.pingInterval + 2 * toleranceMs;
}

interface SliceHandle {
  /** Resolves once the slice is built (workers load their modules first). */
  ready: Promise<void>;
  start(startEpochMs: number): void;
  progress(summaries: boolean): Promise<SliceProgress | undefined>;
  stop(): void;
  result: Promise<SliceResult>;
}

function inProcess(options: SliceOptions): SliceHandle {
  const slice = new LoadSlice(options);
  let begin: (t: number) => void = () => undefined;
  const started = new Promise<number>((resolve) => {
    begin = resolve;
  });
  return {
    ready: Promise.resolve(),
    start: (t) => begin(t),
    progress: async (summaries) => slice.progress(summaries),
    stop: () => slice.stop(),
    result: started.then((t) => slice.run(t)),
  };
}

function inWorker(options: SliceOptions): SliceHandle {
  // Under tsx or vitest the source is TypeScript: the worker registers tsx's loader, then imports it.
  const self = new URL(import.meta.url);
  const ts = self.pathname.endsWith('.ts');
  const entry = new URL(ts ? './worker.ts' : './worker.js', self);
  const worker = ts
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, workerData: options })
    : new Worker(entry, { workerData: options });
  let waiting: ((p: SliceProgress | undefined) => void) | undefined;
  let done = false;
  let isReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    isReady = resolve;
  });
  const result = new Promise<SliceResult>((resolve, reject) => {
    worker.on('message', (m: import('./worker.js').FromWorker) => {
      if (m.kind === 'ready') isReady();
      else if (m.kind === 'progress') {
        waiting?.(m.progress);
        waiting = undefined;
      } else if (m.kind === 'result') {
        done = true;
        resolve(m.result);
      } else {
        done = true;
        isReady();
        reject(m.code ? ccError(m.code as 'CC_ERR_INTERNAL', m.params ?? { detail: m.message }) : new Error(m.message));
      }
    });
    worker.on('error', (err) => {
      done = true;
      isReady();
      reject(err);
    });
    worker.on('exit', (code) => {
      waiting?.(undefined);
      if (!done) reject(ccError('CC_ERR_INTERNAL', { detail: `a load worker exited with code ${code}` }));
    });
  });
  return {
    ready,
    start: (startEpochMs) => worker.postMessage({ kind: 'start', startEpochMs }),
    progress: (summaries) =>
      new Promise((resolve) => {
        if (done) return resolve(undefined);
        waiting?.(undefined);
        waiting = resolve;
        worker.postMessage({ kind: 'progress', summaries });
        // A busy worker answers late; progress is best effort.
        setTimeout(() => {
          if (waiting === resolve) {
            waiting = undefined;
            resolve(undefined);
          }
        }, 2000).unref();
      }),
    stop: () => {
      if (!done) worker.postMessage({ kind: 'stop' });
    },
    result: result.finally(() => void worker.terminate()),
  };
}

/** Where the run's clients start: the target's URL for the profile's transports (OpenIRC: its login). */
export function loadUrl(target: RunTarget, profile: Profile): string {
  const url = entryUrl(target.urls(profile.name), profile.transports);
  if (url === undefined) throw ccError('CC_ERR_USAGE', { detail: `the target does not serve profile ${profile.name}` });
  return url;
}

/**
 * The preflight of an explicit target, with the first client's token where the handshake needs
 * one (query auth), so a refused signing key also stops the run before it starts.
 */
export async function checkTarget(target: RunTarget, profile: Profile, plan: LoadPlan, jwt: JwtKeySources | undefined, connectTimeoutMs: number): Promise<void> {
  const url = loadUrl(target, profile);
  const auth = profile.auth;
  const query = auth.kind === 'query' ? { [auth.param]: mintVariant('valid', { sub: String(plan.userIdBase), nickname: 'vu0' }, resolveSigningKey(jwt)) } : undefined;
  const result = await preflight({
    url, auth, transports: profile.transports, ...(query ? { query } : {}),
    timeoutMs: Math.min(DEFAULT_PREFLIGHT_TIMEOUT_MS, connectTimeoutMs),
  });
  if (!result.ok) throw result.error;
}

function mergeHealth(parts: GeneratorHealth[]): GeneratorHealth {
  const reasons = [...new Set(parts.map((p) => p.reason).filter((r): r is string => r !== undefined))];
  return {
    eventLoopLagP99Ms: Math.max(0, ...parts.map((p) => p.eventLoopLagP99Ms)),
    eventLoopLagMaxMs: Math.max(0, ...parts.map((p) => p.eventLoopLagMaxMs)),
    cpuPercent: Math.max(0, ...parts.map((p) => p.cpuPercent)),
    saturated: parts.some((p) => p.saturated),
    ...(reasons.length ? { reason: reasons.join('; ') } : {}),
  };
}

/** Exit code of a run stopped from outside before its end: 128 + SIGINT, as a shell reports Ctrl-C. */
export const INTERRUPTED_EXIT_CODE = 130;

/**
 * The summary of a run cut short (Ctrl-C): whatever its verdicts, it is marked incomplete and exits
 * 130, so neither a script nor a person mistakes the part that ran for the whole.
 */
function interrupted(summary: RunSummary, ranMs: number, plannedMs: number): RunSummary {
  return { ...summary, exitCode: INTERRUPTED_EXIT_CODE, incomplete: `stopped by an interrupt (Ctrl-C) ${formatDuration(ranMs)} into a run planned for ${formatDuration(plannedMs)}: the figures cover only the part that ran` };
}


export async function runLoad(options: LoadRunOptions): Promise<RunReport> {
  const startedAt = new Date();
  const profile = options.profile;
  const { timers, limits, toleranceMs, steadyMs: durationMs } = loadTimeline(options.plan, profile, options);
  const plan = options.plan;
  // Refused here, before the target is even checked: a typo must not cost a run.
  const gate = resolveGate(plan.gate, options.gate);
  const thresholds: Threshold[] = [
    ...gateThresholds(gate),
    ...parseThresholds(plan.thresholds, 'scenario', profile),
    ...parseThresholds(options.thresholds ?? [], 'flag', profile),
  ];
  const shard = options.shard ?? { index: 0, count: 1 };
  const rooms = Math.ceil(regularClients(plan) / plan.roomSize);
  const wanted = options.workers ?? defaultWorkers(plan);
  const workers = Math.max(1, Math.min(wanted, Math.ceil(rooms / shard.count) || 1));
  const target = options.target;
  if (!target.embedded && options.preflight !== false) await checkTarget(target, profile, plan, options.jwt, timers.connectTimeout);
  const targetUrl = loadUrl(target, profile);
  const runTag = `L${Date.now().toString(36)}${shard.count > 1 ? `s${shard.index}` : ''}`;
  const slices: SliceHandle[] = [];
  let stopped: 'signal' | 'threshold' | undefined;
  const output = options.output ?? SILENT_OUTPUT;
  try {
    for (let w = 0; w < workers; w++) {
      const index = shard.index * workers + w;
      const count = shard.count * workers;
      const sliceOptions: SliceOptions = {
        plan: { ...plan, durationMs },
        profile,
        targetUrl,
        jwt: options.jwt ?? {},
        timers,
        limits,
        range: sliceClients(plan, index, count),
        silent: silentSlice(plan, index, count),
        runTag: `${runTag}w${w}`,
        validate: options.validate !== false,
        toleranceMs,
      };
      slices.push(workers === 1 ? inProcess(sliceOptions) : inWorker(sliceOptions));
    }
    await Promise.all(slices.map((s) => s.ready));
    const startEpochMs = Date.now() + 50;
    for (const s of slices) s.start(startEpochMs);
    const t0 = performance.now() + (startEpochMs - Date.now());
    const live = new LiveProgress({
      progress: async (summaries) => (await Promise.all(slices.map((s) => s.progress(summaries)))).filter((p): p is SliceProgress => p !== undefined),
      stop: () => {
        stopped ??= 'threshold';
        for (const s of slices) s.stop();
      },
      t0, clients: plan.clients, setupMs: plan.rampMs + SETTLE_MS, plannedMs: plan.rampMs + SETTLE_MS + durationMs + plan.drainMs, drainMs: plan.drainMs,
      thresholds, abortOnFail: options.abortOnFail === true, ...(options.progressEveryMs === undefined ? {} : { everyMs: options.progressEveryMs }),
      reporters: options.reporters ?? [], output,
    });
    const ticker = setInterval(() => void live.tick(), 1000);
    const onAbort = (): void => {
      if (stopped) return;
      stopped = 'signal';
      output.err('chat-conform: stopping: closing connections and writing the report');
      for (const s of slices) s.stop();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let results: SliceResult[];
    try {
      results = await Promise.all(slices.map((s) => s.result));
    } finally {
      clearInterval(ticker);
      options.signal?.removeEventListener('abort', onAbort);
    }
    const series = live.series;

    // ---- merge ---------------------------------------------------------------------------
    const store = new MetricsStore();
    for (const r of results) store.mergeEncoded(r.metrics);
    // A room's row can come from two slices: its own, and one where a copy of it leaked.
    const delivery = mergeDeliveryRows(results.flatMap((r) => r.delivery));
    const unknown = results.reduce((s, r) => s + r.unknownDeliveries, 0);
    if (unknown > 0) store.increment('delivery.unknown', unknown);
    // An error code or refusal that never occurred counted zero times (`errors.rate_limited==0`
    // holds); the names were checked against the profile before the run, so a typo never got here.
    for (const t of thresholds) {
      if (/^(errors|refusals)\.[^.]+$/.test(t.metric) && !t.metric.endsWith('.rate')) store.increment(t.metric, 0);
    }
    const ranMs = Math.max(...results.map((r) => r.ranMs));
    const violations = mergeViolations(results.map((r) => r.violations));
    const omitted = violations.omitted + results.reduce((s, r) => s + r.violationsOmitted, 0);
    const load: LoadResult = {
      clients: results.reduce((s, r) => s + r.clients, 0),
      durationMs: Math.round(ranMs),
      histograms: store.summariseAll(),
      counters: store.counters(),
      delivery,
      ...(violations.violations.length ? { schemaViolations: violations.violations } : {}),
      ...(omitted ? { schemaViolationsOmitted: omitted } : {}),
      ...errorSamplesOf(results.map((r) => r.errorSamples)),
      series,
    };
    const thresholdResults: ThresholdResult[] = evaluateThresholds(thresholds, (m) => loadMetric(load, m));
    const tally = mergeTallies(results.map((r) => r.limits));
    const cases = plan.limits
      ? limitCases(tally, {
          pingIntervalMs: timers.pingInterval, pongTimeoutMs: timers.pongTimeout, toleranceMs, ...limits,
          clients: load.clients, profile: profile.name, decisions: profile.decisions, policy: profile.decisionPolicy,
          ...(options.scenarioFile ? { file: options.scenarioFile } : {}), ...(options.scenarioLine ? { line: options.scenarioLine } : {}),
        }, ranMs)
      : [];
    if (stopped && plan.limits) {
      for (const c of cases) {
        if (c.verdict === 'PASS') continue;
        c.findings.push({ verdict: 'INFORMATIONAL', code: 'CC_LOAD_STOPPED', message: `the run was stopped early (${stopped === 'signal' ? 'Ctrl-C' : '--abort-on-fail'})` });
      }
    }
    const finishedAt = new Date();
    const generator = mergeHealth(results.map((r) => r.health));
    const report: RunReport = {
      ...reportHeader('load', startedAt, finishedAt, { url: targetUrl, embedded: target.embedded }, profile.name, options.packageVersion),
      options: {
        scenario: plan.id, clients: plan.clients, rampMs: plan.rampMs, durationMs, rate: plan.rate, roomSize: plan.roomSize,
        workers, ...(shard.count > 1 ? { shard: `${shard.index + 1}/${shard.count}` } : {}), timers, limits, gate,
        ...(stopped ? { stopped } : {}), ...(options.abortOnFail ? { abortOnFail: true } : {}),
      },
      summary: stopped === 'signal' ? interrupted(summariseRun(cases, thresholdResults), ranMs, plan.rampMs + SETTLE_MS + durationMs + plan.drainMs) : summariseRun(cases, thresholdResults),
      cases,
      load,
      ...(thresholdResults.length ? { thresholds: thresholdResults } : {}),
      generator,
      ...(shard.count > 1 ? { shards: [{ index: shard.index, count: shard.count }] } : {}),
    };
    return report;
  } catch (err) {
    // Slices that never started run an empty, already-stopped run so their results settle.
    for (const s of slices) {
      s.stop();
      s.start(Date.now());
    }
    await Promise.allSettled(slices.map((s) => s.result));
    throw err;
  }
}
