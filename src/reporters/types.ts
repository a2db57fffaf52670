import type { Output } from '../output.js';
import type { CapacityStep, CaseResult, RunReport } from '../report/model.js';

/**
 * A reporter: optional lifecycle hooks, called in this order by a run (and by `report render`,
 * which only calls `onRunEnd`). Every value a hook receives is already redacted. A hook may be
 * async; the runner awaits it, so a slow reporter slows the run: keep per-case hooks cheap.
 */
export interface Reporter {
  /** Registry name or module path, for messages. */
  readonly name: string;
  /** Once, before the first case or the first client connects. */
  onRunStart?(info: RunInfo): void | Promise<void>;
  /** Before each conformance case starts (run only; load and capacity runs have no cases). */
  onCaseStart?(info: CaseStartInfo): void | Promise<void>;
  /** After each conformance case has its verdict, with its findings and transcript. */
  onCaseEnd?(result: CaseResult): void | Promise<void>;
  /** During load and capacity runs, once per progress interval (a few seconds; 1 s on a terminal). */
  onProgress?(progress: LoadProgress): void | Promise<void>;
  /** During capacity runs, once per step as it is judged (the console prints its line). */
  onCapacityStep?(step: CapacityStep, info: CapacityStepInfo): void | Promise<void>;
  /**
   * Once, after the run, with the final report (also what `report render` calls), when the run's
   * folder exists (ctx.outDir). File reporters write here and return the paths they wrote; the
   * console prints its summary here.
   */
  onRunEnd?(report: RunReport): void | Promise<void | string[]> | string[];
}

export interface CapacityStepInfo {
  /** Which search the step belongs to: `step`, or `target` and `reference` when a baseline runs beside it. */
  label: string;
  /** 1-based: the step's place in its search. */
  index: number;
}

export interface RunInfo {
  command: RunReport['command'];
  profile: string;
  target: RunReport['target'];
  startedAt: string;
  /** Conformance cases about to run (0 for load). */
  totalCases: number;
  options: Record<string, unknown>;
}

export interface CaseStartInfo {
  id: string;
  title: string;
  /** 1-based position and the total, for "3/40" displays. */
  index: number;
  total: number;
}

export interface LoadProgress {
  elapsedMs: number;
  /**
   * How long the whole run takes as things stand: ramp + settle + steady + drain as planned while
   * clients set up, then from the real end of the steady phase (a slow setup makes it longer).
   */
  totalMs: number | null;
  connected: number;
  sentPerSecond: number;
  receivedPerSecond: number;
  /** p99 of the main latency over the last interval, in ms. */
  p99Ms: number;
  errors: number;
  timeouts?: number;
  /** What the run is doing: connecting and joining, sending on its timetable, draining, closing. */
  phase?: 'setup' | 'steady' | 'drain' | 'closing';
  /** While setting up: clients ready (authenticated and joined) of all. */
  ready?: number;
  clients?: number;
  /** Replies still awaited and copies members still await; while draining, what the drain waits for. */
  inFlight?: { replies: number; deliveries: number };
  /** While draining: the most it may still take, ms. */
  drainLeftMs?: number;
}

/** What a reporter factory is given. */
export interface ReporterContext {
  /** Where printing reporters write (the console; a file reporter without outDir). */
  io: Output;
  /** The run folder a file reporter writes into; undefined means print to `io` instead. */
  outDir?: string;
  /** Colour for terminal output (false when not a TTY or NO_COLOR is set). */
  color: boolean;
  /** Reporter-specific settings (e.g. `{ strict: true }`). */
  settings?: Record<string, unknown>;
}

export type ReporterFactory = (ctx: ReporterContext) => Reporter;
