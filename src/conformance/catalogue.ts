/**
 * The catalogue of the bundled conformance cases (scenarios/conformance/<profile>/): one entry per
 * case with its stable id, spec sections, rule strength, one-line description, its source (the seed,
 * or the decision whose reading or choice it tests) and the decisions it relies on. `chat-conform list` prints it; docs/conformance.md is generated from it.
 */
import { join, relative } from 'node:path';
import { loadProfile } from '../profile/load.js';
import type { CaseSource, RuleStrength } from '../report/model.js';
import { caseSourceOf, resolveSource } from '../scenario/check-source.js';
import { walk } from '../scenario/discover.js';
import { loadScenarioFile } from '../scenario/parse.js';
import { SUITE_PROFILES, type SuiteProfile } from './suite.js';

export interface CatalogueEntry {
  id: string;
  profile: SuiteProfile;
  /** Spec sections (`§5.1`, or the seed's headings for the envelope and OpenIRC). */
  sections: string[];
  strength: RuleStrength;
  /** The case's title: one line. */
  description: string;
  /** What the case's checks rest on: the seed, or a decision and its class. */
  source: CaseSource;
  decisions: string[];
  tags: string[];
  /** Transports the case is written for; absent: every transport of the profile. */
  transports?: string[];
  /** Run variables the case needs (e.g. `admin_url`); without them it is not checked. */
  requires?: string[];
  /** Path relative to the package root, and the line of the case. */
  file: string;
  line: number;
}

/** Every bundled case, ordered by profile (assa, envelope, openirc), then file, then position. */
export function loadCatalogue(packageRoot: string, profile?: SuiteProfile): CatalogueEntry[] {
  const profiles = profile ? [profile] : SUITE_PROFILES;
  const entries: CatalogueEntry[] = [];
  for (const p of profiles) {
    const dir = join(packageRoot, 'scenarios', 'conformance', p);
    for (const file of walk(dir)) {
      const shown = relative(packageRoot, file);
      for (const c of loadScenarioFile(file, { defaultProfile: p, resolveProfile: loadProfile }, shown)) {
        entries.push({
          id: c.id, profile: p, sections: c.specSections, strength: c.strength, description: c.title,
          source: caseSourceOf(resolveSource(c.source, c.profileDef)), decisions: c.decisions, tags: c.tags, ...(c.transports ? { transports: c.transports } : {}),
          ...(c.requires.length ? { requires: [...c.requires] } : {}), file: shown, line: c.line,
        });
      }
    }
  }
  return entries;
}

/** How a case's source reads in a list: `seed`, or the decision id with its class. */
export function sourceLabel(source: CaseSource): string {
  return source.decision ? `${source.decision} (${source.kind})` : 'seed';
}
