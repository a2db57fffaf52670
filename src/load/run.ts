/**
 * A whole load run: picks the target (the embedded reference server by default), splits the
 * clients into slices (whole rooms) over worker threads and shards, shows live progress, stops on
 * Ctrl-C or a breached threshold (--abort-on-fail), merges the slices exactly and builds the
 * canonical report: histograms, counters, per-room delivery, limit cases, thresholds, generator
 * health.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { CliIO } from '../cli/io.js';
import { ccError } from '../errors.js';
import { MetricsStore } from '../metrics/store.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import type { GeneratorHealth, HistogramSummary, LoadResult, RunReport, ThresholdResult } from '../report/model.js';
import type { LoadProgress, Reporter } from '../reporters/types.js';
import { reportHeader } from '../report/header.js';
import { summariseRun } from '../report/run-summary.js';
import { loadMetric } from '../report/thresholds.js';
import type { JwtKeySources } from '../auth/tokens.js';
import { resolveSigningKey } from '../auth/tokens.js';
import { formatDuration } from '../util/duration.js';
import { LoadSlice, SETTLE_MS, type LoadTimers, type SliceOptions, type SliceProgress, type SliceResult } from './engine.js';
import type { RoomIntegrity } from './integrity.js';
import { limitCases, mergeTallies } from './limits.js';
import { regularClients, silentSlice, sliceClients, type LoadPlan } from './plan.js';
import { evaluateThresholds, parseThreshold, type Threshold } from './thresholds.js';

export interface LoadRunOptions {
  plan: LoadPlan;
  /** Profile name or path (default: the plan's scenario profile, else assa). */
  profile: string;
  /** The server under test; undefined: the embedded reference server. */
  target?: string;
  jwt?: JwtKeySources;
  timers?: Partial<LoadTimers>;
  limits?: { maxTextChars?: number; maxMessageBytes?: number; maxConnections?: number };
  /** Worker threads (default: cores, but 1 below 200 clients). */
  workers?: number;
  shard?: { index: number; count: number };
  /** `--threshold` expressions (the plan's own come with source `scenario`). */
  thresholds?: string[];
  abortOnFail?: boolean;
  /** Where progress goes; none = silent. */
  io?: CliIO;
  /** Progress line every N ms when not on a TTY (default 5 s). */
  progressEveryMs?: number;
  /**
   * Reporters whose `onProgress` gets the live figures, as often as the progress line (every
   * second on a terminal, else every `progressEveryMs`). With `io`, the progress line is the
   * console's status, so a reporter named `console` is not called (it would print it twice).
   */
  reporters?: readonly Reporter[];
  /** Aborts the run early (Ctrl-C); the report is still built. */
  signal?: AbortSignal;
  /** Validate every inbound message (default true). */
  validate?: boolean;
  scenarioFile?: string;
  scenarioLine?: number;
  packageVersion?: string;
}

/** Default slice count: one per core, but one below 200 clients where threads only add overhead. */
export function defaultWorkers(clients: number): number {
  return clients < 200 ? 1 : Math.max(1, availableParallelism());
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

interface Target {
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

async function resolveTarget(options: LoadRunOptions, profile: Profile, timers: LoadTimers, limits: { maxTextChars: number; maxMessageBytes: number }, clients: number): Promise<Target> {
  if (options.target) return { url: options.target, embedded: false, close: async () => undefined };
  const known = ['assa', 'envelope', 'openirc'] as const;
  if (!(known as readonly string[]).includes(profile.name)) {
    throw ccError('CC_ERR_USAGE', { detail: `the embedded reference server does not serve profile ${profile.name}; pass --target` });
  }
  const { startReferenceServer } = await import('../../reference-server/server.js');
  const key = resolveSigningKey(options.jwt);
  const server = await startReferenceServer({
    profiles: profile.name as (typeof known)[number],
    jwt: key.algorithm === 'HS256' ? { secret: String(key.key) } : { publicKey: key.publicKeyPem as string },
    timers,
    limits: { ...limits, maxConnections: options.limits?.maxConnections ?? Math.max(profile.limits.maxConnections ?? 1000, clients) },
  });
  const url = profile.name === 'assa' ? server.urls.assaTcp : profile.name === 'envelope' ? server.urls.envelopeWs : server.urls.openircHttp;
  return { url: url as string, embedded: true, close: () => server.close() };
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

/**
 * Thresholds that can be judged before the end: delivery figures only settle after the drain.
 * Live latency figures are the worst slice's running percentiles (the final verdict is exact).
 */
function judgeableLive(t: Threshold): boolean {
  return !t.metric.startsWith('delivery.');
}

export async function runLoad(options: LoadRunOptions): Promise<RunReport> {
  const startedAt = new Date();
  const profile = loadProfile(options.profile);
  const strip = <T extends object>(o: T | undefined): Partial<T> => Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  const timers: LoadTimers = {
    connectTimeout: profile.timers.connectTimeout ?? 30_000,
    responseTimeout: profile.timers.responseTimeout ?? 10_000,
    pingInterval: profile.timers.pingInterval ?? 30_000,
    pongTimeout: profile.timers.pongTimeout ?? 60_000,
    ...strip(options.timers),
  };
  const limits = {
    maxTextChars: options.limits?.maxTextChars ?? profile.limits.maxTextChars ?? 5000,
    maxMessageBytes: options.limits?.maxMessageBytes ?? profile.limits.maxMessageBytes ?? 1_048_576,
  };
  const plan = options.plan;
  const toleranceMs = plan.limits?.toleranceMs ?? Math.max(50, Math.round(0.1 * Math.max(timers.pingInterval, timers.pongTimeout)));
  const durationMs = derivedDuration(plan, timers, toleranceMs);
  const thresholds: Threshold[] = [
    ...plan.thresholds.map((t) => parseThreshold(t, 'scenario')),
    ...(options.thresholds ?? []).map((t) => parseThreshold(t, 'flag')),
  ];
  const shard = options.shard ?? { index: 0, count: 1 };
  const rooms = Math.ceil(regularClients(plan) / plan.roomSize);
  const wanted = options.workers ?? defaultWorkers(plan.clients);
  const workers = Math.max(1, Math.min(wanted, Math.ceil(rooms / shard.count) || 1));
  const target = await resolveTarget(options, profile, timers, limits, plan.clients);
  const runTag = `L${Date.now().toString(36)}${shard.count > 1 ? `s${shard.index}` : ''}`;
  const slices: SliceHandle[] = [];
  let stopped: 'signal' | 'threshold' | undefined;
  const io = options.io;
  try {
    for (let w = 0; w < workers; w++) {
      const index = shard.index * workers + w;
      const count = shard.count * workers;
      const sliceOptions: SliceOptions = {
        plan: { ...plan, durationMs },
        profile: profile.specPath,
        targetUrl: target.url,
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
    const totalMs = plan.rampMs + SETTLE_MS + durationMs;
    const t0 = performance.now() + (startEpochMs - Date.now());
    const series: NonNullable<LoadResult['series']> = [];
    let lastLine = 0;
    let busy = false;
    const everyMs = options.progressEveryMs ?? 5000;
    let progressTo = (options.reporters ?? []).filter((r) => r.onProgress && !(io && r.name === 'console'));
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        const judge = options.abortOnFail === true && !stopped && performance.now() - t0 > plan.rampMs + SETTLE_MS;
        const parts = (await Promise.all(slices.map((s) => s.progress(judge)))).filter((p): p is SliceProgress => p !== undefined);
        if (!parts.length) return;
        const elapsed = Math.max(0, performance.now() - t0);
        const counters: Record<string, number> = {};
        let connected = 0;
        let intervalMs = 0;
        const point = { t: Math.round(elapsed), sent: 0, received: 0, p50: 0, p99: 0, connected: 0 };
        for (const p of parts) {
          connected += p.connected;
          for (const [k, v] of Object.entries(p.counters)) counters[k] = (counters[k] ?? 0) + v;
          intervalMs = Math.max(intervalMs, p.interval.intervalMs);
          point.sent += p.interval.counters['messages.sent'] ?? 0;
          point.received += p.interval.counters['messages.received'] ?? 0;
          // Per-interval histograms are not merged: the worst slice's percentile (an upper bound).
          point.p50 = Math.max(point.p50, (p.interval.histograms.reply?.p50 ?? 0) / 1000);
          point.p99 = Math.max(point.p99, (p.interval.histograms.reply?.p99 ?? 0) / 1000);
        }
        point.connected = connected;
        series.push(point);
        if (judge) {
          const histograms: Record<string, HistogramSummary> = {};
          for (const p of parts) {
            for (const [name, h] of Object.entries(p.summaries ?? {})) {
              const seen = histograms[name];
              if (!seen || h.p99 > seen.p99) histograms[name] = h;
            }
          }
          const live: LoadResult = { clients: plan.clients, durationMs: elapsed, histograms, counters };
          const judged = evaluateThresholds(thresholds.filter(judgeableLive), (m) => loadMetric(live, m));
          const broken = judged.find((r) => !r.passed && r.actual !== null);
          if (broken) {
            stopped = 'threshold';
            io?.err(`chat-conform: threshold ${broken.expression} breached (actual ${broken.actual}); stopping (--abort-on-fail)`);
            for (const s of slices) s.stop();
          }
        }
        // The line and the reporters' onProgress share one cadence: every tick on a terminal, else every `everyMs`.
        const due = io?.isTTY === true || performance.now() - lastLine >= everyMs;
        if (!due || (!io && progressTo.length === 0)) return;
        lastLine = performance.now();
        const rate = intervalMs > 0 ? (point.sent * 1000) / intervalMs : 0;
        const errors = Object.entries(counters).filter(([n]) => n.startsWith('errors.')).reduce((s, [, n]) => s + n, 0);
        if (io) {
          const line = `[${formatDuration(Math.min(elapsed, totalMs))}/${formatDuration(totalMs)}] connected ${connected}  msg/s ${Math.round(rate)}  p99 ${point.p99.toFixed(1)}ms  errors ${errors}  timeouts ${counters.timeouts ?? 0}`;
          // On a terminal the line is redrawn in place (CliIO.out always ends a line, so write directly).
          if (io.isTTY) process.stdout.write(`\r\u001b[2K${line}`);
          else io.out(line);
        }
        const progress: LoadProgress = {
          elapsedMs: Math.round(Math.min(elapsed, totalMs)), totalMs, connected, sentPerSecond: rate,
          receivedPerSecond: intervalMs > 0 ? (point.received * 1000) / intervalMs : 0, p99Ms: point.p99, errors,
        };
        for (const r of progressTo) {
          try {
            await r.onProgress!(progress);
          } catch (err) {
            // A broken reporter must not stop the load: say so once and stop calling it.
            progressTo = progressTo.filter((x) => x !== r);
            io?.err(`chat-conform: reporter ${r.name} failed in onProgress (${(err as Error).message}); no more progress goes to it`);
          }
        }
      } finally {
        busy = false;
      }
    };
    const ticker = setInterval(() => void tick(), 1000);
    const onAbort = (): void => {
      if (stopped) return;
      stopped = 'signal';
      io?.err('chat-conform: stopping: closing connections and writing the report');
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
      if (io?.isTTY) process.stdout.write('\n');
    }

    // ---- merge ---------------------------------------------------------------------------
    const store = new MetricsStore();
    for (const r of results) store.mergeEncoded(r.metrics);
    const delivery: RoomIntegrity[] = results.flatMap((r) => r.delivery).sort((a, b) => a.room.localeCompare(b.room, 'en', { numeric: true }));
    const unknown = results.reduce((s, r) => s + r.unknownDeliveries, 0);
    if (unknown > 0) store.increment('delivery.unknown', unknown);
    // An error code the spec enumerates that never occurred counted zero times, e.g.
    // `errors.rate_limited==0`; an unknown name still finds no metric, so a typo cannot pass.
    for (const t of thresholds) {
      if (t.metric.startsWith('errors.') && profile.errorCodes.includes(t.metric.slice(7))) store.increment(t.metric, 0);
    }
    const ranMs = Math.max(...results.map((r) => r.ranMs));
    const load: LoadResult = {
      clients: results.reduce((s, r) => s + r.clients, 0),
      durationMs: Math.round(ranMs),
      histograms: store.summariseAll(),
      counters: store.counters(),
      delivery,
      series,
    };
    const thresholdResults: ThresholdResult[] = evaluateThresholds(thresholds, (m) => loadMetric(load, m));
    const tally = mergeTallies(results.map((r) => r.limits));
    const cases = plan.limits
      ? limitCases(tally, {
          pingIntervalMs: timers.pingInterval, pongTimeoutMs: timers.pongTimeout, toleranceMs, ...limits,
          clients: load.clients, profile: profile.name,
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
      ...reportHeader('load', startedAt, finishedAt, { url: target.url, embedded: target.embedded }, profile.name, options.packageVersion),
      options: {
        scenario: plan.id, clients: plan.clients, rampMs: plan.rampMs, durationMs, rate: plan.rate, roomSize: plan.roomSize,
        workers, ...(shard.count > 1 ? { shard: `${shard.index + 1}/${shard.count}` } : {}), timers, limits,
        ...(stopped ? { stopped } : {}), ...(options.abortOnFail ? { abortOnFail: true } : {}),
      },
      summary: summariseRun(cases, thresholdResults),
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
  } finally {
    await target.close();
  }
}
