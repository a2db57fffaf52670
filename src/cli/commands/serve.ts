import { readFileSync } from 'node:fs';
import type { EventEmitter } from 'node:events';
import { Option, type Command } from 'commander';
import { ccError } from '../../errors.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { collect, durationArg, portArg, positiveIntArg, sizeArg } from '../options.js';

/** `chat-conform serve`: the reference server until SIGINT or SIGTERM. */
export interface ServeOptions {
  profile: 'assa' | 'envelope' | 'openirc' | 'all';
  host: string;
  tcpPort: number;
  wsPort: number;
  httpPort: number;
  jwtSecret?: string;
  /** PEM file of an RS256/ES256 public key. */
  jwtPublicKey?: string;
  maxTextChars?: number;
  maxMessageBytes?: number;
  maxConnections?: number;
  connectTimeout?: number;
  pingInterval?: number;
  pongTimeout?: number;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Where the seeds are silent: the reference server's choices, or the opposite ones (reference-server/shared/choices.ts). */
  variant?: 'reference' | 'other-choices';
  /** Deliberate deviations, for testing the conformance suites only (reference-server/faults/). */
  fault?: string[];
}

/** The CLI's ports: the spec's 12345 for ASSA over TCP, the next two for WebSocket and HTTP. */
export const SERVE_DEFAULTS = { profile: 'all', host: '127.0.0.1', tcpPort: 12345, wsPort: 12346, httpPort: 12347, logLevel: 'info', variant: 'reference' } as const;

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
export function nextStopSignal(emitter: EventEmitter = process): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      emitter.off('SIGINT', onInt);
      emitter.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    emitter.on('SIGINT', onInt);
    emitter.on('SIGTERM', onTerm);
  });
}

/**
 * Starts the server, prints where it listens and how to get a token, then waits for `stop`
 * (by default the next SIGINT/SIGTERM) and closes everything. Resolves the exit code (0).
 */
export async function serve(options: ServeOptions, io: CliIO, stop: Promise<unknown> = nextStopSignal()): Promise<number> {
  const [{ startReferenceServer }, { lineLogger }, { DEV_JWT_SECRET }] = await Promise.all([
    import('../../../reference-server/server.js'),
    import('../../../reference-server/shared/log.js'),
    import('../../auth/jwt.js'),
  ]);
  let jwt: { secret: string } | { publicKey: string };
  if (options.jwtPublicKey !== undefined) {
    try {
      jwt = { publicKey: readFileSync(options.jwtPublicKey, 'utf8') };
    } catch (err) {
      throw ccError('CC_ERR_FILE_NOT_FOUND', { path: options.jwtPublicKey, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  } else jwt = { secret: options.jwtSecret ?? DEV_JWT_SECRET };
  const server = await startReferenceServer({
    profiles: options.profile,
    host: options.host,
    tcpPort: options.tcpPort,
    wsPort: options.wsPort,
    httpPort: options.httpPort,
    jwt,
    limits: { maxTextChars: options.maxTextChars, maxMessageBytes: options.maxMessageBytes, maxConnections: options.maxConnections },
    timers: { connectTimeout: options.connectTimeout, pingInterval: options.pingInterval, pongTimeout: options.pongTimeout },
    logger: lineLogger(options.logLevel, (line) => io.err(line)),
    variant: options.variant ?? SERVE_DEFAULTS.variant,
    faults: options.fault ?? [],
  });
  const { urls } = server;
  const variant = server.config.variant === 'reference' ? '' : `, variant ${server.config.variant}: the other reading wherever the seeds are silent`;
  const lines = [`chat-conform reference server (${options.profile === 'all' ? 'assa, envelope, openirc' : options.profile}${variant})`];
  if (urls.assaTcp) lines.push(`  ASSA over TCP (NDJSON)  ${urls.assaTcp}`);
  if (urls.assaWs) lines.push(`  ASSA over WebSocket     ${urls.assaWs}`);
  if (urls.envelopeWs) lines.push(`  envelope               ${urls.envelopeWs}?token=<jwt>`);
  if (urls.openircHttp) lines.push(`  OpenIRC login          POST ${urls.openircHttp}/login/ {"method":"token","token":"<jwt>"} (answers the ${urls.openircWs} URL)`);
  lines.push(`  announcements          POST ${urls.adminHttp} {"title":"…","message":"…"} (loopback only)`);
  if ('secret' in jwt) {
    const secretFlag = jwt.secret === DEV_JWT_SECRET ? '' : ' --secret <the --jwt-secret value>';
    lines.push(`JWTs: HS256${jwt.secret === DEV_JWT_SECRET ? ` with the development secret "${DEV_JWT_SECRET}"` : ''}. Get one with:`);
    lines.push(`  npx chat-conform token --sub 123 --nickname Alice${secretFlag}`);
  } else {
    lines.push('JWTs: signed by the private key of --jwt-public-key. Get one with:');
    lines.push('  npx chat-conform token --sub 123 --nickname Alice --key <private key PEM>');
  }
  if (options.fault?.length) lines.push(`FAULTS ON, this server breaks the protocol on purpose (for testing the conformance suites): ${options.fault.join(', ')}`);
  lines.push('Stop with Ctrl+C (SIGINT) or SIGTERM.');
  io.out(lines.join('\n'));
  const signal = await stop;
  io.err(`${typeof signal === 'string' ? signal : 'stop'}: shutting down`);
  await server.close();
  return 0;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('serve')
    .description('start the bundled reference server (ASSA over TCP and WebSocket, envelope, OpenIRC)')
    .addOption(new Option('--profile <name>', 'which protocols to serve').choices(['assa', 'envelope', 'openirc', 'all']).default(SERVE_DEFAULTS.profile))
    .option('--host <host>', 'address to listen on', SERVE_DEFAULTS.host)
    .option('--tcp-port <n>', 'ASSA over TCP (0 = any free port)', portArg, SERVE_DEFAULTS.tcpPort)
    .option('--ws-port <n>', 'WebSocket endpoints /assa, /envelope, /openirc', portArg, SERVE_DEFAULTS.wsPort)
    .option('--http-port <n>', 'HTTP: OpenIRC POST /login/ and POST /admin/announce', portArg, SERVE_DEFAULTS.httpPort)
    .addOption(new Option('--jwt-secret <secret>', 'HS256 secret (default: the development secret chat-conform-dev-secret)').conflicts('jwtPublicKey'))
    .option('--jwt-public-key <file>', 'PEM public key: RS256 (RSA) or ES256 (P-256) tokens only')
    .option('--max-text-chars <n>', 'max code points of a text message (default 5000)', positiveIntArg)
    .option('--max-message-bytes <size>', 'max bytes of one message, e.g. 1MiB (default 1048576)', sizeArg)
    .option('--max-connections <n>', 'max concurrent connections (default 1000)', positiveIntArg)
    .option('--connect-timeout <duration>', 'time to complete CONNECT (default 30s)', durationArg)
    .option('--ping-interval <duration>', 'PING interval (default 30s)', durationArg)
    .option('--pong-timeout <duration>', 'drop after this long without PONG (default 60s)', durationArg)
    .addOption(new Option('--variant <name>', 'choices where the seeds are silent: reference (docs/decisions.md) or other-choices (the opposite reading at every silent point)').choices(['reference', 'other-choices']).default(SERVE_DEFAULTS.variant))
    .option('--fault <name>', 'FOR TESTING THE CONFORMANCE SUITES ONLY: break one rule on purpose (repeatable; `chat-conform list --faults` names them)', collect)
    .addOption(new Option('--log-level <level>', 'log verbosity (to stderr)').choices(['error', 'warn', 'info', 'debug']).default(SERVE_DEFAULTS.logLevel))
    .action(async (opts: ServeOptions) => {
      ctx.setExitCode(await serve(opts, ctx.io));
    });
}
