import type { Output } from '../output.js';

/** Where a command writes: the library's Output. Tests pass memoryIO() to capture it without spawning a process. */
export type CliIO = Output;

/** The process's own streams: the command line's implementation of Output. */
export function processIO(): CliIO {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (text) => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    isTTY,
    color: isTTY && process.env.NO_COLOR === undefined,
  };
}

export { memoryOutput as memoryIO } from '../output.js';
