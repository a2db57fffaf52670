import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ccError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { collect, durationArg } from '../options.js';

/** `chat-conform token`: prints a JWT for manual testing (same claims every profile reads). */
export interface TokenOptions {
  sub: string;
  nickname?: string;
  /** HS256 secret; default the development secret. */
  secret?: string;
  /** PEM file of an RS256/ES256 private key. */
  key?: string;
  alg?: 'HS256' | 'RS256' | 'ES256';
  /** Milliseconds; default one hour. */
  expiresIn?: number;
  /** Milliseconds from now before which the token is not valid. */
  notBefore?: number;
  /** Extra claims as `k=v` (a JSON value, or else a string). */
  claim?: string[];
}

export async function token(options: TokenOptions, io: CliIO): Promise<number> {
  const { mintToken, signingAlgorithmOf, DEV_JWT_SECRET } = await import('../../auth/jwt.js');
  const claims: Record<string, unknown> = { sub: options.sub };
  if (options.nickname !== undefined) claims.nickname = options.nickname;
  for (const pair of options.claim ?? []) {
    const [k, v] = parseClaim(pair);
    claims[k] = v;
  }
  let key: string | Buffer = options.secret ?? DEV_JWT_SECRET;
  let algorithm = options.alg ?? 'HS256';
  if (options.key !== undefined) {
    try {
      key = readFileSync(options.key);
    } catch (err) {
      throw ccError('CC_ERR_FILE_NOT_FOUND', { path: options.key, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
    let implied;
    try {
      implied = signingAlgorithmOf(key);
    } catch (err) {
      throw ccError('CC_ERR_JWT_KEY', { source: options.key, reason: err instanceof Error ? err.message : String(err) });
    }
    if (options.alg !== undefined && options.alg !== implied) {
      throw ccError('CC_ERR_JWT_KEY', { source: options.key, reason: `the key is for ${implied}, not ${options.alg}` });
    }
    algorithm = implied;
  } else if (algorithm !== 'HS256') {
    throw ccError('CC_ERR_USAGE', { detail: `--alg ${algorithm} needs --key <private key PEM file>` });
  }
  const seconds = (ms: number): number => Math.max(1, Math.round(ms / 1000));
  io.out(mintToken({
    claims, algorithm, key,
    expiresIn: seconds(options.expiresIn ?? 3_600_000),
    ...(options.notBefore !== undefined ? { notBefore: Math.round(options.notBefore / 1000) } : {}),
  }));
  return 0;
}

/** `k=v`: v is JSON when it parses (numbers, booleans, objects), a string otherwise. */
export function parseClaim(pair: string): [string, unknown] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw ccError('CC_ERR_BAD_FLAG', { value: JSON.stringify(pair), flag: '--claim', reason: 'expected key=value', command: 'token' });
  const raw = pair.slice(eq + 1);
  try {
    return [pair.slice(0, eq), JSON.parse(raw)];
  } catch {
    return [pair.slice(0, eq), raw];
  }
}

function subArg(value: string): string {
  if (!/^[1-9]\d*$/.test(value.trim())) throw new InvalidArgumentError(`expected a positive whole number (the user id), got ${JSON.stringify(value)}`);
  return value.trim();
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('token')
    .description('print a JWT for manual testing (HS256 with the development secret unless told otherwise)')
    .requiredOption('--sub <id>', 'the user id (sub claim)', subArg)
    .option('--nickname <name>', 'the display name (nickname claim)')
    .addOption(new Option('--secret <secret>', 'HS256 secret (default: the development secret chat-conform-dev-secret)').conflicts('key'))
    .option('--key <file>', 'PEM file of an RS256 or ES256 private key')
    .addOption(new Option('--alg <alg>', 'signing algorithm; implied by --key').choices(['HS256', 'RS256', 'ES256']))
    .option('--expires-in <duration>', 'lifetime, e.g. 30m, 1h (default 1h)', durationArg)
    .option('--not-before <duration>', 'not valid until this long from now', durationArg)
    .option('--claim <k=v>', 'an extra claim (value parsed as JSON when it can be); repeatable', collect)
    .action(async (opts: TokenOptions) => {
      ctx.setExitCode(await token(opts, ctx.io));
    });
}
