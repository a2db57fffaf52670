/**
 * Capacity search: runs the load scenario at increasing loads (clients, or the total message rate
 * at a fixed number of clients), one complete load run per step, judges each step against the
 * SLOs, and finds the knee: the highest load that met every SLO. Stops at the first broken step,
 * never runs above `to`, and never blames the server for a step where the generator saturated.
 * See docs/capacity.md.
 */
import { ccError } from '../errors.js';
import type { LoadTimers } from '../load/engine.js';
import { SETTLE_MS } from '../load/engine.js';
import type { LoadPlan } from '../load/plan.js';
import { checkTarget, INTERRUPTED_EXIT_CODE, loadTimeline, loadUrl, runLoad, type LoadRunOptions } from '../load/run.js';
import type { Output } from '../output.js';
import type { Profile } from '../profile/types.js';
import type { CapacityStepInfo, Reporter } from '../reporters/types.js';
import { parseThresholds, type Threshold } from '../load/thresholds.js';
import { reportHeader } from '../report/header.js';
import { type CapacityResult, type CapacityStep, type GeneratorHealth, type RunReport } from '../report/model.js';
import type { JwtKeySources } from '../auth/tokens.js';
import type { RunTarget } from '../transport/target.js';
import { capacityConclusion, judgeStep, limitingFactor, outcomeOf } from './judge.js';
import { binarySearch, linearSearch, type LoadSearch } from './search.js';

export type CapacityVary = 'clients' | 'rate';

export interface CapacityOptions {
  /** The scenario's load plan; each step runs it with the step's clients or rate. */
  plan: LoadPlan;
  /** The profile the plan was read with. */
  profile: Profile;
  /**
   * The server under test: a URL (urlTarget), or the reference server the caller started
   * (startEmbeddedTarget) with room for the largest step's clients. Every step runs against it;
   * the search does not close it.
   */
  target: RunTarget;
  /** SLO expressions (the threshold grammar), at least one. */
  slo: string[];
  /** What a step varies (default clients). With `rate`, a load is the total messages per second. */
  vary?: CapacityVary;
  from: number;
  to: number;
  /** Linear step (default 100); ignored by the binary search. */
  step?: number;
  search?: 'linear' | 'binary';
  /** Binary search: stop bisecting when the passing and broken loads are this close (default (to - from) / 32, at least 1). */
  resolution?: number;
  /** Measured (steady) phase of each step, ms. */
  stepDurationMs: number;
  /** With vary rate: the fixed number of clients (default: the plan's). */
  clients?: number;
  /** With vary clients: messages per second per client (default: the plan's). */
  ratePerClient?: number;
  /** Connection ramp of each step (default: the plan's ramp per client, scaled to the step). */
  rampMs?: number;
  /**
   * Also run the same loads against this reference server, started by the caller like `target`,
   * for a figure of the same machine beside the target's (only when the target is not one).
   */
  baseline?: RunTarget;
  jwt?: JwtKeySources;
  timers?: Partial<LoadTimers>;
  limits?: LoadRunOptions['limits'];
  workers?: number;
  validate?: boolean;
  /** Upper bound on the number of steps of one search (default 64). */
  maxSteps?: number;
  /**
   * Reporters whose onProgress gets each step's live figures, and whose onCapacityStep each step as
   * it is judged (the console reporter prints the status line and the step's line).
   */
  reporters?: readonly Reporter[];
  /** Reporters' onProgress cadence within a step, ms (default 5 s). */
  progressEveryMs?: number;
  /** Notices (a reporter that failed, a step stopped early); none = silent. */
  output?: Output;
  /** Ctrl-C: the current step ends early and is not judged; the report covers the steps done. */
  signal?: AbortSignal;
  packageVersion?: string;
}

interface SearchRun {
  steps: CapacityStep[];
  reason: string;
  url: string;
  embedded: boolean;
  profile: string;
  health: GeneratorHealth[];
}

/** Longest a step may take before its run is stopped: every phase of it, plus a minute of grace. */
function stepBudgetMs(plan: LoadPlan, o: CapacityOptions): number {
  const t = loadTimeline(plan, o.profile, o);
  return t.totalMs + t.setupGraceMs + 60_000;
}

/**
 * Refuses options no search can run (CC_ERR_BAD_OPTION, exit 2), naming options as this library
 * does, in backticks (`from`, `stepDurationMs`); the command line turns those into its flags.
 */
export function validateCapacityOptions(o: Omit<CapacityOptions, 'target' | 'baseline'> & { target: Pick<RunTarget, 'embedded'>; baseline?: Pick<RunTarget, 'embedded'> }): void {
  const bad = (option: string, value: unknown, reason: string): never => {
    throw ccError('CC_ERR_BAD_OPTION', { option: `\`${option}\``, value: JSON.stringify(value), reason });
  };
  if (!(o.from > 0)) bad('from', o.from, 'expected a load above 0');
  if (!(o.to >= o.from)) bad('to', o.to, `expected at least \`from\` (${o.from})`);
  if (o.step !== undefined && !(o.step > 0)) bad('step', o.step, 'expected a step above 0');
  if (o.resolution !== undefined && !(o.resolution > 0)) bad('resolution', o.resolution, 'expected a resolution above 0');
  if (!(o.stepDurationMs > 0)) bad('stepDurationMs', o.stepDurationMs, 'expected a duration above 0');
  if (o.slo.length === 0) bad('slo', o.slo, 'at least one SLO is needed, e.g. reply.p99<100ms');
  if (o.baseline !== undefined && o.target.embedded) {
    bad('baseline', 'reference', 'compares `target` with the reference server; without `target` the run is already against it');
  }
  if ((o.vary ?? 'clients') === 'clients') {
    // Client counts are whole: a fractional grid would run rounded counts under other names.
    if (!Number.isInteger(o.from)) bad('from', o.from, 'a client count is a whole number');
    if (!Number.isInteger(o.to)) bad('to', o.to, 'a client count is a whole number');
    if (o.step !== undefined && !Number.isInteger(o.step)) bad('step', o.step, 'a client count is a whole number');
  }
  if (o.ratePerClient !== undefined && (o.vary ?? 'clients') === 'rate') {
    bad('ratePerClient', o.ratePerClient, 'sets the per-client rate of a client search; with `vary` rate the steps set it (`clients` is the fixed count)');
  }
  if (o.clients !== undefined && (o.vary ?? 'clients') === 'clients') {
    bad('clients', o.clients, 'is the fixed count of a `vary` rate search; a client search steps it from `from` to `to`');
  }
}

/** The plan of one step: the scenario with this step's clients or rate, its own users, no limit probes, no thresholds. */
export function stepPlan(o: CapacityOptions, load: number, index: number): LoadPlan {
  const { limits: _limitProbes, ...base } = o.plan;
  const vary = o.vary ?? 'clients';
  const clients = vary === 'clients' ? Math.round(load) : o.clients ?? base.clients;
  const rampPerClient = base.clients > 0 ? base.rampMs / base.clients : 0;
  return {
    ...base,
    clients,
    rate: vary === 'rate' ? load / clients : o.ratePerClient ?? base.rate,
    rampMs: o.rampMs ?? Math.round(rampPerClient * clients),
    durationMs: o.stepDurationMs,
    // Fresh user ids per step, so no step meets the sessions (and session recovery) of the last.
    userIdBase: base.userIdBase + index * Math.max(o.to, clients) * 2,
    thresholds: [],
  };
}

async function runSearch(o: CapacityOptions, slos: Threshold[], search: LoadSearch, target: RunTarget, label: string, tell: TellStep): Promise<SearchRun> {
  const vary = o.vary ?? 'clients';
  const steps: CapacityStep[] = [];
  const health: GeneratorHealth[] = [];
  const maxSteps = o.maxSteps ?? 64;
  let url = loadUrl(target, o.profile);
  const embedded = target.embedded;
  const profile = o.profile.name;
  let reason = '';
  for (let index = 0; index < maxSteps; index++) {
    const load = search.next();
    if (load === undefined) {
      reason = search.reason;
      break;
    }
    if (o.signal?.aborted) {
      reason = 'stopped (Ctrl-C)';
      break;
    }
    const plan = stepPlan(o, load, index);
    const controller = new AbortController();
    const forward = (): void => controller.abort();
    o.signal?.addEventListener('abort', forward, { once: true });
    let overran = false;
    const watchdog = setTimeout(() => {
      overran = true;
      controller.abort();
    }, stepBudgetMs(plan, o));
    let report: RunReport;
    try {
      report = await runLoad({
        plan,
        profile: o.profile,
        // The target was checked once before the first step: a server that stops answering
        // mid-search breaks a step (its clients cannot connect), it does not end the search.
        target,
        preflight: false,
        ...(o.jwt ? { jwt: o.jwt } : {}),
        ...(o.timers ? { timers: o.timers } : {}),
        ...(o.limits ? { limits: o.limits } : {}),
        ...(o.workers === undefined ? {} : { workers: o.workers }),
        ...(o.validate === undefined ? {} : { validate: o.validate }),
        ...(o.output ? { output: o.output } : {}),
        ...(o.reporters?.length ? { reporters: o.reporters } : {}),
        ...(o.progressEveryMs === undefined ? {} : { progressEveryMs: o.progressEveryMs }),
        signal: controller.signal,
      });
    } finally {
      clearTimeout(watchdog);
      o.signal?.removeEventListener('abort', forward);
    }
    url = report.target.url;
    if (o.signal?.aborted || overran) {
      // A step cut short was not held long enough to judge.
      reason = overran ? `the step at ${load} overran its time budget and was stopped` : 'stopped (Ctrl-C)';
      break;
    }
    const step = judgeStep(report, load, vary, slos, plan.durationMs ?? o.stepDurationMs);
    if (index === 0 && (report.load?.counters['connections.opened'] ?? 0) === 0) {
      throw ccError('CC_ERR_CONNECT', { target: url, reason: `not one of ${plan.clients} clients could connect (${step.connectErrors ?? 0} failed attempts)` });
    }
    if (report.generator) health.push(report.generator);
    steps.push(step);
    await tell(step, { label, index: steps.length });
    search.record(load, outcomeOf(step));
  }
  if (!reason) reason = `reached the step limit (${maxSteps})`;
  steps.sort((a, b) => a.load - b.load);
  return { steps, reason, url, embedded, profile, health };
}

type TellStep = (step: CapacityStep, info: CapacityStepInfo) => Promise<void>;

/** Hands each judged step to the reporters; one that throws is named once, gets no more steps, and the search goes on. */
function stepTeller(o: CapacityOptions): TellStep {
  const failed = new Set<Reporter>();
  return async (step, info) => {
    for (const r of o.reporters ?? []) {
      if (!r.onCapacityStep || failed.has(r)) continue;
      try {
        await r.onCapacityStep(step, info);
      } catch (err) {
        failed.add(r);
        o.output?.err(`chat-conform: reporter ${r.name} failed in onCapacityStep (${(err as Error).message}); no more steps go to it`);
      }
    }
  };
}

/**
 * The knee and the first broken load of a set of steps; saturated steps count for neither. A knee
 * needs a break above it: when no step broke, there is none, and `heldUpTo` is the highest load
 * that met every SLO (the server's knee is somewhere above it).
 */
export function kneeOf(steps: readonly CapacityStep[]): { knee: number | null; firstBroken: CapacityStep | undefined; heldUpTo: number | undefined } {
  const trusted = steps.filter((s) => !s.generatorSaturated);
  const firstBroken = trusted.filter((s) => !s.sloPassed).sort((a, b) => a.load - b.load)[0];
  const passing = trusted.filter((s) => s.sloPassed && (firstBroken === undefined || s.load < firstBroken.load));
  const highest = passing.length ? Math.max(...passing.map((s) => s.load)) : undefined;
  return firstBroken ? { knee: highest ?? null, firstBroken, heldUpTo: undefined } : { knee: null, firstBroken, heldUpTo: highest };
}

/** The report's generator health: that of the worst step (a saturated one first, else the most lag). */
function worstHealth(parts: GeneratorHealth[]): GeneratorHealth | undefined {
  let worst: GeneratorHealth | undefined;
  for (const p of parts) {
    if (!worst || (p.saturated && !worst.saturated) || (p.saturated === worst.saturated && p.eventLoopLagP99Ms > worst.eventLoopLagP99Ms)) worst = p;
  }
  return worst;
}

/**
 * Exit code of a capacity run: 0 when the first step met the SLOs (a knee at or above `from`);
 * 1 when even the first step broke an SLO; 2 when no step could be judged (the generator
 * saturated at the first step, or the run was stopped before one finished).
 */
export function capacityExitCode(c: CapacityResult): number {
  if (c.knee !== null || c.heldUpTo !== undefined) return 0;
  return c.firstBroken !== null ? 1 : 2;
}

export async function runCapacity(options: CapacityOptions): Promise<RunReport> {
  validateCapacityOptions(options);
  const startedAt = new Date();
  const slos = parseThresholds(options.slo, 'slo', options.profile);
  const vary = options.vary ?? 'clients';
  const mode = options.search ?? 'linear';
  const resolution = options.resolution ?? Math.max(1, Math.ceil((options.to - options.from) / 32));
  const makeSearch = (): LoadSearch => (mode === 'binary' ? binarySearch(options.from, options.to, resolution) : linearSearch(options.from, options.to, options.step ?? 100));
  if (!options.target.embedded) {
    await checkTarget(options.target, options.profile, options.plan, options.jwt, loadTimeline(options.plan, options.profile, options).timers.connectTimeout);
  }
  const tell = stepTeller(options);
  const main = await runSearch(options, slos, makeSearch(), options.target, options.baseline ? 'target' : 'step', tell);
  const { knee, firstBroken, heldUpTo } = kneeOf(main.steps);
  const saturated = main.steps.find((s) => s.generatorSaturated);
  const capacity: CapacityResult = {
    vary,
    steps: main.steps,
    knee,
    ...(heldUpTo === undefined ? {} : { heldUpTo }),
    firstBroken: firstBroken?.load ?? null,
    search: mode,
    slo: slos.map((s) => s.expression),
    stoppedBecause: main.reason,
  };
  if (firstBroken) capacity.limitingFactor = limitingFactor(firstBroken);
  else if (saturated) capacity.limitingFactor = `the load generator, not the server: saturated at ${saturated.load} (${saturated.saturation ?? 'see generator health'}); the server's knee is above ${heldUpTo ?? 'the first step'}: add --workers or shard the load`;

  const health = [...main.health];
  if (options.baseline !== undefined) {
    // The same loads, in order, against the embedded reference server; stops at its own first break.
    const loads = main.steps.map((s) => s.load);
    let i = 0;
    const replay: LoadSearch = {
      next: () => loads[i],
      record: (_load, outcome) => {
        i = outcome === 'pass' ? i + 1 : loads.length;
      },
      get reason() {
        return 'baseline done';
      },
    };
    const base = await runSearch(options, slos, replay, options.baseline, 'reference', tell);
    capacity.baseline = base.steps;
    const b = kneeOf(base.steps);
    capacity.baselineKnee = b.knee;
    if (b.heldUpTo !== undefined) capacity.baselineHeldUpTo = b.heldUpTo;
    health.push(...base.health);
  }

  capacity.conclusion = capacityConclusion(capacity);
  const exitCode = capacityExitCode(capacity);
  const finishedAt = new Date();
  const generator = worstHealth(health);
  const first = main.steps[0];
  return {
    ...reportHeader('capacity', startedAt, finishedAt, { url: main.url, embedded: main.embedded }, main.profile, options.packageVersion),
    options: {
      scenario: options.plan.id, vary, from: options.from, to: options.to, search: mode,
      ...(mode === 'linear' ? { step: options.step ?? 100 } : { resolution }),
      stepDurationMs: options.stepDurationMs, slo: capacity.slo,
      ...(vary === 'rate' ? { clients: first?.clients ?? options.clients ?? options.plan.clients } : { ratePerClient: options.ratePerClient ?? options.plan.rate }),
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      ...(options.baseline ? { baseline: 'reference' } : {}),
    },
    summary: {
      total: 0,
      byVerdict: { PASS: 0, 'NON-STRICT': 0, INFORMATIONAL: 0, 'NOT-ASSESSED': 0, FAIL: 0, ERROR: 0 },
      thresholdsFailed: exitCode === 1 ? (first?.broken.length ?? 0) : 0,
      // Stopped by Ctrl-C: the steps done are reported, but the search did not finish.
      ...(options.signal?.aborted
        ? { exitCode: INTERRUPTED_EXIT_CODE, incomplete: `stopped by an interrupt (Ctrl-C) after ${main.steps.length} judged step${main.steps.length === 1 ? '' : 's'}: the search did not finish` }
        : { exitCode }),
    },
    cases: [],
    capacity,
    ...(generator ? { generator } : {}),
  };
}
