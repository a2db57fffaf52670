/**
 * What a load or capacity run says besides its progress (which goes to the reporters' onProgress)
 * and its report: the library's whole output. The command line implements it (one line each,
 * standard output for `info`, standard error for `warn`); a library user may pass their own, or
 * none at all for a silent run.
 */
export interface LoadOutput {
  /** A line for whoever watches the run, e.g. a capacity step's result. */
  info(text: string): void;
  /** Something did not go as planned: the run stops early, a reporter failed. */
  warn(text: string): void;
}

export const SILENT_OUTPUT: LoadOutput = { info: () => undefined, warn: () => undefined };
