/**
 * One slice of a load run in one thread: the virtual clients of whole rooms, one scheduler timer
 * for all of them, and the metrics they emit into one MetricsStore. Workers and shards each run a
 * slice; their results (encoded metrics, per-room integrity, limit tallies) add up exactly.
 *
 * Timeline (ms from t0): clients start spread over the ramp; sends run on each client's open-model
 * timetable from `ramp + SETTLE` for `duration`; then a drain waits for replies and deliveries
 * still in flight (at most `drain`), and every connection is closed.
 *
 * This module runs that timeline; the parts it drives are modules of their own: the connection
 * lifecycle (lifecycle.ts), the hot loop of sends and inbound messages (traffic.ts), the limits
 * probes and timer checks (probes.ts), over the state they share (slice-state.ts) and what they
 * know of the protocol (protocol.ts).
 */
import { performance } from 'node:perf_hooks';
import { Snapshotter } from '../metrics/snapshots.js';
import type { InboundEvent } from '../transport/types.js';
import { mintVariant, resolveSigningKey } from '../auth/tokens.js';
import { getValidator, warmValidator } from '../profile/validator.js';
import { ClientState, VirtualClient } from './client.js';
import { ClientLifecycle } from './lifecycle.js';
import { ENGINE_COUNTERS } from './metric-names.js';
import { roomOf } from './plan.js';
import { LimitProbes } from './probes.js';
import { LoadProtocol } from './protocol.js';
import { timetable } from './schedule.js';
import { SliceState, type CounterName } from './slice-state.js';
import { SETTLE_MS, type SlicePhase, type SliceOptions, type SliceProgress, type SliceResult } from './slice-types.js';
import { Traffic } from './traffic.js';

export { SETTLE_MS, type LoadTimers, type SliceOptions, type SlicePhase, type SliceProgress, type SliceResult } from './slice-types.js';

export class LoadSlice {
  private readonly s: SliceState;
  private readonly lifecycle: ClientLifecycle;
  private readonly probes: LimitProbes;
  private readonly traffic: Traffic;
  private readonly snapshots: Snapshotter;
  private readonly flushed = Object.fromEntries(ENGINE_COUNTERS.map((n) => [n, 0])) as Record<CounterName, number>;
  private flushedOnce = false;
  private phase: SlicePhase = 'setup';
  private drainUntil = 0;
  private stoppedAt = 0;
  private endResolve: (() => void) | undefined;

  constructor(private readonly options: SliceOptions) {
    const profile = options.profile;
    const s = new SliceState(options, profile, new LoadProtocol(profile, options.plan));
    this.s = s;
    this.snapshots = new Snapshotter(s.store);
    this.probes = new LimitProbes(s);
    this.lifecycle = new ClientLifecycle(s, this.probes);
    let validator;
    if (options.validate !== false) {
      warmValidator(profile);
      validator = getValidator(profile);
    }
    this.traffic = new Traffic(s, validator, this.lifecycle, this.probes);
    const handlers = { event: (c: VirtualClient, e: InboundEvent) => this.traffic.onEvent(c, e), tick: (c: VirtualClient, at: number) => this.traffic.onTick(c, at) };
    const plan = s.plan;
    const limits = plan.limits;
    const [from, to] = options.range;
    for (let i = from; i < to; i++) {
      const roomIndex = roomOf(plan, i);
      let room = s.rooms.get(roomIndex);
      if (!room) {
        room = { index: roomIndex, label: `r${roomIndex}`, id: plan.create ? undefined : `r${roomIndex}`, members: [], active: 0, waiting: [], settled: false };
        s.rooms.set(roomIndex, room);
      }
      const position = i % plan.roomSize;
      const textProbe = limits !== undefined && position === 0 && roomIndex < limits.textProbes;
      const oversize = limits !== undefined && position === plan.roomSize - 1 && plan.roomSize > 1 && roomIndex < limits.oversizeSenders;
      const c = new VirtualClient(i, plan.userIdBase + i, room, `${options.runTag}c${i}-`, false, textProbe, oversize, handlers);
      c.slot = room.members.length;
      room.members.push(c);
      s.clients.push(c);
    }
    for (let i = options.silent[0]; i < options.silent[1]; i++) {
      s.clients.push(new VirtualClient(i, plan.userIdBase + i, undefined, `${options.runTag}c${i}-`, true, false, false, handlers));
    }
    // Minted before the run: jsonwebtoken takes about a millisecond a token, too slow for the ramp.
    if (profile.auth.kind !== 'none') {
      const key = resolveSigningKey(options.jwt);
      for (const c of s.clients) c.token = mintVariant('valid', { sub: String(c.userId), nickname: `vu${c.index}` }, key);
    }
  }

  get clientCount(): number {
    return this.s.clients.length;
  }

  /** Live figures for progress lines and --abort-on-fail. */
  progress(withSummaries = false): SliceProgress {
    const s = this.s;
    this.flushCounters();
    let ready = 0;
    let replies = 0;
    for (const c of s.clients) {
      if (c.state === ClientState.Ready || c.state === ClientState.Silent) ready++;
      replies += c.pending;
    }
    const progress: SliceProgress = {
      phase: this.phase,
      clients: s.clients.length,
      connected: s.connected,
      authenticated: s.authenticated,
      ready,
      inFlight: { replies, deliveries: s.tracker.awaited() },
      ...(this.phase !== 'setup' ? { steadyEndsAtMs: Math.round(s.sendEnd - s.t0) } : {}),
      ...(this.phase === 'drain' ? { drainEndsAtMs: Math.round(this.drainUntil - s.t0) } : {}),
      counters: s.store.counters(),
      interval: this.snapshots.take(Math.round(performance.now() - s.t0)),
    };
    if (withSummaries) {
      progress.summaries = {};
      for (const name of s.store.histogramNames()) {
        const h = s.store.histogram(name);
        const count = h.totalCount;
        const at = (p: number): number => (count === 0 ? 0 : h.getValueAtPercentile(p));
        progress.summaries[name] = { unit: 'us', count, min: at(0), mean: count ? h.mean : 0, p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: at(100), encoded: '' };
      }
    }
    return progress;
  }

  /** Ends the run early (Ctrl-C, --abort-on-fail): no drain, connections closed, results kept. */
  stop(): void {
    if (this.s.stopping) return;
    this.s.stopping = true;
    this.endResolve?.();
  }

  /** Runs the slice with t0 at `startEpochMs` (shared by every worker of the run, so they ramp together). */
  async run(startEpochMs: number): Promise<SliceResult> {
    const s = this.s;
    const plan = s.plan;
    s.t0 = performance.now() + (startEpochMs - Date.now());
    const total = Math.max(1, plan.clients);
    for (const c of s.clients) s.scheduler.at(s.t0 + (plan.rampMs * c.index) / total, () => this.lifecycle.start(c));
    const sweepEvery = Math.max(10, Math.min(250, this.options.timers.responseTimeout / 4));
    const sweep = setInterval(() => this.traffic.sweep(), sweepEvery);
    const endTimer = new Promise<void>((resolve) => {
      this.endResolve = resolve;
      if (s.stopping) resolve();
    });
    // Setup (connect, authenticate, join) is not measured against the timetable: the steady phase
    // starts once every client has settled (or the setup deadline passed), then runs its full length.
    const setupDeadline = s.t0 + plan.rampMs + SETTLE_MS + this.options.timers.connectTimeout + this.options.timers.responseTimeout;
    while (!s.stopping && !s.allSettled() && performance.now() < setupDeadline) await s.pause(10);
    s.sendStart = Math.max(s.t0 + plan.rampMs + SETTLE_MS, performance.now() + 20);
    s.sendEnd = s.sendStart + plan.durationMs;
    this.phase = 'steady';
    if (!s.stopping) {
      const t = setTimeout(() => this.endResolve?.(), Math.max(0, s.sendEnd - performance.now()));
      s.timers.add(t);
    }
    const oversizeCount = s.clients.filter((c) => c.oversize).length;
    let oversizeIndex = 0;
    for (const c of s.clients) {
      if (c.silent) continue;
      // Spread clients over the interval with the golden ratio so they never fire together.
      // Rate 0 (no scenario can ask for it; bench/load.ts's idle clients do): connected, authenticated, answering PING only.
      const table = timetable(s.sendStart, s.sendEnd, plan.rate, (c.index * 0.6180339887) % 1);
      const first = plan.rate > 0 ? table.next() : undefined;
      if (first !== undefined) {
        c.table = table;
        s.scheduler.at(first, c.onTick);
      }
      if (c.textProbe || c.oversize) this.probes.schedule(c, c.oversize ? oversizeIndex++ : 0, oversizeCount);
    }
    await endTimer;
    this.stoppedAt = performance.now();
    if (!s.stopping) s.scheduler.runBefore(s.sendEnd);
    s.scheduler.stop();
    if (!s.stopping) {
      this.drainUntil = performance.now() + plan.drainMs;
      this.phase = 'drain';
      await this.traffic.drain(this.drainUntil);
    }
    this.phase = 'closing';
    clearInterval(sweep);
    s.stopping = true;
    this.probes.observeEnd(Math.min(this.stoppedAt, s.sendEnd));
    for (const t of s.timers) clearTimeout(t);
    await Promise.all(s.clients.map((c) => this.lifecycle.close(c)));
    this.flushCounters();
    const delivery = s.tracker.report();
    const totals = s.tracker.totals();
    s.tally.deliveryLost = totals.lost + totals.duplicated;
    return {
      clients: s.clients.length,
      metrics: s.store.encode(),
      delivery,
      unknownDeliveries: totals.unknown + s.unknownMarkers,
      violations: s.violations.list(),
      violationsOmitted: s.violations.omitted,
      errorSamples: s.errorSamples,
      limits: s.tally,
      health: s.health.stop(),
      ranMs: Math.max(0, Math.min(this.stoppedAt, s.sendEnd || this.stoppedAt) - s.t0),
    };
  }

  private flushCounters(): void {
    const { counts, store } = this.s;
    for (const name of ENGINE_COUNTERS) {
      const delta = counts[name] - this.flushed[name];
      // The first flush writes every counter, zeros too: a threshold on a counter must find it.
      if (delta !== 0 || !this.flushedOnce) store.increment(name, delta);
      this.flushed[name] = counts[name];
    }
    this.flushedOnce = true;
  }
}
