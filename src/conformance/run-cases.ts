/**
 * `runCases`: the library behind `chat-conform run`. Runs the cases (select-cases.ts) against a
 * target concurrently under a bound, never two that share a user or a room at once (isolation.ts,
 * schedule.ts), each by runCase (src/scenario/run-case.ts) and judged by the
 * verdict rules (./verdict.ts), and returns the canonical RunReport. The target is given: a URL,
 * or the reference server its caller started (src/embedded/).
 */
import { performance } from 'node:perf_hooks';
import { resolveSigningKey, type JwtSigningKey } from '../auth/tokens.js';
import { ccError } from '../errors.js';
import type { Profile } from '../profile/types.js';
import type { DecisionPolicy } from '../spec/source.js';
import type { CaseResult, RunReport } from '../report/model.js';
import { reportHeader } from '../report/header.js';
import { definedOnly } from '../util/defined.js';
import { toolVersion } from '../util/version.js';
import { rootCausesOf } from '../report/root-causes.js';
import { summariseRun } from '../report/run-summary.js';
import { ShapeCollector } from '../report/shapes.js';
import type { Reporter } from '../reporters/types.js';
import { transportDefaults } from '../transport/profile-defaults.js';
import { entryUrl, offerOf, type RunTarget } from '../transport/target.js';
import { createChecker, type MessageChecker } from '../scenario/checker.js';
import type { CaseJudge } from '../scenario/judge.js';
import type { ScenarioCase } from '../scenario/model.js';
import { runCase, type CaseEnvironment } from '../scenario/run-case.js';
import { coverageOf } from './coverage.js';
import { footprintOf, overlaps, type CaseFootprint } from './isolation.js';
import { runScheduled } from './schedule.js';
import { loadRunCases, runProfileOf, type CaseSelection } from './select-cases.js';
import { capVerdict, caseVerdict, verdictForBrokenRule } from './verdict.js';

export interface RunScenariosOptions extends CaseSelection {
  /** The server under test: `urlTarget(url)`, or an embedded one (src/embedded/). Its owner closes it. */
  target: RunTarget;
  /**
   * `${admin_url}`: an HTTP endpoint that makes the target act (the reference server's
   * `POST /admin/announce`). Absent: the target's own (the embedded server has one); absent
   * both, cases that require it are INFORMATIONAL, not checked.
   */
  adminUrl?: string;
  /** The key the clients' tokens are signed with (default: resolveSigningKey(): the environment's, else the development secret). */
  signingKey?: JwtSigningKey;
  /** Start no new case after the first FAIL or ERROR. */
  bail?: boolean;
  /** NON-STRICT counts as failure for the exit code. */
  strict?: boolean;
  /**
   * `cap`: a check resting on a decision is capped by its class (a reading NON-STRICT, a choice
   * INFORMATIONAL); `enforce`: the decisions are the contract, and their deviations FAIL.
   * Absent: each case's profile's `decisionPolicy` (the bundled profiles: cap).
   */
  decisions?: DecisionPolicy;
  /** Cases run at once (default 16: timer cases with the spec's real timers mostly wait, side by side). */
  concurrency?: number;
  /** Timer and limit overrides, applied to the profile the cases see. */
  timers?: { pingInterval?: number; pongTimeout?: number; connectTimeout?: number; responseTimeout?: number };
  limits?: { maxTextChars?: number; maxMessageBytes?: number; maxConnections?: number };
  lenient?: boolean;
  insecure?: boolean;
  reporters?: Reporter[];
}

/**
 * Deadline for opening a transport connection (TCP connect plus WebSocket handshake or HTTP login).
 * Not the profile's connectTimeout: in a conformance run that is the server's CONNECT deadline
 * under test (a second on the embedded server), not how long a client may take to open.
 */
const TRANSPORT_CONNECT_TIMEOUT = 5_000;

export const DEFAULT_CONCURRENCY = 16;

/** The verdict rules every case of a conformance run is judged by. */
export const CONFORMANCE_JUDGE: CaseJudge = { brokenRule: verdictForBrokenRule, caseVerdict, cap: capVerdict };

/** Selects the cases (select-cases.ts) the target can serve, then runs them. */
export async function runScenarios(options: RunScenariosOptions): Promise<RunReport> {
  return runCases(loadRunCases(options, offerOf(options.target)), options);
}

/** Runs cases that loadRunCases chose for this target. */
export async function runCases(cases: ScenarioCase[], options: RunScenariosOptions): Promise<RunReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const runProfile = runProfileOf(options);
  const signingKey = options.signingKey ?? resolveSigningKey();
  const target = options.target;
  const adminUrl = options.adminUrl ?? target.adminUrl;
  if (adminUrl === undefined) {
    // Said up front as well as in each case's finding: the console shows INFORMATIONAL cases on one line.
    const unchecked = cases.filter((c) => c.requires.includes('admin_url')).map((c) => c.id);
    if (unchecked.length > 0) options.onNote?.(`${unchecked.length} case(s) need --admin-url and are not checked without it (INFORMATIONAL): ${unchecked.join(', ')}`);
  }
  const reporters = options.reporters ?? [];
  const effectiveOptions = describeOptions(options, runProfile, signingKey);
  // The report names one target: the run profile's, or (embedded, other profiles only) the first case's.
  const reportProfile = cases.some((c) => c.profileDef.name === runProfile.name) ? runProfile : (cases[0] as ScenarioCase).profileDef;
  const targetUrl = urlOf(target, reportProfile);
  const embedded = target.embedded;
  for (const r of reporters) await r.onRunStart?.({ command: 'run', profile: profileLabel(cases), target: { url: targetUrl, embedded }, startedAt: startedAt.toISOString(), totalCases: cases.length, options: effectiveOptions });

  const checkers = new Map<string, MessageChecker>();
  // Every schema finding of the run, once per shape, subject of a case or not.
  const shapes = new ShapeCollector();
  const runId = `${startedAt.getTime().toString(36)}${process.pid.toString(36)}`;
  const results: (CaseResult | undefined)[] = new Array<CaseResult | undefined>(cases.length);
  let stop = false;
  const footprints = new Map(cases.map((c) => [c, footprintOf(c, withOverrides(c.profileDef, options))]));
  const schedule = {
    concurrency: Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, cases.length),
    // A connection-count rule holds the server's connections: nothing else may hold any meanwhile.
    exclusive: (c: ScenarioCase) => c.tags.includes('exclusive'),
    // Cases that share a user or a room would see each other's traffic (./isolation.ts).
    conflict: (a: ScenarioCase, b: ScenarioCase) => overlaps(footprints.get(a) as CaseFootprint, footprints.get(b) as CaseFootprint),
    stopped: () => stop,
  };
  await runScheduled(cases, schedule, async (scenario, index) => {
    const profile = scenario.profileDef;
    let checker = checkers.get(profile.name);
    if (!checker) {
      checker = createChecker(profile);
      checkers.set(profile.name, checker);
    }
    const caseProfile = withOverrides(profile, options);
    const connection = transportDefaults(caseProfile, { connectTimeout: TRANSPORT_CONNECT_TIMEOUT });
    for (const r of reporters) await r.onCaseStart?.({ id: scenario.id, title: scenario.title, index: index + 1, total: cases.length });
    const caseEnv: CaseEnvironment = {
      profile: caseProfile,
      target: { url: urlOf(target, profile, scenario.transports), urls: target.urls(profile.name) },
      signingKey,
      judge: CONFORMANCE_JUDGE,
      checker,
      shapes,
      responseTimeout: connection.responseTimeout,
      connectTimeout: connection.connect.connectTimeout,
      maxInboundBytes: connection.connect.maxInboundBytes,
      insecure: options.insecure ?? false,
      lenient: options.lenient ?? false,
      runId: `${runId}-${index}`,
      ...(options.decisions === undefined ? {} : { decisionPolicy: options.decisions }),
    };
    if (adminUrl !== undefined) caseEnv.adminUrl = adminUrl;
    const result = await runCase(scenario, caseEnv);
    results[index] = result;
    for (const r of reporters) await r.onCaseEnd?.(result);
    if (options.bail && (result.verdict === 'FAIL' || result.verdict === 'ERROR')) stop = true;
  });

  const done = results.filter((r): r is CaseResult => r !== undefined);
  const shapeList = shapes.result();
  const finishedAt = new Date();
  const report: RunReport = {
    ...reportHeader('run', startedAt, finishedAt, { url: targetUrl, embedded }, profileLabel(cases), toolVersion(options.packageRoot)),
    durationMs: Math.round(performance.now() - t0),
    options: effectiveOptions,
    summary: summariseRun(done, [], { strict: options.strict ?? false, shapes: shapeList }),
    cases: done,
    rootCauses: rootCausesOf(done, { target: targetUrl }),
    shapes: shapeList,
    coverage: coverageOf(done, [...new Map(cases.map((c) => [c.profile, c.profileDef])).values()]),
  };
  for (const r of reporters) await r.onRunEnd?.(report);
  return report;
}

/** Overrides of timers and limits land in the profile the case sees (a copy). */
function withOverrides(profile: Profile, options: RunScenariosOptions): Profile {
  if (!options.timers && !options.limits) return profile;
  return { ...profile, timers: { ...profile.timers, ...definedOnly(options.timers) }, limits: { ...profile.limits, ...definedOnly(options.limits) } };
}

function profileLabel(cases: ScenarioCase[]): string {
  return [...new Set(cases.map((c) => c.profile))].join(',');
}

/** Where a profile's clients start on the target: CC_ERR_USAGE when it does not serve the profile. */
function urlOf(target: RunTarget, profile: Profile, transports?: readonly string[]): string {
  const url = entryUrl(target.urls(profile.name), transports);
  if (url === undefined) throw ccError('CC_ERR_USAGE', { detail: `the target does not serve profile ${profile.name}` });
  return url;
}

function describeOptions(options: RunScenariosOptions, runProfile: Profile, key: JwtSigningKey): Record<string, unknown> {
  const out: Record<string, unknown> = {
    paths: options.paths ?? [],
    profile: runProfile.name,
    auth: { algorithm: key.algorithm, keyFrom: key.source },
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    strict: options.strict ?? false,
    decisions: options.decisions ?? runProfile.decisionPolicy,
    bail: options.bail ?? false,
    lenient: options.lenient ?? false,
    insecure: options.insecure ?? false,
  };
  if (!options.target.embedded) out.target = urlOf(options.target, runProfile);
  if (options.adminUrl) out.adminUrl = options.adminUrl;
  if (options.grep) out.grep = options.grep;
  if (options.tags?.length) out.tags = options.tags;
  if (options.timers) out.timers = definedOnly(options.timers);
  if (options.limits) out.limits = definedOnly(options.limits);
  return out;
}
