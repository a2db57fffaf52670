/**
 * The scenario model: what a YAML case becomes once parsed and checked. Every step keeps its path
 * in the document (`steps[3].expect`) and its source line so a verdict can name the step that
 * decided it.
 */
import type { TokenVariant } from '../auth/tokens.js';
import type { Profile } from '../profile/types.js';
import type { RuleStrength } from '../report/model.js';
import type { Template } from './template.js';

export type { TokenVariant };

/** Variables every case has: the target URL, its URLs by scheme, the profile's limits and timers, the admin URL. */
export const BUILTIN_VARIABLES: ReadonlySet<string> = new Set(['target', 'targets', 'limits', 'timers', 'admin_url']);

/**
 * Run variables a case may `require`: each comes from a flag of `run` and may be absent. A case
 * that needs one the run lacks is not run; it is INFORMATIONAL with a finding naming the flag.
 */
export const RUN_VARIABLES = {
  /** An HTTP endpoint that makes the server act (the reference server's POST /admin/announce). */
  admin_url: { flag: '--admin-url URL', purpose: 'an HTTP endpoint that makes the server act (for example send SERVER_ANNOUNCEMENT)' },
} as const;

export type RunVariable = keyof typeof RUN_VARIABLES;

export interface SourceRef {
  /** Path of the step in the case, e.g. `steps[3].expect` or `steps[2].repeat.steps[0].send`. */
  path: string;
  line: number;
  column: number;
}

export type HeartbeatMode = 'auto' | 'manual' | 'ignore';

export interface ClientDef {
  name: string;
  /** Becomes the `sub` claim; a number stays a number in templates (`${alice.user_id}`). */
  userId: string | number;
  nickname: string;
  /** Extra claims merged over the defaults `sub` and `nickname` (a template tree). */
  claims: Template;
  token: TokenVariant;
  heartbeat: HeartbeatMode;
  source: SourceRef;
}

export type ConnectExpectation = 'ok' | 'refused';

/** Milliseconds, or a template evaluated when the step runs (to a number of ms or a duration text). */
export type Duration = number | Template;

export interface ConnectStep {
  kind: 'connect';
  clients: string[];
  /** Run the profile's authentication (default true). */
  auth: boolean;
  /** Await the authentication reply and require success (default true). */
  await: boolean;
  expect: ConnectExpectation;
  /** Overrides the token variant of the client for this connect. */
  token?: TokenVariant;
  /** Overrides the target URL (template). */
  url?: Template;
  within?: Duration;
  /** Variable that receives the parsed answer of an HTTP login (OpenIRC). */
  login?: string;
  source: SourceRef;
}

export interface SendStep {
  kind: 'send';
  client: string;
  /** Message name (value of the profile's naming field); absent for raw sends. */
  message?: string;
  /** Value of the `data` field (template tree). */
  data?: Template;
  /** Fields merged at the top level of the message (template tree). */
  fields?: Template;
  /** Exact text or bytes sent as one message. */
  raw?: { text?: Template; base64?: string };
  /** Leave out the autofilled envelope fields. */
  autofill: boolean;
  source: SourceRef;
}

export interface ExpectStep {
  kind: 'expect';
  clients: string[];
  /** Expect the reply to the client's last request (correlated by the profile's rule). */
  reply: boolean;
  /** Acceptable message names; empty = any. */
  messages: string[];
  /** Partial matcher (template tree with `$` operators). */
  match?: Template;
  within?: Duration;
  /** The matched message must be the next unconsumed one (default false: others may come first). */
  next: boolean;
  /** Variable name → path into the matched message (of the first client). */
  capture: Record<string, string>;
  /** Clients that must NOT receive a message of this name (checked when the expectation is met). */
  noneFor: string[];
  source: SourceRef;
}

export interface ExpectNoneStep {
  kind: 'expect_none';
  clients: string[];
  /** How long to listen. */
  for: Duration;
  /** Only these message names count (empty: any non-heartbeat message). */
  messages: string[];
  source: SourceRef;
}

export interface ExpectCloseStep {
  kind: 'expect_close';
  clients: string[];
  code?: number[];
  within?: Duration;
  source: SourceRef;
}

export interface CloseStep {
  kind: 'close';
  clients: string[];
  code?: number;
  source: SourceRef;
}

export interface WaitStep {
  kind: 'wait';
  ms: Duration;
  source: SourceRef;
}

export interface CaptureStep {
  kind: 'capture';
  /** Variable name → template evaluated now. */
  values: Record<string, Template>;
  source: SourceRef;
}

/** Matches a value (a template, typically a captured variable) against a pattern, like `expect`'s match. */
export interface CheckStep {
  kind: 'check';
  value: Template;
  match: Template;
  source: SourceRef;
}

/** Many authenticated clients at once (a connection-count rule): connect, hold, check, release. */
export interface CrowdStep {
  kind: 'crowd';
  /** How many connections (a number or a template such as `${limits.maxConnections}`). */
  count: number | Template;
  /** The first member's user id; the others count up from it. */
  userIdFrom: number;
  /** How long every member must stay connected. */
  hold?: Duration;
  /** Deadline of each member's connection and authentication. */
  within?: Duration;
  source: SourceRef;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * An HTTP request under a deadline, to make the server do something no client can ask for (an
 * administrator's announcement). It drives the case rather than checking the server: a refused
 * connection, no answer in time or an unexpected status is an ERROR (the rule could not be checked).
 */
export interface HttpStep {
  kind: 'http';
  method: HttpMethod;
  /** http:// or https:// URL (template). */
  url: Template;
  /** Sent as JSON with content-type application/json (template tree). */
  json?: Template;
  /** Sent as is (template). */
  body?: Template;
  /** Header name → value (templates). */
  headers: Record<string, Template>;
  /** Acceptable statuses; empty: any 2xx. */
  status: number[];
  within?: Duration;
  /** Variable name → path into the response `{status, headers, body}` (body parsed when it is JSON). */
  capture: Record<string, string>;
  source: SourceRef;
}

export interface RepeatStep {
  kind: 'repeat';
  times: number;
  /** Loop variable holding the 0-based index. */
  as?: string;
  steps: Step[];
  source: SourceRef;
}

export interface ParallelStep {
  kind: 'parallel';
  branches: Step[][];
  source: SourceRef;
}

export type Step =
  | ConnectStep
  | SendStep
  | ExpectStep
  | ExpectNoneStep
  | ExpectCloseStep
  | CloseStep
  | WaitStep
  | CaptureStep
  | RepeatStep
  | ParallelStep
  | CrowdStep
  | CheckStep
  | HttpStep;

export type UnexpectedPolicy = 'record' | 'fail';

export interface ScenarioCase {
  id: string;
  title: string;
  description?: string;
  /** The profile as the case names it (a bundled name, or the path of an AsyncAPI document). */
  profile: string;
  /** That profile, loaded once by the parser: what the case's clients speak. */
  profileDef: Profile;
  specSections: string[];
  strength: RuleStrength;
  tags: string[];
  decisions: string[];
  /** Run variables the case cannot do without (`admin_url`); the run lacking one makes it INFORMATIONAL, not checked. */
  requires: RunVariable[];
  /** Transport schemes the case applies to (a rule the decisions state per transport); absent: all. */
  transports?: string[];
  /** Overall deadline of the case in ms. */
  timeout: number;
  /** Default deadline of expect steps in ms (else the profile's response timeout). */
  within?: number;
  unexpected: UnexpectedPolicy;
  variables: Record<string, Template>;
  clients: Map<string, ClientDef>;
  steps: Step[];
  /** The raw `load:` section of a load case (shape-checked; src/load/plan.ts gives it meaning). */
  load?: Record<string, unknown>;
  /** File path as given and the line of the case's first key. */
  file: string;
  line: number;
}
