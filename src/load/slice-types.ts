/**
 * What a slice is given, shows and returns: plain data, posted to and from worker threads as is.
 */
import type { MetricsSnapshot } from '../metrics/snapshots.js';
import type { EncodedMetrics } from '../metrics/store.js';
import type { DeliveryRow, GeneratorHealth, HistogramSummary, SchemaViolation } from '../report/model.js';
import type { JwtKeySources } from '../auth/tokens.js';
import type { Profile } from '../profile/types.js';
import type { LimitTally } from './limits.js';
import type { LoadPlan } from './plan.js';

/** Time between the end of the ramp and the first scheduled send, so the last joins complete. */
export const SETTLE_MS = 500;

export interface LoadTimers {
  connectTimeout: number;
  responseTimeout: number;
  pingInterval: number;
  pongTimeout: number;
}

export interface SliceOptions {
  plan: LoadPlan & { durationMs: number };
  /** The run's profile: plain data, so a worker thread gets its own copy and loads nothing. */
  profile: Profile;
  targetUrl: string;
  jwt: JwtKeySources;
  timers: LoadTimers;
  limits: { maxTextChars: number; maxMessageBytes: number };
  /** Regular clients [from, to) (whole rooms) and silent clients [from, to), global numbering. */
  range: [number, number];
  silent: [number, number];
  /** Unique per run: correlation ids carry it. */
  runTag: string;
  /** Validate every inbound message (default true). */
  validate?: boolean;
  /** Slack on timer checks. */
  toleranceMs: number;
}

/**
 * Live figures, cheap to make every second: no histogram is encoded. `interval` holds the counter
 * deltas and percentiles since the previous call; `summaries` (when asked for) the running
 * percentiles, for thresholds judged during the run.
 */
export interface SliceProgress {
  /** What the slice is doing: connecting and joining, sending on its timetable, draining, closing. */
  phase: SlicePhase;
  /** Its clients, silent ones included. */
  clients: number;
  connected: number;
  authenticated: number;
  /** Clients set up: authenticated and joined (or silent, by design). */
  ready: number;
  /** Requests awaiting their reply, and copies the members still await (as counted at send time). */
  inFlight: { replies: number; deliveries: number };
  /** Ms from t0 to the end of the steady phase, once setup is over; to the end of the drain, while draining. */
  steadyEndsAtMs?: number;
  drainEndsAtMs?: number;
  counters: Record<string, number>;
  interval: MetricsSnapshot;
  summaries?: Record<string, HistogramSummary>;
}

export type SlicePhase = 'setup' | 'steady' | 'drain' | 'closing';

export interface SliceResult {
  clients: number;
  metrics: EncodedMetrics;
  delivery: DeliveryRow[];
  unknownDeliveries: number;
  /** Schema violations by kind, with the first sample of each, and occurrences beyond the list's cap. */
  violations: SchemaViolation[];
  violationsOmitted: number;
  /** The first message of each connection error code (`errors.CC_ERR_*`). */
  errorSamples: Record<string, string>;
  limits: LimitTally;
  health: GeneratorHealth;
  /** Ms from t0 to the end of the steady phase, as run (shorter when stopped). */
  ranMs: number;
}
