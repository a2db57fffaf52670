/**
 * What a case and its steps are made of: where a step stands in its file, durations, clients,
 * and the variables every case may read. The steps' own shapes live with each step
 * (src/scenario/steps/); the case around them is model.ts.
 */
import type { TokenVariant } from '../auth/tokens.js';
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

/** A place in a YAML document: keys and sequence indexes from the root. */
export type DocPath = (string | number)[];

export interface SourceRef {
  /** Path of the step in the case, e.g. `steps[3].expect` or `steps[2].repeat.steps[0].send`. */
  path: string;
  line: number;
  column: number;
  /**
   * What the step's checks rest on, when the step names it (`source:`): `seed` or a decision id of
   * the case's profile. Absent: the case's own source.
   */
  verdictSource?: string;
}

/** A check's source when neither its step nor its case names one: what the seed states or shows. */
export const SEED_SOURCE = 'seed';

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

/** Milliseconds, or a template evaluated when the step runs (to a number of ms or a duration text). */
export type Duration = number | Template;

/** What every step is: its kind (the YAML key) and where it stands. Steps that hold steps hold these. */
export interface StepBase {
  kind: string;
  source: SourceRef;
}

export type UnexpectedPolicy = 'record' | 'fail';
