import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ccError } from '../errors.js';
import { packageRoot } from '../util/paths.js';
import { READABLE_REPORT_VERSIONS, type RunReport } from './model.js';

/** The report's JSON Schema (schemas/report/report.schema.json), compiled once in strict mode. */
let compiled: ValidateFunction | undefined;

export function reportSchemaPath(): string {
  return join(packageRoot(), 'schemas', 'report', 'report.schema.json');
}

export function reportSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020.default({ strict: true, allErrors: true });
    addFormats.default(ajv);
    compiled = ajv.compile(reportSchema());
  }
  return compiled;
}

export interface ReportSchemaError {
  pointer: string;
  message: string;
}

/** Validates a parsed value against the report schema; an empty list means it is a valid report. */
export function validateReport(value: unknown): ReportSchemaError[] {
  const validate = validator();
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => ({ pointer: e.instancePath || '/', message: e.message ?? e.keyword }));
}

export function isRunReport(value: unknown): value is RunReport {
  return validateReport(value).length === 0;
}

/** Reads and validates a report.json; a missing file, bad JSON or a schema error is a usage error (exit 2). */
export function readReport(path: string): RunReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ccError('CC_ERR_FILE_NOT_FOUND', { path, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw ccError('CC_ERR_REPORT_INVALID', { path, detail: `not JSON (${(err as Error).message})` });
  }
  const version = (value as { reportVersion?: unknown } | null)?.reportVersion;
  if (typeof version === 'number' && !READABLE_REPORT_VERSIONS.includes(version)) {
    throw ccError('CC_ERR_REPORT_INVALID', { path, detail: `report version ${version}, but this chat-conform reads versions ${READABLE_REPORT_VERSIONS.join(' and ')} (use the chat-conform that wrote it)` });
  }
  const errors = validateReport(value);
  if (errors.length > 0) {
    const first = errors.slice(0, 3).map((e) => `${e.pointer} ${e.message}`).join('; ');
    throw ccError('CC_ERR_REPORT_INVALID', { path, detail: `${first}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}` });
  }
  return withVersion2Counts(value as RunReport);
}

/**
 * A version 1 report as the reporters read a version 2 one: it has no NOT-ASSESSED case, so its
 * count is 0. It keeps its version, and has no sources, root causes or message shapes.
 */
function withVersion2Counts(report: RunReport): RunReport {
  if (report.summary.byVerdict['NOT-ASSESSED'] !== undefined) return report;
  return { ...report, summary: { ...report.summary, byVerdict: { ...report.summary.byVerdict, 'NOT-ASSESSED': 0 } } };
}
