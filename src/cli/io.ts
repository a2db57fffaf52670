/** Where a command writes. Tests pass their own to capture output without spawning a process. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress lines, colour). */
  readonly isTTY: boolean;
  /** False when NO_COLOR is set or stdout is not a terminal. */
  readonly color: boolean;
}

export function processIO(): CliIO {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTTY,
    color: isTTY && process.env.NO_COLOR === undefined,
  };
}

/** Collects output in memory. */
export function memoryIO(): CliIO & { stdout: string[]; stderr: string[] } {
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
