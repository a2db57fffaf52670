import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CodecName } from '../../profile/types.js';
import type { ProbeResult } from '../../transport/probe.js';
import type { CliContext } from '../context.js';
import type { CliIO } from '../io.js';
import { collect, durationArg } from '../options.js';

export interface ProbeCommandOptions {
  timeoutMs: number;
  listenMs: number;
  json: boolean;
  lenient: boolean;
  insecure: boolean;
  /** `Name: value` pairs. */
  headers: string[];
  subprotocols: string[];
  codec: CodecName;
}

export function headerArg(value: string): string {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError(`expected Name:value, got ${JSON.stringify(value)}`);
  return value;
}

function codecArg(value: string): CodecName {
  if (value !== 'json' && value !== 'msgpack') throw new InvalidArgumentError('expected json or msgpack');
  return value;
}

/** `chat-conform probe URL`: prints one line per check (or a JSON document) and returns the result. */
export async function probeCommand(url: string, opts: ProbeCommandOptions, io: CliIO): Promise<ProbeResult> {
  const { probe, formatProbe } = await import('../../transport/probe.js');
  const headers: Record<string, string> = {};
  for (const h of opts.headers) {
    const colon = h.indexOf(':');
    headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
  }
  const result = await probe({
    url,
    timeoutMs: opts.timeoutMs,
    listenMs: opts.listenMs,
    lenient: opts.lenient,
    insecure: opts.insecure,
    headers,
    subprotocols: opts.subprotocols,
    codec: opts.codec,
  });
  if (opts.json) io.out(JSON.stringify(result, null, 2));
  else for (const line of formatProbe(result)) io.out(line);
  return result;
}

/** Exit 0 unless a check FAILed (1); an unreachable target or a bad URL throws (2). */
export function probeExitCode(result: ProbeResult): 0 | 1 {
  return result.verdict === 'FAIL' ? 1 : 0;
}

export function register(program: Command, ctx: CliContext): Command {
  return program
    .command('probe')
    .description('connect to a server and report what it does on the wire: handshake, first messages, ping, close')
    .argument('<url>', 'ws://, wss://, tcp://, tcp+lp:// or tls:// target')
    .addOption(new Option('--timeout <duration>', 'deadline of each step: connect and handshake, ping, close').argParser(durationArg).default(5000, '5s'))
    .addOption(new Option('--listen <duration>', 'how long to record what the server sends first (at most the timeout)').argParser(durationArg).default(2000, '2s'))
    .option('--json', 'print the result as a JSON document')
    .option('--lenient', 'carry on through recoverable violations (RSV bits, non-minimal lengths, header case, bare \\r), reporting them as NON-STRICT')
    .option('--insecure', 'accept self-signed or unverifiable TLS certificates (wss://, tls://)')
    .option('--header <name:value>', 'extra handshake header (repeatable)', (v: string, prev: string[]) => collect(headerArg(v), prev), [] as string[])
    .option('--subprotocol <name>', 'offer a WebSocket subprotocol (repeatable)', collect, [] as string[])
    .option('--codec <json|msgpack>', 'how to decode payloads', codecArg, 'json' as CodecName)
    .action(async (url: string, o: { timeout: number; listen: number; json?: boolean; lenient?: boolean; insecure?: boolean; header: string[]; subprotocol: string[]; codec: CodecName }) => {
      const result = await probeCommand(url, {
        timeoutMs: o.timeout,
        listenMs: o.listen,
        json: o.json === true,
        lenient: o.lenient === true,
        insecure: o.insecure === true,
        headers: o.header,
        subprotocols: o.subprotocol,
        codec: o.codec,
      }, ctx.io);
      ctx.setExitCode(probeExitCode(result));
    });
}
