/**
 * The canonical run report (JSON). Every reporter renders from this; `report merge` and
 * `report compare` read it. Versioned: bump REPORT_VERSION on any incompatible change and keep
 * schemas/report/report.schema.json in step (a test checks real reports against it).
 */

export const REPORT_VERSION = 1;

export type Verdict = 'PASS' | 'NON-STRICT' | 'INFORMATIONAL' | 'FAIL' | 'ERROR';

/** Worst first: a case's verdict is the worst of its findings. */
export const VERDICT_ORDER: readonly Verdict[] = ['ERROR', 'FAIL', 'NON-STRICT', 'INFORMATIONAL', 'PASS'];

export type RuleStrength = 'MUST' | 'SHOULD' | 'MAY' | 'UNSPECIFIED';

/** Where a checked rule comes from (seed, reading, choice, lenient); defined beside the validator that computes it. */
export type { DecisionPolicy, RuleSource } from '../spec/source.js';

/** Evidence for a finding: where in which message, what was expected, what was found. */
export interface Evidence {
  client?: string;
  /** Message name (naming field value) the evidence is about. */
  message?: string;
  /** JSON pointer inside the message, e.g. /data/room_id. */
  pointer?: string;
  expected?: unknown;
  actual?: unknown;
  /** Index into the case transcript. */
  transcriptIndex?: number;
}

export interface Finding {
  verdict: Verdict;
  /** Stable code: CC_WIRE_* (wire), CC_CHECK_* (expectations), CC_SCHEMA_* (validation) and so on. */
  code: string;
  message: string;
  /** Step that produced it: its path in the scenario (e.g. "steps[3].expect") and source line. */
  step?: { path: string; line?: number; description?: string };
  /** Spec section the finding cites, e.g. "ASSA §10.1" or "RFC 6455 §5.2". */
  section?: string;
  evidence?: Evidence;
}

export interface TranscriptEntry {
  client: string;
  direction: 'in' | 'out';
  /** Milliseconds since the case started. */
  at: number;
  bytes: number;
  text: string;
  truncated: boolean;
  /** Message name when identified. */
  message?: string;
  /** Schema errors of this message, when it failed validation. */
  schemaErrors?: { pointer: string; message: string; expected?: unknown; actual?: unknown }[];
  /** Non-message events on the connection: close, diagnostic. */
  event?: string;
}

export interface CaseResult {
  id: string;
  title: string;
  description?: string;
  /** Scenario file (relative to the working directory) and line of the case. */
  file?: string;
  line?: number;
  profile: string;
  specSections: string[];
  strength: RuleStrength;
  tags: string[];
  verdict: Verdict;
  durationMs: number;
  /** The finding that decided the verdict (the worst one), copied for convenience. */
  decidedBy?: Finding;
  findings: Finding[];
  transcript: TranscriptEntry[];
}

/** A histogram summarised, plus its exact HDR encoding for merging and re-rendering. */
export interface HistogramSummary {
  /** Unit of the values: microseconds for latencies. */
  unit: 'us' | 'ms' | 'bytes' | 'count';
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** hdr-histogram-js base64 compressed encoding. */
  encoded: string;
}

export interface ThresholdResult {
  /** As written, e.g. "reply.p99<100ms". */
  expression: string;
  metric: string;
  actual: number | null;
  passed: boolean;
  source: 'flag' | 'scenario' | 'slo';
}

export interface GeneratorHealth {
  eventLoopLagP99Ms: number;
  eventLoopLagMaxMs: number;
  cpuPercent: number;
  /** True when the generator itself was the bottleneck: results are not trustworthy. */
  saturated: boolean;
  reason?: string;
}

export interface LoadResult {
  clients: number;
  durationMs: number;
  /** Named latency histograms: connect, auth, reply, delivery, ... */
  histograms: Record<string, HistogramSummary>;
  /** Named counters: messages.sent, bytes.received, errors.ROOM_FULL, schema.violations, ... */
  counters: Record<string, number>;
  /** Delivery integrity per room. */
  delivery?: { room: string; expected: number; delivered: number; lost: number; duplicated: number; reordered: number }[];
  /** Time series for charts: one point per interval. */
  series?: { t: number; sent: number; received: number; p50: number; p99: number; connected: number }[];
}

export interface CapacityStep {
  load: number;
  unit: 'clients' | 'rate';
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  sloPassed: boolean;
  broken: string[];
  generatorSaturated: boolean;
  /** Clients connected in this step (with `vary: rate`, the fixed count). */
  clients?: number;
  /** Messages per second per client in this step. */
  ratePerClient?: number;
  /** Each SLO as judged at this step (latencies in µs, as thresholds are). */
  slo?: ThresholdResult[];
  /** Connection attempts that failed (refused, reset, timed out) in this step. */
  connectErrors?: number;
  /** Clients that could not be (re)connected after every retry of the reconnection policy. */
  clientsLost?: number;
  /** Why the generator counted as saturated, when it did. */
  saturation?: string;
}

export interface CapacityResult {
  vary: 'clients' | 'rate';
  steps: CapacityStep[];
  knee: number | null;
  firstBroken: number | null;
  limitingFactor?: string;
  baseline?: CapacityStep[];
  /** How the loads were chosen: a linear grid or a bisection. */
  search?: 'linear' | 'binary';
  /** The SLO expressions every step was judged against. */
  slo?: string[];
  /** The knee of the baseline (the reference server) over the same steps. */
  baselineKnee?: number | null;
  /** Why stepping ended: first broken step, --to reached, generator saturated, stopped. */
  stoppedBecause?: string;
}

export interface RunSummary {
  total: number;
  byVerdict: Record<Verdict, number>;
  thresholdsFailed: number;
  exitCode: number;
}

export interface RunReport {
  reportVersion: typeof REPORT_VERSION;
  tool: { name: 'chat-conform'; version: string };
  command: 'run' | 'load' | 'capacity';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  target: { url: string; embedded: boolean };
  profile: string;
  /** The effective options, secrets redacted. */
  options: Record<string, unknown>;
  summary: RunSummary;
  cases: CaseResult[];
  load?: LoadResult;
  capacity?: CapacityResult;
  thresholds?: ThresholdResult[];
  generator?: GeneratorHealth;
  /** Which messages of the profile were exercised, and traffic that matched no message. */
  coverage?: {
    messages: { id: string; sent: number; received: number }[];
    unmatched: number;
    /** Operations of the profile (AsyncAPI operation ids) and how often each was exercised. */
    operations?: { id: string; count: number }[];
    /** A few examples of traffic that matched no message (already redacted, truncated). */
    unmatchedSamples?: string[];
  };
  /** Shards merged into this report, when it was produced by `report merge`. */
  shards?: { index: number; count: number }[];
}
