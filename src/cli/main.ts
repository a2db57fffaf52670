import { Command, CommanderError } from 'commander';
import { packageRoot } from '../util/paths.js';
import { toolVersion } from '../util/version.js';
import type { CliContext } from './context.js';
import { reportError } from './exit.js';
import { processIO, type CliIO } from './io.js';
import { COMMANDS } from './commands/index.js';

export { toolVersion };

/** Builds the program: a table of commands, each registered by its own module. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('chat-conform');
  program
    .description('Conformance and load testing for realtime chat servers, driven by AsyncAPI 3.0 specs.')
    .version(toolVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces and internal details on errors')
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(`chat-conform: CC_ERR_USAGE ${s.trim().replace(/^error: /, '')}`),
    })
    .exitOverride();
  for (const register of COMMANDS) {
    const command = register(program, ctx);
    command.exitOverride();
    command.configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(`chat-conform: CC_ERR_USAGE ${s.trim().replace(/^error: /, '')}`),
    });
  }
  return program;
}

/** Runs the CLI with `argv` as node gives it and resolves the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  let exitCode = 0;
  const debug = argv.includes('--debug');
  const ctx: CliContext = {
    io,
    packageRoot: packageRoot(),
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
  };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error (unknown flag, bad value, missing argument) is usage: 2.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    return reportError(err, io, debug);
  }
}
