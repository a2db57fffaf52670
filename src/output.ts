/**
 * Where the library writes for people: a line to standard output, a line to standard error, and
 * what the out side can show (a terminal redraws progress in place; colour when it is one and
 * NO_COLOR is unset). The library never touches process.stdout itself: the command line passes
 * its own (src/cli/io.ts), tests collect the lines in memory, a library caller passes one or none.
 */
export interface Output {
  /** One line (a trailing newline is added when missing). */
  out(text: string): void;
  err(text: string): void;
  /** True when the out side is a terminal. */
  readonly isTTY: boolean;
  /** Whether to colour what goes out: false off a terminal or with NO_COLOR. */
  readonly color: boolean;
  /**
   * Shows one status line redrawn in place, when the out side can (a terminal); the next `out` or
   * `err` ends it. Without it, a status line is written with `out` like any other.
   */
  status?(line: string): void;
}

/** Writes nowhere: what a reporter gets when its caller gives no output. */
export const SILENT_OUTPUT: Output = { out: () => undefined, err: () => undefined, isTTY: false, color: false };

/** Collects the lines in memory (without their trailing newline), for tests. */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => void stdout.push(text.replace(/\n$/, '')),
    err: (text) => void stderr.push(text.replace(/\n$/, '')),
    isTTY: false,
    color: false,
  };
}
