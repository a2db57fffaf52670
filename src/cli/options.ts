import { InvalidArgumentError } from 'commander';
import type { JwtKeySources } from '../auth/tokens.js';
import { isCcError } from '../errors.js';
import { DEFAULT_PROFILE } from '../profile/default.js';
import { loadProfile } from '../profile/load.js';
import type { Profile } from '../profile/types.js';
import { urlTarget, type RunTarget } from '../transport/target.js';
import { parseDuration, parseSize } from '../util/duration.js';

/** Commander argument parsers: a bad value becomes a usage error that names the flag (exit 2). */
export function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError(isCcError(err) ? err.message : String(err));
  }
}

export function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (err) {
    throw new InvalidArgumentError(isCcError(err) ? err.message : String(err));
  }
}

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive whole number, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function portArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Flags several commands share, declared once so their names, parsers and help agree. */
type CommandLike = { option(flags: string, description: string, parser?: (value: string, previous: never) => unknown): CommandLike };

/** `--target URL`: the one function that turns the flag into the run's target (a bad URL: CC_ERR_BAD_TARGET, exit 2). */
export function targetArg(value: string): RunTarget {
  return urlTarget(value);
}

/** `--profile name|path`: the one function that turns the flag into a Profile (CC_ERR_UNKNOWN_PROFILE, or what is wrong with the document). */
export function profileArg(value: string): Profile {
  return loadProfile(value);
}

/** `--target` and `--profile`: commander hands the command a RunTarget and a Profile (targetArg, profileArg). */
export function addTargetOptions<C extends CommandLike>(command: C, targetHelp: string): C {
  command
    .option('--target <url>', targetHelp, targetArg as (value: string, previous: never) => unknown)
    .option('--profile <name|path>', `the protocol: assa, envelope, openirc, or an AsyncAPI 3.0 document (default ${DEFAULT_PROFILE})`, profileArg as (value: string, previous: never) => unknown);
  return command;
}

/** `--jwt-secret` / `--jwt-key` as the library's key sources, named by their flags in errors and reports. */
export function jwtKeySources(options: { jwtSecret?: string; jwtKey?: string }): JwtKeySources {
  return {
    ...(options.jwtSecret === undefined ? {} : { secret: options.jwtSecret }),
    ...(options.jwtKey === undefined ? {} : { keyFile: options.jwtKey }),
    names: { secret: '--jwt-secret', keyFile: '--jwt-key' },
  };
}

export function addJwtOptions<C extends CommandLike>(command: C): C {
  command
    .option('--jwt-secret <secret>', 'HS256 secret for the tokens clients present (env CHAT_CONFORM_JWT_SECRET)')
    .option('--jwt-key <file>', 'RS256/ES256 private key (PEM) for the tokens (env CHAT_CONFORM_JWT_KEY)');
  return command;
}

const OVERRIDES = {
  pingInterval: ['--ping-interval <duration>', 'override the profile\'s heartbeat interval (e.g. 300ms, 30s)', durationArg],
  pongTimeout: ['--pong-timeout <duration>', 'override the time after which a silent client is dropped', durationArg],
  connectTimeout: ['--connect-timeout <duration>', 'override the time a client has to connect and authenticate', durationArg],
  responseTimeout: ['--response-timeout <duration>', 'override the reply deadline', durationArg],
  maxTextChars: ['--max-text-chars <n>', 'override the text length limit (code points)', positiveIntArg],
  maxMessageBytes: ['--max-message-bytes <size>', 'override the message size limit (e.g. 1MiB)', sizeArg],
  maxConnections: ['--max-connections <n>', 'override the connection limit', positiveIntArg],
} as const;

export type OverrideName = keyof typeof OVERRIDES;
export const ALL_OVERRIDES = Object.keys(OVERRIDES) as OverrideName[];

/** The profile's timer and limit overrides (`--ping-interval` …), for servers configured differently. */
export function addOverrideOptions<C extends CommandLike>(command: C, names: readonly OverrideName[] = ALL_OVERRIDES): C {
  for (const name of names) {
    const [flags, help, parser] = OVERRIDES[name];
    command.option(flags, help, parser as (value: string, previous: never) => unknown);
  }
  return command;
}

export function addReportOptions<C extends CommandLike>(command: C, reporterHelp: string): C {
  command
    .option('--out <dir>', 'folder for the run\'s reports (default reports/)')
    .option('--reporter <name>', reporterHelp, collect as (value: string, previous: never) => unknown);
  return command;
}

/** Target, profile, JWT, report and override flags in one call, for run, load and capacity. */
export function addSharedOptions<C extends CommandLike>(
  command: C,
  help: { target: string; reporter: string; overrides: readonly OverrideName[] },
): C {
  addTargetOptions(command, help.target);
  addJwtOptions(command);
  addReportOptions(command, help.reporter);
  addOverrideOptions(command, help.overrides);
  return command;
}
