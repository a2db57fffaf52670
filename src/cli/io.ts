import type { Output } from '../output.js';

/** Where a command writes: the library's Output. Tests pass memoryIO() to capture it without spawning a process. */
export type CliIO = Output;

/** The process's own streams: the command line's implementation of Output. */
export function processIO(): CliIO {
  const isTTY = Boolean(process.stdout.isTTY);
  let drawn = false;
  // A status line drawn in place ends before anything else is written, on either stream.
  const end = (): void => {
    if (drawn) process.stdout.write('\n');
    drawn = false;
  };
  const io: CliIO = {
    out: (text) => {
      end();
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    err: (text) => {
      end();
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    isTTY,
    color: isTTY && process.env.NO_COLOR === undefined,
  };
  if (!isTTY) return io;
  return {
    ...io,
    status: (line) => {
      process.stdout.write(`\r\u001b[2K${line}`);
      drawn = true;
    },
  };
}

export { memoryOutput as memoryIO } from '../output.js';
