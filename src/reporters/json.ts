import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccError } from '../errors.js';
import type { RunReport } from '../report/model.js';
import type { Reporter, ReporterContext } from './types.js';

/** The canonical report, pretty-printed (two spaces) with a final newline. */
export function renderJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes `text` to `<dir>/<file>` (or prints it when there is no dir) and returns what it wrote. */
export function emit(ctx: ReporterContext, file: string, text: string): string[] {
  if (ctx.outDir === undefined) {
    ctx.io.out(text.replace(/\n$/, ''));
    return [];
  }
  const path = join(ctx.outDir, file);
  try {
    writeFileSync(path, text);
  } catch (err) {
    throw ccError('CC_ERR_FILE_WRITE', { path, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  return [path];
}

export function jsonReporter(ctx: ReporterContext): Reporter {
  return { name: 'json', onRunEnd: (report) => emit(ctx, 'report.json', renderJson(report)) };
}
