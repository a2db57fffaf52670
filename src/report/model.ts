/**
 * The canonical run report (JSON). Every reporter renders from this; `report merge` and
 * `report compare` read it. Versioned: bump REPORT_VERSION on any incompatible change and keep
 * schemas/report/report.schema.json in step (a test checks real reports against it).
 */
import type { HistogramSummary, SeriesPoint } from '../metrics/summary.js';
import type { RuleSource } from '../spec/source.js';

export const REPORT_VERSION = 2;

/**
 * The versions this chat-conform reads. Version 2 added NOT-ASSESSED, the sources of cases and
 * findings, root causes and message shapes; a version 1 report reads as having none of them.
 */
export const READABLE_REPORT_VERSIONS: readonly number[] = [1, 2];
export type ReportVersion = 1 | 2;

/**
 * NOT-ASSESSED: the case never reached the step that checks its subject (a precondition in its
 * `setup:` stopped it); its `blockedBy` says where and why, and that finding's verdict is what the
 * exit code sees.
 */
export type Verdict = 'PASS' | 'NON-STRICT' | 'INFORMATIONAL' | 'NOT-ASSESSED' | 'FAIL' | 'ERROR';

/** Worst first, and the order verdicts are shown in. */
export const VERDICT_ORDER: readonly Verdict[] = ['ERROR', 'FAIL', 'NOT-ASSESSED', 'NON-STRICT', 'INFORMATIONAL', 'PASS'];

export type RuleStrength = 'MUST' | 'SHOULD' | 'MAY' | 'UNSPECIFIED';

/** Where a checked rule comes from (seed, reading, choice, lenient); defined beside the validator that computes it. */
export type { DecisionPolicy, RuleSource } from '../spec/source.js';

/** The source of a finding's rule (DESIGN.md, "its source caps its verdict"). */
export interface FindingSource {
  kind: RuleSource;
  /** A decision id (`assa.D12.closed-rooms`), or for lenient findings `optional-null` / `open-enum`. */
  rule?: string;
}

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
  /** Where the checked rule comes from; absent: the seed (and in version 1 reports). */
  source?: FindingSource;
  /**
   * The verdict the check gave before its source capped it (a FAIL of a reading shown as
   * NON-STRICT): what `--decisions enforce` would make it, for a reading or a choice.
   */
  cappedFrom?: Verdict;
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

/** The source of a case's checks: the seed, or the decision (of class reading or choice) it tests. */
export interface CaseSource {
  kind: 'seed' | 'reading' | 'choice';
  /** The decision id, for a reading or a choice. */
  decision?: string;
}

/** What stopped a NOT-ASSESSED case before it reached its subject. */
export interface BlockedBy {
  /** The blocking step's path in the scenario (`setup[1].expect`) and source line. */
  path: string;
  line?: number;
  /** What blocked, in the user's words: `CONNECT`, `login`, `connection`, `reply to JOIN_ROOM`, `USER_JOINED`. */
  label: string;
  /** The blocking step's finding, with its own (capped) verdict: the one the exit code sees. */
  finding: Finding;
}

/** What a case's connections carried, counted on the wire. */
export interface CaseTraffic {
  /** Connections established: TCP accepted, or for WebSocket the upgrade accepted. */
  connections: number;
  /** Bytes received from the server on them, framing included. */
  bytesIn: number;
  bytesOut: number;
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
  /** Where the case's checks come from; absent in version 1 reports (and read as the seed). */
  source?: CaseSource;
  /** Set exactly when the verdict is NOT-ASSESSED. */
  blockedBy?: BlockedBy;
  traffic?: CaseTraffic;
}

/**
 * Cases blocked at the same early step for the same reason, said once before the cases:
 * "61 of 65 cases could not get past CONNECT: ...". Computed from the cases (rootCausesOf).
 */
export interface RootCause {
  /** The blocking step, as BlockedBy.label. */
  label: string;
  /** The blocking finding's code. */
  code: string;
  /** The worst verdict of the blocking findings. */
  verdict: Verdict;
  /** One line: how many cases, what blocked them, and what the wire showed. */
  message: string;
  /** Ids of the blocked cases. */
  cases: string[];
  /** Cases in the run. */
  total: number;
  /** Summed over the blocked cases' traffic. */
  evidence: { connections: number; bytesIn: number };
}

/**
 * A schema finding aggregated over the run, once per (profile, direction, message, pointer, code,
 * source): every schema finding lands here, whether or not a case had the message as its subject.
 */
export interface ShapeFinding {
  profile: string;
  /** Who sent the message: `server` (server to client) or `client`. */
  direction: 'server' | 'client';
  /** The message's name (its naming field's value). */
  message: string;
  /** JSON pointer inside the message; array indices read `*`, so every element counts as one field. */
  pointer: string;
  code: string;
  source: FindingSource;
  /** The worst verdict given to it. */
  verdict: Verdict;
  /** How many messages had it. */
  count: number;
  /** The first cases it was seen in (at most 20). */
  cases: string[];
  /** How many cases it was seen in. */
  caseCount: number;
  /** Its first occurrence. */
  sample: ShapeSample;
}

export interface ShapeSample {
  case: string;
  /** The concrete pointer (with its array indices). */
  pointer: string;
  /** What was wrong, in words (`must be integer`). */
  detail?: string;
  expected?: unknown;
  actual?: unknown;
  /** The message as received, cut to 500 bytes of UTF-8. */
  raw: string;
  /** True when `raw` was cut. */
  truncated: boolean;
}

export type { HistogramSummary, SeriesPoint } from '../metrics/summary.js';

export interface ThresholdResult {
  /** As written, e.g. "reply.p99<100ms". */
  expression: string;
  metric: string;
  /** µs for times, percent for rates; null: no data (a histogram nobody recorded into, a rate of nothing). */
  actual: number | null;
  passed: boolean;
  /** The unit the bound was written in (`''`: a count); the actual value prints in it. */
  unit?: 'us' | 'ms' | 's' | 'm' | '%' | '';
  /** `gate`: the default gate every load run has (round trips, connect failures, timeouts, leaks). */
  source: 'flag' | 'scenario' | 'slo' | 'gate';
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
  delivery?: DeliveryRow[];
  /** Schema violations of inbound messages, one entry per (class, message, pointer), FAIL first. */
  schemaViolations?: SchemaViolation[];
  /** Occurrences of further kinds of violation, counted but not listed (the list is capped). */
  schemaViolationsOmitted?: number;
  /** Why connections failed: the first message of each connection error code (`errors.CC_ERR_*`). */
  errorSamples?: Record<string, string>;
  /** Time series for charts: one point per interval. */
  series?: SeriesPoint[];
}

/**
 * Delivery integrity of one room, counted per (sender, recipient) pair. A message is expected by a
 * recipient when both were members (joined and connected) when it was sent; lost when expected and
 * never received by the end of the drain. Copies to the sender itself, to non-members and of
 * messages sent while the recipient was away are counted apart and never fill another's gap.
 */
export interface DeliveryRow {
  room: string;
  expected: number;
  /** Expected and received (first copies). */
  delivered: number;
  lost: number;
  /** Second and later copies to one recipient (the sender's own included). */
  duplicated: number;
  /** Copies that arrived after a later message of the same sender to the same recipient. */
  reordered: number;
  /** Copies that reached their own sender (first copies). */
  selfCopies?: number;
  /** Messages whose sender never got its own copy, when the profile says it is expected. */
  selfMissing?: number;
  /** Copies that reached a client that was never a member of the room: a failure. */
  leaked?: number;
  /** Copies of messages sent while the recipient was not connected (neither expected nor lost). */
  offlineCopies?: number;
}

/**
 * One kind of schema violation seen under load: where, how often, and the first message that
 * showed it. Its class follows its source, as `run`'s verdicts do (DESIGN.md): only FAIL counts
 * toward `schema.violations`.
 */
export interface SchemaViolation {
  class: 'FAIL' | 'NON-STRICT' | 'INFORMATIONAL';
  /** Where the broken rule comes from: the seed, our reading of it, a choice where it is silent, or what the seed allows (a field it does not define, null in an optional field, a code outside a list of examples). */
  source: RuleSource;
  /** The decision id, or for lenient violations `optional-null` / `open-enum`; absent for the seed's own rules and undefined fields. */
  rule?: string;
  /** The message name (or `(not an object)`, `(no name)`). */
  message: string;
  /** JSON pointer into the message. */
  pointer: string;
  count: number;
  expected: string;
  actual: string;
  /** The first message that showed it, as text, cut to 500 bytes. */
  sample: { text: string; truncated: boolean };
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
  /** The highest load that met every SLO below the first broken load; null when no step broke (see heldUpTo) or the first did. */
  knee: number | null;
  /** When no step broke: the highest load measured, at which (and below which) every SLO held. */
  heldUpTo?: number;
  firstBroken: number | null;
  limitingFactor?: string;
  /** The result in one sentence, as the console prints it. */
  conclusion?: string;
  baseline?: CapacityStep[];
  /** How the loads were chosen: a linear grid or a bisection. */
  search?: 'linear' | 'binary';
  /** The SLO expressions every step was judged against. */
  slo?: string[];
  /** The knee of the baseline (the reference server) over the same steps. */
  baselineKnee?: number | null;
  /** When no baseline step broke: the highest load it held. */
  baselineHeldUpTo?: number;
  /** Why stepping ended: first broken step, --to reached, generator saturated, stopped. */
  stoppedBecause?: string;
}

export interface RunSummary {
  total: number;
  /** NOT-ASSESSED is 0 when a version 1 report is read. */
  byVerdict: Record<Verdict, number>;
  thresholdsFailed: number;
  /** Root causes of NOT-ASSESSED cases (absent in version 1 reports and capacity reports). */
  rootCauses?: number;
  /** Message-shape findings, and how many of them fail the run (FAIL; NON-STRICT under --strict). */
  shapes?: number;
  shapesFailed?: number;
  /** 0, 1 or 2 (DESIGN.md, Verdicts); 130 when the run was stopped before its end (Ctrl-C). */
  exitCode: number;
  /** Why the figures cover only part of the planned run (e.g. stopped by Ctrl-C 4.2s in). */
  incomplete?: string;
}

export interface RunReport {
  reportVersion: ReportVersion;
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
  /** Cases blocked at the same early step, worst and largest first. */
  rootCauses?: RootCause[];
  /** The run's schema findings by message shape, worst first. */
  shapes?: ShapeFinding[];
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
