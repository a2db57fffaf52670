/**
 * What a load run shows while it runs: once a second it asks every slice for its live figures,
 * adds a point to the series, judges the thresholds that can be judged early (--abort-on-fail),
 * and, at the progress cadence, hands reporters a LoadProgress (the console reporter prints it as
 * the status line). The library prints nothing itself: notices go to its `Output`.
 */
import { performance } from 'node:perf_hooks';
import type { Output } from '../output.js';
import type { HistogramSummary, LoadResult } from '../report/model.js';
import { loadMetric } from '../report/thresholds.js';
import type { LoadProgress, Reporter } from '../reporters/types.js';
import type { SlicePhase, SliceProgress } from './engine.js';
import { evaluateThresholds, type Threshold } from './thresholds.js';

export interface LiveOptions {
  /** Ask each slice for its figures (`summaries`: with running percentiles, for judging). */
  progress(summaries: boolean): Promise<SliceProgress[]>;
  /** Stop every slice (a threshold broke under abort-on-fail). */
  stop(): void;
  /** performance.now() at the run's t0. */
  t0: number;
  clients: number;
  /** Ramp + settle: judging starts after it. */
  setupMs: number;
  /** Ramp + settle + steady + drain, as planned. */
  plannedMs: number;
  drainMs: number;
  thresholds: readonly Threshold[];
  abortOnFail: boolean;
  /** Reporters' onProgress cadence, ms (default 5 s; 1 s suits a terminal). */
  everyMs?: number;
  reporters: readonly Reporter[];
  output: Output;
}

const PHASES: readonly SlicePhase[] = ['setup', 'steady', 'drain', 'closing'];

/**
 * Thresholds that can be judged before the end: delivery figures only settle after the drain, and
 * the gate is about the whole run. Live latency figures are the worst slice's running percentiles.
 */
function judgeableLive(t: Threshold): boolean {
  return !t.metric.startsWith('delivery.') && t.source !== 'gate';
}

export class LiveProgress {
  readonly series: NonNullable<LoadResult['series']> = [];
  /** Set when a threshold broke under abort-on-fail. */
  breached = false;
  private lastShown = 0;
  private busy = false;
  private reporters: Reporter[];

  constructor(private readonly o: LiveOptions) {
    this.reporters = o.reporters.filter((r) => r.onProgress);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const o = this.o;
      const judge = o.abortOnFail && !this.breached && performance.now() - o.t0 > o.setupMs;
      const parts = await o.progress(judge);
      if (!parts.length) return;
      const elapsed = Math.max(0, performance.now() - o.t0);
      const counters: Record<string, number> = {};
      let connected = 0;
      let ready = 0;
      let clients = 0;
      let intervalMs = 0;
      const inFlight = { replies: 0, deliveries: 0 };
      // The run is in the phase of its least advanced slice.
      let phase = 3;
      let steadyEnds: number | undefined = 0;
      let drainEnds = 0;
      const point = { t: Math.round(elapsed), sent: 0, received: 0, p50: 0, p99: 0, connected: 0 };
      for (const p of parts) {
        connected += p.connected;
        ready += p.ready;
        clients += p.clients;
        inFlight.replies += p.inFlight.replies;
        inFlight.deliveries += p.inFlight.deliveries;
        phase = Math.min(phase, PHASES.indexOf(p.phase));
        steadyEnds = p.steadyEndsAtMs === undefined || steadyEnds === undefined ? undefined : Math.max(steadyEnds, p.steadyEndsAtMs);
        drainEnds = Math.max(drainEnds, p.drainEndsAtMs ?? 0);
        for (const [k, v] of Object.entries(p.counters)) counters[k] = (counters[k] ?? 0) + v;
        intervalMs = Math.max(intervalMs, p.interval.intervalMs);
        point.sent += p.interval.counters['messages.sent'] ?? 0;
        point.received += p.interval.counters['messages.received'] ?? 0;
        // Per-interval histograms are not merged: the worst slice's percentile (an upper bound).
        point.p50 = Math.max(point.p50, (p.interval.histograms.reply?.p50 ?? 0) / 1000);
        point.p99 = Math.max(point.p99, (p.interval.histograms.reply?.p99 ?? 0) / 1000);
      }
      point.connected = connected;
      this.series.push(point);
      if (judge) this.judge(parts, counters, elapsed);
      if (this.reporters.length === 0 || performance.now() - this.lastShown < (o.everyMs ?? 5000)) return;
      this.lastShown = performance.now();
      // Until setup is over the plan is all there is; then the real end of the steady phase counts.
      const totalMs = Math.max(Math.round(elapsed), steadyEnds === undefined ? o.plannedMs : steadyEnds + o.drainMs);
      const progress: LoadProgress = {
        elapsedMs: Math.round(elapsed), totalMs, connected,
        sentPerSecond: intervalMs > 0 ? (point.sent * 1000) / intervalMs : 0,
        receivedPerSecond: intervalMs > 0 ? (point.received * 1000) / intervalMs : 0,
        p99Ms: point.p99,
        errors: Object.entries(counters).filter(([n]) => n.startsWith('errors.')).reduce((s, [, n]) => s + n, 0),
        timeouts: counters.timeouts ?? 0,
        phase: PHASES[phase] as SlicePhase, ready, clients, inFlight,
        ...(phase === 2 ? { drainLeftMs: Math.max(0, Math.round(drainEnds - elapsed)) } : {}),
      };
      for (const r of [...this.reporters]) {
        try {
          await r.onProgress!(progress);
        } catch (err) {
          // A broken reporter must not stop the load: say so once and stop calling it.
          this.reporters = this.reporters.filter((x) => x !== r);
          o.output.err(`chat-conform: reporter ${r.name} failed in onProgress (${(err as Error).message}); no more progress goes to it`);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private judge(parts: SliceProgress[], counters: Record<string, number>, elapsed: number): void {
    const histograms: Record<string, HistogramSummary> = {};
    for (const p of parts) {
      for (const [name, h] of Object.entries(p.summaries ?? {})) {
        const seen = histograms[name];
        if (!seen || h.p99 > seen.p99) histograms[name] = h;
      }
    }
    const live: LoadResult = { clients: this.o.clients, durationMs: elapsed, histograms, counters };
    const broken = evaluateThresholds(this.o.thresholds.filter(judgeableLive), (m) => loadMetric(live, m)).find((r) => !r.passed && r.actual !== null);
    if (!broken) return;
    this.breached = true;
    this.o.output.err(`chat-conform: threshold ${broken.expression} breached (actual ${broken.actual}): stopping the run early, as asked (abort on fail)`);
    this.o.stop();
  }
}
