/**
 * Reading a load scenario file: the first case with a `load:` section, its profile, and its plan.
 * Shared by `chat-conform load` and anything else that drives the engine from a file (capacity).
 */
import { ccError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
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

/** `profileName` overrides the case's profile (and names the profile of cases that give none). */
export function readLoadScenario(file: string, profileName?: string): LoadScenario {
  const cases = loadScenarioFile(file, { defaultProfile: profileName ?? 'assa', resolveProfile: (name) => loadProfile(name) });
  const chosen = cases.find((c) => c.load !== undefined);
  if (!chosen || !chosen.load) {
    throw ccError('CC_ERR_SCENARIO_INVALID', { path: file, line: 1, column: 1, reason: 'no case in this file has a load: section', hint: 'see docs/load.md for the load scenario format' });
  }
  const profile = loadProfile(profileName ?? chosen.profile);
  const plan = parseLoadSection(chosen.load, { id: chosen.id, title: chosen.title }, { file, line: chosen.line }, profile);
  return { file, case: chosen, profile, plan };
}
