import { CcError, isCcError, type ExitCode } from '../errors.js';
import type { CliIO } from './io.js';

/**
 * The one place that turns an error into what the user sees and an exit code:
 * one line with the code and what to do, and a stack trace only with --debug.
 */
export function reportError(err: unknown, io: CliIO, debug: boolean): ExitCode {
  if (isCcError(err)) {
    io.err(formatCcError(err));
    if (debug && err.stack) io.err(err.stack);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.err(`chat-conform: CC_ERR_INTERNAL internal error: ${message.split('\n')[0]} (rerun with --debug and report it)`);
  if (debug && err instanceof Error && err.stack) io.err(err.stack);
  return 2;
}

export function formatCcError(err: CcError): string {
  const hint = err.hint ? ` (${err.hint})` : '';
  return `chat-conform: ${err.code} ${err.message}${hint}`;
}
