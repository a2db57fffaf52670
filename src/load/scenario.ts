/**
 * Reading a load scenario file: the first case with a `load:` section, its profile, and its plan.
 * Shared by `chat-conform load` and anything else that drives the engine from a file (capacity).
 */
import { join } from 'node:path';
import { ccError } from '../errors.js';
import { DEFAULT_PROFILE } from '../profile/default.js';
import type { Profile } from '../profile/types.js';
import type { ScenarioCase } from '../scenario/model.js';
import { loadScenarioFile } from '../scenario/parse.js';
import { parseLoadSection, type LoadPlan } from './plan.js';

export interface LoadScenario {
  file: string;
  case: ScenarioCase;
  profile: Profile;
  plan: LoadPlan;
}

/** The bundled load scenario of a profile: scenarios/load/<profile>-chat.yaml. */
export function defaultLoadScenario(packageRoot: string, profile: Profile | undefined): string {
  return join(packageRoot, 'scenarios', 'load', `${profile?.name ?? DEFAULT_PROFILE}-chat.yaml`);
}

/** `profile` overrides the case's profile (and is the profile of cases that give none). */
export function readLoadScenario(file: string, profile?: Profile): LoadScenario {
  const cases = loadScenarioFile(file, { defaultProfile: profile ?? DEFAULT_PROFILE });
  const chosen = cases.find((c) => c.load !== undefined);
  if (!chosen || !chosen.load) {
    throw ccError('CC_ERR_SCENARIO_INVALID', { path: file, line: 1, column: 1, reason: 'no case in this file has a load: section', hint: 'see docs/load.md for the load scenario format' });
  }
  const used = profile ?? chosen.profileDef;
  const plan = parseLoadSection(chosen.load, { id: chosen.id, title: chosen.title }, { file, line: chosen.line }, used);
  return { file, case: chosen, profile: used, plan };
}
