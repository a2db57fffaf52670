import { InvalidArgumentError, Option, type Command } from 'commander';
import type { JwtSigningKey } from '../../auth/tokens.js';
import { EMBEDDED_OFFER, EMBEDDED_TIMERS, servesProfile, startEmbeddedTarget, type EmbeddedTarget } from '../../embedded/target.js';
import { ccError } from '../../errors.js';
import type { Profile } from '../../profile/types.js';
import type { ScenarioCase } from '../../scenario/model.js';
import type { DecisionPolicy } from '../../spec/source.js';
import type { RunTarget } from '../../transport/target.js';
import { definedOnly } from '../../util/defined.js';
import { formatDuration } from '../../util/duration.js';
import { ALL_OVERRIDES, addSharedOptions, collect, jwtKeySources, positiveIntArg } from '../options.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';

export interface RunCommandOptions {
  /** Parsed by targetArg. */
  target?: RunTarget;
  adminUrl?: string;
  /** Loaded by profileArg. */
  profile?: Profile;
  jwtSecret?: string;
  jwtKey?: string;
  grep?: string;
  tag?: string[];
  bail?: boolean;
  strict?: boolean;
  /** How a decision's source caps a broken check; absent: the profile's `decisionPolicy`. */
  decisions?: DecisionPolicy;
  concurrency?: number;
  out?: string;
  reporter?: string[];
  pingInterval?: number;
  pongTimeout?: number;
  connectTimeout?: number;
  responseTimeout?: number;
  maxTextChars?: number;
  maxMessageBytes?: number;
  maxConnections?: number;
  lenient?: boolean;
  insecure?: boolean;
}

export interface RunCommandResult {
  exitCode: number;
  /** The run folder with report.json. */
  reportDir: string;
}

/**
 * `chat-conform run`: runs the scenarios against the target (`--target`, parsed by targetArg), or
 * against the reference server it starts in-process for the profiles of the chosen cases; prints
 * each case as it ends (console reporter), writes `<out>/<timestamp>-run/report.json` plus the
 * other reporters' files, and returns the exit code (0 all PASS/NON-STRICT/INFORMATIONAL, 1 a FAIL
 * or NON-STRICT under --strict, 2 an ERROR).
 */
export async function runCommand(paths: string[], options: RunCommandOptions, io: CliIO, packageRoot: string, cwd = process.cwd()): Promise<RunCommandResult> {
  const [{ runCases }, { loadRunCases, runProfileOf }, { resolveSigningKey }, { offerOf }, { fanOut, prepareReporters, withoutRunEnd, writeReports }] = await Promise.all([
    import('../../conformance/run-cases.js'),
    import('../../conformance/select-cases.js'),
    import('../../auth/tokens.js'),
    import('../../transport/target.js'),
    import('../../reporters/index.js'),
  ]);
  const specs = (options.reporter ?? ['console']).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  // Every reporter is made now: unknown names fail before anything connects. Each one's live hooks
  // see the run, and its onRunEnd comes once the run's folder exists (writeReports).
  const prepared = await prepareReporters(specs, { io, color: io.color, cwd });
  const live = prepared.map((p) => withoutRunEnd(p.reporter));
  const signingKey = resolveSigningKey(jwtKeySources(options));
  const target = options.target;
  // Notes wait for the preflight: a target that is not there is one line and nothing else.
  const notes: string[] = [];
  const flagTimers = { pingInterval: options.pingInterval, pongTimeout: options.pongTimeout, connectTimeout: options.connectTimeout, responseTimeout: options.responseTimeout };
  const run = {
    paths,
    packageRoot,
    cwd,
    ...(options.adminUrl === undefined ? {} : { adminUrl: options.adminUrl }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    signingKey,
    ...(options.grep === undefined ? {} : { grep: options.grep }),
    ...(options.tag === undefined ? {} : { tags: options.tag.flatMap((t) => t.split(',')) }),
    bail: options.bail === true,
    strict: options.strict === true,
    ...(options.decisions === undefined ? {} : { decisions: options.decisions }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    // The embedded server runs short timers unless the flags set them (its cases then take seconds).
    timers: target ? flagTimers : { ...EMBEDDED_TIMERS, ...definedOnly(flagTimers) },
    limits: { maxTextChars: options.maxTextChars, maxMessageBytes: options.maxMessageBytes, maxConnections: options.maxConnections },
    lenient: options.lenient === true,
    insecure: options.insecure === true,
    reporters: live.length ? [fanOut(live)] : [],
    onNote: (text: string): void => {
      notes.push(text);
    },
  };
  const cases = loadRunCases(run, target ? offerOf(target) : EMBEDDED_OFFER);
  if (target) await checkTarget(target, runProfileOf(run), signingKey, options.insecure === true);
  const say = (text: string): void => io.err(`chat-conform: ${text}`);
  notes.forEach(say);
  run.onNote = say;
  const server = target ?? (await startEmbedded(cases, run, io));
  let report;
  try {
    report = await runCases(cases, { ...run, target: server });
  } finally {
    await server.close();
  }
  const written = await writeReports(report, { out: options.out ?? 'reports', prepared, io, color: io.color });
  io.out(`report: ${written.files[0] ?? written.dir}`);
  return { exitCode: report.summary.exitCode, reportDir: written.dir };
}

/**
 * Before any case runs: is the target there (src/transport/preflight.ts)? A dead port, a refusal
 * or a WebSocket path that answers 404 throws its one-line error (exit 2), instead of becoming as
 * many failed cases as there are connections. A query-token profile presents a valid token, so
 * the handshake is refused only for what is wrong with the target.
 */
const PREFLIGHT_USER = '999999001';

async function checkTarget(target: RunTarget, profile: Profile, key: JwtSigningKey, insecure: boolean): Promise<void> {
  const [{ preflight }, { entryUrl }, { mintVariant }] = await Promise.all([import('../../transport/preflight.js'), import('../../transport/target.js'), import('../../auth/tokens.js')]);
  const url = entryUrl(target.urls(profile.name));
  if (url === undefined) throw ccError('CC_ERR_USAGE', { detail: `the target does not serve profile ${profile.name}` });
  const auth = profile.auth;
  // A user id of digits, as the profiles' `sub` claim is (assa.D9.claims), that no bundled case uses.
  const query = auth.kind === 'query' ? { [auth.param]: mintVariant('valid', { sub: PREFLIGHT_USER, nickname: 'preflight' }, key) } : undefined;
  const result = await preflight({ url, auth, transports: profile.transports, insecure, ...(query ? { query } : {}) });
  if (!result.ok) throw result.error;
}

/** The reference server for the profiles of the chosen cases, with the run's key, timers and limits. */
async function startEmbedded(cases: readonly ScenarioCase[], run: { signingKey: JwtSigningKey; timers: Record<string, number | undefined>; limits: Record<string, number | undefined> }, io: CliIO): Promise<EmbeddedTarget> {
  const profiles = [...new Set(cases.map((c) => c.profileDef.name))];
  const unserved = profiles.find((p) => !servesProfile(p));
  if (unserved !== undefined) throw ccError('CC_ERR_USAGE', { detail: `the embedded reference server does not serve profile ${unserved}; pass --target` });
  const server = await startEmbeddedTarget({ profiles: profiles.filter(servesProfile), signingKey: run.signingKey, timers: definedOnly(run.timers), limits: definedOnly(run.limits) });
  const t = run.timers;
  io.err(`chat-conform: embedded reference server: ${server.clientUrls.join(' ')} (ping ${formatDuration(t.pingInterval ?? 0)}, pong timeout ${formatDuration(t.pongTimeout ?? 0)}, connect timeout ${formatDuration(t.connectTimeout ?? 0)})`);
  return server;
}

/** `--grep`: a regular expression, checked before anything runs. */
export function grepArg(value: string): string {
  try {
    new RegExp(value);
  } catch (err) {
    throw ccError('CC_ERR_BAD_FLAG', { value: JSON.stringify(value), flag: '--grep', reason: (err as Error).message, command: 'run' });
  }
  return value;
}

/** `--admin-url`: an absolute http:// or https:// URL. */
export function httpUrlArg(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  return value;
}

export function register(program: Command, ctx: CliContext): Command {
  return addSharedOptions(
    program
      .command('run')
      .description('run scenarios and conformance suites against a target (default: the embedded reference server)')
      .argument('[paths...]', 'scenario files, folders or globs (default: the profile\'s bundled suite, else scenarios/examples/)'),
    {
      target: 'the server under test: ws://, wss://, tcp://, tcp+lp://, tls:// (http:// for OpenIRC\'s login); default: start the reference server in-process',
      reporter: 'console (default), json, junit, html, markdown, or a module path (repeatable, or comma-separated)',
      overrides: ALL_OVERRIDES,
    },
  )
    .option('--admin-url <url>', 'http(s) endpoint that makes the target act, ${admin_url} in scenarios (the reference server: its POST /admin/announce); default with no --target: the embedded server\'s', httpUrlArg)
    .option('--grep <regex>', 'only cases whose id or title matches', grepArg)
    .option('--tag <tag>', 'only cases with this tag (repeatable, or comma-separated)', collect)
    .option('--bail', 'start no new case after the first FAIL or ERROR')
    .option('--strict', 'NON-STRICT verdicts fail the run (exit 1)')
    .addOption(new Option('--decisions <policy>', 'cap: a check resting on one of our decisions is at most NON-STRICT (a reading) or INFORMATIONAL (a choice); enforce: our decisions are your contract, and their deviations FAIL (default: the profile\'s decisionPolicy, else cap)').choices(['cap', 'enforce']))
    .option('--concurrency <n>', 'cases run at once (default 16)', positiveIntArg)
    .option('--lenient', 'carry on through recoverable wire violations, recording them as NON-STRICT')
    .option('--insecure', 'accept self-signed TLS certificates (wss://, tls://)')
    .action(async (paths: string[], opts: RunCommandOptions) => {
      const result = await runCommand(paths, opts, ctx.io, ctx.packageRoot);
      ctx.setExitCode(result.exitCode);
    });
}
