import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ccError } from '../errors.js';
import { redactCase, redactReport, redact } from '../report/redact.js';
import { consoleReporter } from './console.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import { markdownReporter } from './markdown.js';
import type { Reporter, ReporterContext, ReporterFactory } from './types.js';

/** Reporters by name; a custom one is registered here or loaded from a module path. */
const REGISTRY = new Map<string, ReporterFactory>([
  ['console', consoleReporter],
  ['json', jsonReporter],
  ['junit', junitReporter],
  ['html', htmlReporter],
  ['markdown', markdownReporter],
]);

/** The file each built-in writes into the run folder. */
export const REPORTER_FILES: Readonly<Record<string, string>> = {
  json: 'report.json',
  junit: 'junit.xml',
  html: 'report.html',
  markdown: 'summary.md',
};

export function reporterNames(): string[] {
  return [...REGISTRY.keys()];
}

export function registerReporter(name: string, factory: ReporterFactory): void {
  REGISTRY.set(name, factory);
}

/** A path rather than a name: has a slash, starts with a dot, or ends like a module file. */
export function isReporterPath(spec: string): boolean {
  return /[\\/]/.test(spec) || spec.startsWith('.') || /\.(?:[cm]?js|[cm]?ts)$/.test(spec);
}

function isClass(fn: unknown): fn is new (ctx: ReporterContext) => Reporter {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * Loads a reporter module by path. Its default export (or `reporter` export) may be a Reporter
 * object, a factory `(ctx) => Reporter`, or a class whose constructor takes the context.
 */
export async function loadReporterModule(path: string, ctx: ReporterContext, cwd = process.cwd()): Promise<Reporter> {
  const abs = isAbsolute(path) ? path : resolve(cwd, path);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    throw ccError('CC_ERR_REPORTER_LOAD', { path, reason: (err as Error).message.split('\n')[0] });
  }
  const exported = mod.default ?? mod.reporter;
  let reporter: unknown;
  if (isClass(exported)) reporter = new exported(ctx);
  else if (typeof exported === 'function') reporter = (exported as ReporterFactory)(ctx);
  else reporter = exported;
  if (reporter === null || typeof reporter !== 'object') {
    throw ccError('CC_ERR_REPORTER_LOAD', { path, reason: 'it has no default export' });
  }
  const hooks = ['onRunStart', 'onCaseStart', 'onCaseEnd', 'onProgress', 'onRunEnd'] as const;
  const r = reporter as Record<string, unknown>;
  if (!hooks.some((h) => typeof r[h] === 'function')) {
    throw ccError('CC_ERR_REPORTER_LOAD', { path, reason: `its export has none of ${hooks.join(', ')}` });
  }
  if (typeof r.name !== 'string') Object.defineProperty(reporter, 'name', { value: path });
  return reporter as Reporter;
}

/** A reporter by registry name or module path. */
export async function createReporter(spec: string, ctx: ReporterContext, cwd?: string): Promise<Reporter> {
  const factory = REGISTRY.get(spec);
  if (factory) return factory(ctx);
  if (isReporterPath(spec)) return loadReporterModule(spec, ctx, cwd);
  throw ccError('CC_ERR_UNKNOWN_REPORTER', { name: spec, known: reporterNames().join(', ') });
}

/**
 * One reporter that forwards every hook to several, in order, redacting what it hands on, so a
 * runner calls one object and no reporter ever sees a secret.
 */
export function fanOut(reporters: readonly Reporter[]): Reporter & { written: string[] } {
  const written: string[] = [];
  return {
    name: reporters.map((r) => r.name).join(','),
    written,
    async onRunStart(info) {
      const safe = { ...info, target: { ...info.target, url: redact(info.target.url) }, options: redact(info.options) };
      for (const r of reporters) await r.onRunStart?.(safe);
    },
    async onCaseStart(info) {
      for (const r of reporters) await r.onCaseStart?.(info);
    },
    async onCaseEnd(result) {
      const safe = redactCase(result);
      for (const r of reporters) await r.onCaseEnd?.(safe);
    },
    async onProgress(progress) {
      for (const r of reporters) await r.onProgress?.(progress);
    },
    async onCapacityStep(step, info) {
      for (const r of reporters) await r.onCapacityStep?.(step, info);
    },
    async onRunEnd(report) {
      const safe = redactReport(report);
      for (const r of reporters) {
        const files = await r.onRunEnd?.(safe);
        if (Array.isArray(files)) written.push(...files);
      }
      return written;
    },
  };
}
