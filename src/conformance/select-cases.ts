/**
 * Which cases a conformance run runs: the scenario files found (or the profile's bundled suite),
 * every one parsed before anything connects (a typo fails fast, exit 2), then narrowed by grep,
 * tags, the transports the target offers and the run's profile. Each case skipped is said in a note.
 */
import { isAbsolute, join, relative } from 'node:path';
import { ccError } from '../errors.js';
import { DEFAULT_PROFILE } from '../profile/default.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import { findScenarioFiles, walk } from '../scenario/discover.js';
import type { ScenarioCase } from '../scenario/model.js';
import { loadScenarioFile } from '../scenario/parse.js';
import type { TargetOffer } from '../transport/target.js';

export interface CaseSelection {
  /** Files, folders or globs; empty: the profile's bundled suite, else the bundled examples. */
  paths?: string[];
  /** Where bundled schemas/ and scenarios/ live. */
  packageRoot: string;
  cwd?: string;
  /** Profile of the target and of cases that name none (absent: DEFAULT_PROFILE, and cases of every profile may run on an embedded server). */
  profile?: Profile;
  /** Only cases whose id or title matches. */
  grep?: string;
  /** Only cases with one of these tags. */
  tags?: string[];
  /** One-line notes for the user (the cases skipped and why). */
  onNote?: (text: string) => void;
}

/** The cases to run against a target that offers `offer`; CC_ERR_NO_SCENARIOS when none is left. */
export function loadRunCases(options: CaseSelection, offer: TargetOffer): ScenarioCase[] {
  const cwd = options.cwd ?? process.cwd();
  const runProfile = runProfileOf(options);
  const files = options.paths && options.paths.length > 0 ? findScenarioFiles(options.paths, cwd) : bundledScenarios(options.packageRoot, runProfile.name);
  const cases = selectCases(parseCases(files, cwd, runProfile), options, offer, runProfile);
  if (cases.length === 0) throw ccError('CC_ERR_NO_SCENARIOS', { pattern: describeSelection(options) });
  return cases;
}

/** The run's profile: the one given, else DEFAULT_PROFILE. */
export function runProfileOf(options: Pick<CaseSelection, 'profile'>): Profile {
  return options.profile ?? loadProfile(DEFAULT_PROFILE);
}

function parseCases(files: string[], cwd: string, defaultProfile: Profile): ScenarioCase[] {
  const cases: ScenarioCase[] = [];
  for (const file of files) {
    // Relative to the working directory when below it, so reports and errors read naturally.
    const rel = relative(cwd, file);
    const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
    cases.push(...loadScenarioFile(file, { defaultProfile }, shown));
  }
  const seen = new Map<string, ScenarioCase>();
  for (const c of cases) {
    const first = seen.get(c.id);
    if (first) {
      throw ccError('CC_ERR_SCENARIO_INVALID', { path: c.file, line: c.line, column: 1, reason: `duplicate case id ${c.id} (also at ${first.file}:${first.line})`, hint: 'give every case its own id' });
    }
    seen.set(c.id, c);
  }
  return cases;
}

function selectCases(cases: ScenarioCase[], options: CaseSelection, offer: TargetOffer, runProfile: Profile): ScenarioCase[] {
  const note = options.onNote;
  // Load cases (a `load:` section and no steps) belong to `chat-conform load`.
  const loadOnly = cases.filter((c) => c.load !== undefined && c.steps.length === 0);
  if (loadOnly.length > 0) note?.(`skipping ${loadOnly.length} load case(s) without steps: run them with \`chat-conform load\``);
  let selected = cases.filter((c) => !loadOnly.includes(c));
  if (options.grep) {
    let re: RegExp;
    try {
      re = new RegExp(options.grep);
    } catch (err) {
      throw ccError('CC_ERR_USAGE', { detail: `the grep pattern ${JSON.stringify(options.grep)} is not a regular expression: ${(err as Error).message}` });
    }
    selected = selected.filter((c) => re.test(c.id) || re.test(c.title));
  }
  if (options.tags && options.tags.length > 0) {
    const tags = new Set(options.tags);
    selected = selected.filter((c) => c.tags.some((t) => tags.has(t)));
  }
  // A case that states its transports (a rule decided per transport) runs only over one of them:
  // a URL offers its own, the embedded server every one it serves the profile on.
  const offered = (c: ScenarioCase): readonly string[] => offer.transports(c.profileDef.name);
  const elsewhere = selected.filter((c) => c.transports !== undefined && !c.transports.some((t) => offered(c).includes(t)));
  if (elsewhere.length > 0) {
    note?.(`skipping ${elsewhere.length} case(s) written for another transport: ${elsewhere.map((c) => `${c.id} (${(c.transports ?? []).join(', ')})`).join(', ')}`);
    selected = selected.filter((c) => !elsewhere.includes(c));
  }
  // A URL speaks one protocol: cases of other profiles cannot run against it.
  if (!offer.embedded || options.profile !== undefined) {
    const other = selected.filter((c) => c.profileDef.name !== runProfile.name);
    if (other.length > 0) {
      note?.(`skipping ${other.length} case(s) of other profiles (${[...new Set(other.map((c) => c.profile))].join(', ')}): the run's profile is ${runProfile.name}`);
      selected = selected.filter((c) => !other.includes(c));
    }
  }
  return selected;
}

function describeSelection(options: CaseSelection): string {
  const parts = [options.paths?.length ? options.paths.join(' ') : 'the bundled scenarios'];
  if (options.grep) parts.push(`--grep ${options.grep}`);
  if (options.tags?.length) parts.push(`--tag ${options.tags.join(',')}`);
  if (options.profile) parts.push(`--profile ${options.profile.name}`);
  return parts.join(' ');
}

/** `scenarios/conformance/<profile>/` when it has files, else `scenarios/examples/`. */
export function bundledScenarios(packageRoot: string, profile: string): string[] {
  for (const dir of [join(packageRoot, 'scenarios', 'conformance', profile), join(packageRoot, 'scenarios', 'examples')]) {
    let files: string[] = [];
    try {
      files = walk(dir);
    } catch {
      continue;
    }
    if (files.length > 0) return files;
  }
  throw ccError('CC_ERR_NO_SCENARIOS', { pattern: `scenarios/conformance/${profile}/ or scenarios/examples/ under ${packageRoot}` });
}
