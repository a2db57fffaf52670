/**
 * The scenario model: what a YAML case becomes once parsed and checked. Every step keeps its path
 * in the document (`steps[3].expect`) and its source line so a verdict can name the step that
 * decided it. The parts are in case-parts.ts, each step's shape in its module (./steps/).
 */
import type { Profile } from '../profile/types.js';
import type { RuleStrength } from '../report/model.js';
import type { ClientDef, RunVariable, UnexpectedPolicy } from './case-parts.js';
import type { Step } from './steps/index.js';
import type { Template } from './template.js';

export * from './case-parts.js';
export type * from './steps/index.js';

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
  /** Decision ids the case cites; they include its source and its steps' sources. */
  decisions: string[];
  /** What the case's checks rest on: `seed` (default) or a decision id of its profile (docs/decisions.md). */
  source: string;
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
  /** Preconditions run before `steps:` (connecting, creating rooms): whatever stops them is not the case's subject. */
  setup: Step[];
  steps: Step[];
  /** The raw `load:` section of a load case (shape-checked; src/load/plan.ts gives it meaning). */
  load?: Record<string, unknown>;
  /** File path as given and the line of the case's first key. */
  file: string;
  line: number;
}
