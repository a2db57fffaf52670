/**
 * `runScenarios`: the library behind `chat-conform run`: many cases, each run by runCase
 * (src/scenario/run-case.ts) and judged by the verdict rules (./verdict.ts). Finds and parses the scenarios (every
 * file before anything connects, so a typo fails fast with exit 2), starts the embedded reference
 * server when there is no target, runs the cases concurrently under a bound, and returns the
 * canonical RunReport.
 */
import { isAbsolute, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveSigningKey, type JwtSigningKey } from '../auth/tokens.js';
import { ccError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import type { CaseResult, RunReport } from '../report/model.js';
import { reportHeader } from '../report/header.js';
import { toolVersion } from '../util/version.js';
import { summariseRun } from '../report/run-summary.js';
import type { Reporter } from '../reporters/types.js';
import { parseTarget } from '../transport/target.js';
import { formatDuration } from '../util/duration.js';
import { createChecker, type MessageChecker } from '../scenario/checker.js';
import { findScenarioFiles, walk } from '../scenario/discover.js';
import type { CaseJudge } from '../scenario/judge.js';
import type { ScenarioCase } from '../scenario/model.js';
import { loadScenarioFile } from '../scenario/parse.js';
import { runCase, type CaseEnvironment } from '../scenario/run-case.js';
import { caseVerdict, verdictForBrokenRule } from './verdict.js';

export interface RunScenariosOptions {
  /** Files, folders or globs; empty: the profile's bundled suite, else the bundled examples. */
  paths?: string[];
  /** Where bundled schemas/ and scenarios/ live. */
  packageRoot: string;
  cwd?: string;
  /** URL of the server under test; absent: the embedded reference server. */
  target?: string;
  /**
   * `${admin_url}`: an HTTP endpoint that makes the target act (the reference server's
   * `POST /admin/announce`). Absent with an embedded server: the embedded server's own. Absent
   * otherwise: cases that require it are INFORMATIONAL, not checked.
   */
  adminUrl?: string;
  /** Profile of the target and of cases that name none (default assa). */
  profile?: string;
  /** The key the clients' tokens are signed with (default: resolveSigningKey(): the environment's, else the development secret). */
  signingKey?: JwtSigningKey;
  /** Only cases whose id or title matches. */
  grep?: string;
  /** Only cases with one of these tags. */
  tags?: string[];
  /** Start no new case after the first FAIL or ERROR. */
  bail?: boolean;
  /** NON-STRICT counts as failure for the exit code. */
  strict?: boolean;
  /** Cases run at once (default 16: timer cases with the spec's real timers mostly wait, side by side). */
  concurrency?: number;
  /** Timer and limit overrides, applied to the profile (and to the embedded server). */
  timers?: { pingInterval?: number; pongTimeout?: number; connectTimeout?: number; responseTimeout?: number };
  limits?: { maxTextChars?: number; maxMessageBytes?: number; maxConnections?: number };
  lenient?: boolean;
  insecure?: boolean;
  reporters?: Reporter[];
  /** One-line notes for the user (skipped cases, the embedded server's address). */
  onNote?: (text: string) => void;
}

/** Deadline for opening a transport connection (TCP connect plus WebSocket handshake or HTTP login). */
const TRANSPORT_CONNECT_TIMEOUT = 5_000;

export const DEFAULT_CONCURRENCY = 16;

/** The verdict rules every case of a conformance run is judged by. */
export const CONFORMANCE_JUDGE: CaseJudge = { brokenRule: verdictForBrokenRule, caseVerdict };

/**
 * Timers of the embedded reference server when the run sets none: short, so the bundled suite's
 * timer cases (pong timeout, connect timeout, ping cadence) take about a second instead of the
 * spec's 30 to 60 s. `--ping-interval 30s --pong-timeout 60s --connect-timeout 30s` restores them.
 */
export const EMBEDDED_TIMERS = { pingInterval: 300, pongTimeout: 1000, connectTimeout: 1000 } as const;

export async function runScenarios(input: RunScenariosOptions): Promise<RunReport> {
  const embeddedTimers = input.target === undefined ? { ...EMBEDDED_TIMERS, ...strip(input.timers) } : undefined;
  const options: RunScenariosOptions = embeddedTimers ? { ...input, timers: embeddedTimers } : input;
  const startedAt = new Date();
  const t0 = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const runProfileName = options.profile ?? 'assa';
  const runProfile = loadProfile(runProfileName);
  const signingKey = options.signingKey ?? resolveSigningKey();

  const files = options.paths && options.paths.length > 0 ? findScenarioFiles(options.paths, cwd) : bundledScenarios(options.packageRoot, runProfile.name);
  let cases = loadCases(files, cwd, options.profile ?? 'assa');
  cases = selectCases(cases, options, runProfile, options.onNote);
  if (cases.length === 0) throw ccError('CC_ERR_NO_SCENARIOS', { pattern: describeSelection(options) });

  const embedded = options.target === undefined;
  if (!embedded) parseTarget(toTransportUrl(options.target as string));
  if (!embedded && options.adminUrl === undefined) {
    // Said up front as well as in each case's finding: the console shows INFORMATIONAL cases on one line.
    const unchecked = cases.filter((c) => c.requires.includes('admin_url')).map((c) => c.id);
    if (unchecked.length > 0) options.onNote?.(`${unchecked.length} case(s) need --admin-url and are not checked without it (INFORMATIONAL): ${unchecked.join(', ')}`);
  }
  const server = embedded ? await startEmbedded(cases, options, signingKey) : undefined;
  try {
    if (server) {
      const t = options.timers ?? {};
      options.onNote?.(`embedded reference server: ${Object.values(server.urls).filter(Boolean).join(' ')} (ping ${formatDuration(t.pingInterval ?? 0)}, pong timeout ${formatDuration(t.pongTimeout ?? 0)}, connect timeout ${formatDuration(t.connectTimeout ?? 0)})`);
    }
    const reporters = options.reporters ?? [];
    const effectiveOptions = describeOptions(options, signingKey);
    // The report names one target: the run profile's, or (embedded, other profiles only) the first case's.
    const reportProfile = cases.some((c) => loadProfile(c.profile).name === runProfile.name) ? runProfile : loadProfile((cases[0] as ScenarioCase).profile);
    const targetUrl = server ? server.urlFor(reportProfile.name) : (options.target as string);
    for (const r of reporters) await r.onRunStart?.({ command: 'run', profile: profileLabel(cases), target: { url: targetUrl, embedded }, startedAt: startedAt.toISOString(), totalCases: cases.length, options: effectiveOptions });

    const checkers = new Map<string, MessageChecker>();
    const runId = `${startedAt.getTime().toString(36)}${process.pid.toString(36)}`;
    const results: (CaseResult | undefined)[] = new Array<CaseResult | undefined>(cases.length);
    let next = 0;
    let stop = false;
    // Cases tagged `exclusive` (a connection-count rule) run last and alone: nothing else holds
    // connections on the server while they do.
    const exclusive = (c: ScenarioCase): boolean => c.tags.includes('exclusive');
    const order = [...cases.keys()].sort((a, b) => Number(exclusive(cases[a] as ScenarioCase)) - Number(exclusive(cases[b] as ScenarioCase)) || a - b);
    let inFlight = 0;
    let alone = false;
    const worker = async (): Promise<void> => {
      while (!stop && next < cases.length) {
        const index = order[next++] as number;
        const scenario = cases[index] as ScenarioCase;
        const solo = exclusive(scenario);
        while (alone || (solo && inFlight > 0)) await new Promise((r) => setTimeout(r, 20));
        if (solo) alone = true;
        inFlight++;
        const profile = loadProfile(scenario.profile);
        let checker = checkers.get(profile.name);
        if (!checker) {
          checker = createChecker(profile);
          checkers.set(profile.name, checker);
        }
        for (const r of reporters) await r.onCaseStart?.({ id: scenario.id, title: scenario.title, index: index + 1, total: cases.length });
        const caseEnv: CaseEnvironment = {
          profile: withOverrides(profile, options),
          targetUrl: server ? embeddedTarget(server, scenario, profile) : (options.target as string),
          targets: server ? server.targetsFor(profile.name) : { [urlScheme(options.target as string)]: options.target as string },
          signingKey,
          judge: CONFORMANCE_JUDGE,
          checker,
          responseTimeout: options.timers?.responseTimeout ?? profile.timers.responseTimeout ?? 10_000,
          connectTimeout: TRANSPORT_CONNECT_TIMEOUT,
          maxInboundBytes: Math.max(4 * 1024 * 1024, 2 * (options.limits?.maxMessageBytes ?? profile.limits.maxMessageBytes ?? 0)),
          insecure: options.insecure ?? false,
          lenient: options.lenient ?? false,
          runId: `${runId}-${index}`,
        };
        const adminUrl = options.adminUrl ?? server?.adminUrl;
        if (adminUrl !== undefined) caseEnv.adminUrl = adminUrl;
        const result = await runCase(scenario, caseEnv).finally(() => {
          inFlight--;
          if (solo) alone = false;
        });
        results[index] = result;
        for (const r of reporters) await r.onCaseEnd?.(result);
        if (options.bail && (result.verdict === 'FAIL' || result.verdict === 'ERROR')) stop = true;
      }
    };
    const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, cases.length));
    await Promise.all(Array.from({ length: concurrency }, () => worker()));

    const done = results.filter((r): r is CaseResult => r !== undefined);
    const finishedAt = new Date();
    const report: RunReport = {
      ...reportHeader('run', startedAt, finishedAt, { url: targetUrl, embedded }, profileLabel(cases), toolVersion(options.packageRoot)),
      durationMs: Math.round(performance.now() - t0),
      options: effectiveOptions,
      summary: summariseRun(done, [], { strict: options.strict ?? false }),
      cases: done,
      coverage: coverageOf(done, [...new Set(cases.map((c) => c.profile))].map((p) => loadProfile(p))),
    };
    for (const r of reporters) await r.onRunEnd?.(report);
    return report;
  } finally {
    await server?.close();
  }
}

function loadCases(files: string[], cwd: string, defaultProfile: string): ScenarioCase[] {
  const cases: ScenarioCase[] = [];
  for (const file of files) {
    // Relative to the working directory when below it, so reports and errors read naturally.
    const rel = relative(cwd, file);
    const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
    cases.push(...loadScenarioFile(file, { defaultProfile, resolveProfile: loadProfile }, shown));
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

function selectCases(cases: ScenarioCase[], options: RunScenariosOptions, runProfile: Profile, note?: (text: string) => void): ScenarioCase[] {
  // Load cases (a `load:` section and no steps) belong to `chat-conform load`.
  const loadOnly = cases.filter((c) => c.load !== undefined && c.steps.length === 0);
  if (loadOnly.length > 0) note?.(`skipping ${loadOnly.length} load case(s) without steps: run them with \`chat-conform load\``);
  let selected = cases.filter((c) => !loadOnly.includes(c));
  if (options.grep) {
    let re: RegExp;
    try {
      re = new RegExp(options.grep);
    } catch (err) {
      throw ccError('CC_ERR_BAD_FLAG', { value: JSON.stringify(options.grep), flag: '--grep', reason: (err as Error).message, command: 'run' });
    }
    selected = selected.filter((c) => re.test(c.id) || re.test(c.title));
  }
  if (options.tags && options.tags.length > 0) {
    const tags = new Set(options.tags);
    selected = selected.filter((c) => c.tags.some((t) => tags.has(t)));
  }
  // A case that states its transports (a rule decided per transport) runs only over one of them:
  // an explicit target offers its own scheme, the embedded server every scheme it serves the profile on.
  const schemesFor = (c: ScenarioCase): readonly string[] => (options.target !== undefined ? [schemeOf(options.target)] : EMBEDDED_SCHEMES[loadProfile(c.profile).name] ?? []);
  const elsewhere = selected.filter((c) => c.transports !== undefined && !c.transports.some((t) => schemesFor(c).includes(t)));
  if (elsewhere.length > 0) {
    note?.(`skipping ${elsewhere.length} case(s) written for another transport: ${elsewhere.map((c) => `${c.id} (${(c.transports ?? []).join(', ')})`).join(', ')}`);
    selected = selected.filter((c) => !elsewhere.includes(c));
  }
  // A target speaks one protocol: cases of other profiles cannot run against it.
  if (options.target !== undefined || options.profile !== undefined) {
    const other = selected.filter((c) => loadProfile(c.profile).name !== runProfile.name);
    if (other.length > 0) {
      note?.(`skipping ${other.length} case(s) of other profiles (${[...new Set(other.map((c) => c.profile))].join(', ')}): the run's profile is ${runProfile.name}`);
      selected = selected.filter((c) => !other.includes(c));
    }
  }
  return selected;
}

function describeSelection(options: RunScenariosOptions): string {
  const parts = [options.paths?.length ? options.paths.join(' ') : 'the bundled scenarios'];
  if (options.grep) parts.push(`--grep ${options.grep}`);
  if (options.tags?.length) parts.push(`--tag ${options.tags.join(',')}`);
  if (options.profile) parts.push(`--profile ${options.profile}`);
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

/** The set values of an override object (flags left out are undefined). */
function strip<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Overrides of timers and limits land in the profile the case sees (a copy). */
function withOverrides(profile: Profile, options: RunScenariosOptions): Profile {
  if (!options.timers && !options.limits) return profile;
  return { ...profile, timers: { ...profile.timers, ...strip(options.timers) }, limits: { ...profile.limits, ...strip(options.limits) } };
}

function profileLabel(cases: ScenarioCase[]): string {
  return [...new Set(cases.map((c) => c.profile))].join(',');
}

/** The transport scheme of a target URL (`tcp`, `ws`, …); OpenIRC's http(s) login leads to ws(s). */
function schemeOf(url: string): string {
  const scheme = /^([a-z+]+):/i.exec(toTransportUrl(url))?.[1]?.toLowerCase();
  return scheme ?? 'tcp';
}

/** An http(s) target (OpenIRC's login) is checked as the WebSocket URL it leads to. */
function toTransportUrl(url: string): string {
  return url.replace(/^http(s?):/, 'ws$1:');
}

function describeOptions(options: RunScenariosOptions, key: JwtSigningKey): Record<string, unknown> {
  const out: Record<string, unknown> = {
    paths: options.paths ?? [],
    profile: options.profile ?? 'assa',
    auth: { algorithm: key.algorithm, keyFrom: key.source },
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    strict: options.strict ?? false,
    bail: options.bail ?? false,
    lenient: options.lenient ?? false,
    insecure: options.insecure ?? false,
  };
  if (options.target) out.target = options.target;
  if (options.adminUrl) out.adminUrl = options.adminUrl;
  if (options.grep) out.grep = options.grep;
  if (options.tags?.length) out.tags = options.tags;
  if (options.timers) out.timers = strip(options.timers);
  if (options.limits) out.limits = strip(options.limits);
  return out;
}

function coverageOf(cases: CaseResult[], profiles: Profile[]): NonNullable<RunReport['coverage']> {
  const counts = new Map<string, { sent: number; received: number }>();
  for (const p of profiles) {
    for (const m of p.messages) counts.set(`${p.name}:${m.direction}:${m.name}`, { sent: 0, received: 0 });
  }
  const ids = new Map<string, string>();
  for (const p of profiles) for (const m of p.messages) ids.set(`${p.name}:${m.direction}:${m.name}`, profiles.length > 1 ? `${p.name}:${m.id}` : m.id);
  let unmatched = 0;
  for (const c of cases) {
    for (const t of c.transcript) {
      if (t.event && t.event !== 'heartbeat') continue;
      const key = `${c.profile}:${t.direction === 'out' ? 'client' : 'server'}:${t.message ?? ''}`;
      const entry = counts.get(key);
      if (!entry) {
        unmatched += 1;
        continue;
      }
      if (t.direction === 'out') entry.sent += 1;
      else entry.received += 1;
    }
  }
  // An operation counts once per request of it that was sent.
  const operations = profiles.flatMap((p) => p.operations.map((op) => {
    const request = p.messages.find((m) => m.id === op.request);
    const sent = request ? (counts.get(`${p.name}:${request.direction}:${request.name}`)?.sent ?? 0) : 0;
    return { id: profiles.length > 1 ? `${p.name}:${op.id}` : op.id, count: sent };
  }));
  return {
    messages: [...counts.entries()].map(([key, v]) => ({ id: ids.get(key) ?? key, sent: v.sent, received: v.received })),
    unmatched,
    operations,
  };
}


/** Schemes the embedded reference server serves each profile on (OpenIRC: ws after its HTTP login). */
const EMBEDDED_SCHEMES: Readonly<Record<string, readonly string[]>> = { assa: ['tcp', 'ws'], envelope: ['ws'], openirc: ['ws'] };

/** The embedded URL for a case: the first of its stated transports the server offers, else the profile's default. */
function embeddedTarget(server: EmbeddedServer, scenario: ScenarioCase, profile: Profile): string {
  const urls = server.targetsFor(profile.name);
  const wanted = scenario.transports?.find((t) => urls[t] !== undefined && !(profile.auth.kind === 'http-login' && t === 'ws'));
  return wanted ? (urls[wanted] as string) : server.urlFor(profile.name);
}

/** The scheme as written (`http` stays `http`): the key of `${targets.<scheme>}`. */
function urlScheme(url: string): string {
  return url.slice(0, Math.max(0, url.indexOf(':'))).toLowerCase();
}

interface EmbeddedServer {
  /** The client-facing URLs (the admin endpoint is not one of them). */
  urls: Record<string, string | undefined>;
  /** The loopback admin endpoint, `${admin_url}` of every case. */
  adminUrl: string;
  urlFor(profile: string): string;
  /** Every URL of a profile by scheme. */
  targetsFor(profile: string): Record<string, string>;
  close(): Promise<void>;
}

/** The reference server on ephemeral loopback ports, with the run's timers, limits and key. */
async function startEmbedded(cases: ScenarioCase[], options: RunScenariosOptions, key: JwtSigningKey): Promise<EmbeddedServer> {
  const { startReferenceServer } = await import('../../reference-server/server.js');
  const wanted = [...new Set(cases.map((c) => loadProfile(c.profile).name))];
  const known = ['assa', 'envelope', 'openirc'] as const;
  const profiles = wanted.filter((p): p is (typeof known)[number] => (known as readonly string[]).includes(p));
  const server = await startReferenceServer({
    profiles: profiles.length > 0 ? profiles : 'assa',
    jwt: key.algorithm === 'HS256' ? { secret: String(key.key) } : { publicKey: key.publicKeyPem as string },
    timers: strip(options.timers),
    limits: strip(options.limits),
  });
  const urls = server.urls as unknown as Record<string, string | undefined>;
  return {
    urls: { ...urls, adminHttp: undefined },
    adminUrl: server.urls.adminHttp,
    urlFor(profile: string): string {
      const url = profile === 'assa' ? urls.assaTcp : profile === 'envelope' ? urls.envelopeWs : profile === 'openirc' ? urls.openircHttp : undefined;
      if (!url) throw ccError('CC_ERR_USAGE', { detail: `the embedded reference server does not serve profile ${profile}; pass --target` });
      return url;
    },
    targetsFor(profile: string): Record<string, string> {
      const list = profile === 'assa' ? [urls.assaTcp, urls.assaWs] : profile === 'envelope' ? [urls.envelopeWs] : profile === 'openirc' ? [urls.openircHttp, urls.openircWs] : [];
      return Object.fromEntries(list.filter((u): u is string => u !== undefined).map((u) => [urlScheme(u), u]));
    },
    close: () => server.close(),
  };
}
