/** The server's logger: levelled, one line per event, fields as key=value. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

const noop = (): void => {};
export const silentLogger: Logger = { error: noop, warn: noop, info: noop, debug: noop };

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger writing `<iso time> <level> <message> k=v ...` lines at or above `level`. */
export function lineLogger(level: LogLevel, write: (line: string) => void): Logger {
  const at = (l: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[l] > RANK[level]) return;
    let line = `${new Date().toISOString()} ${l.padEnd(5)} ${message}`;
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`;
    write(line);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
