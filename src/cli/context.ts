import type { CliIO } from './io.js';

/** Handed to every command's register function. */
export interface CliContext {
  io: CliIO;
  /** Where bundled schemas/ and scenarios/ live (the package root). */
  packageRoot: string;
  /** A command's action reports its exit code here (0 success, 1 verdict failures, 2 errors). */
  setExitCode(code: number): void;
}
