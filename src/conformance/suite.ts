/**
 * Runs a bundled conformance suite against a fresh reference server, optionally with faults (for
 * the mutation test: each fault must make at least one case FAIL). One server per run, so no state
 * (memberships, pending receipts) leaks between runs.
 */
import { join } from 'node:path';
import { DEV_JWT_SECRET } from '../auth/jwt.js';
import { resolveSigningKey } from '../auth/tokens.js';
import { startEmbeddedTarget } from '../embedded/target.js';
import { loadProfile } from '../profile/load.js';
import type { RunReport, Verdict } from '../report/model.js';
import type { DecisionPolicy } from '../spec/source.js';
import { entryUrl, urlTarget } from '../transport/target.js';
import type { ServerVariant } from '../../reference-server/shared/choices.js';
import { runScenarios } from './run-cases.js';

export type SuiteProfile = 'assa' | 'envelope' | 'openirc';
export const SUITE_PROFILES: readonly SuiteProfile[] = ['assa', 'envelope', 'openirc'];

export interface SuiteTimers {
  pingInterval: number;
  pongTimeout: number;
  connectTimeout: number;
  responseTimeout: number;
}

/** Short timers for CI (hundreds of ms): every timer case then takes about a second. */
const CI: SuiteTimers = { pingInterval: 200, pongTimeout: 1000, connectTimeout: 1000, responseTimeout: 2000 };
export const CI_TIMERS: Readonly<Record<SuiteProfile, SuiteTimers>> = { assa: CI, envelope: CI, openirc: CI };

export interface SuiteRunOptions {
  packageRoot: string;
  profile: SuiteProfile;
  /** ASSA only: which front end the cases use (default tcp). */
  transport?: 'tcp' | 'ws';
  /** Fault names (reference-server/faults/); empty for a conformant server. */
  faults?: string[];
  /** The reference server's variant (default `reference`; `other-choices` takes the other choice at every silent point). */
  variant?: ServerVariant;
  /** How decisions cap findings (default: the profile's, cap). */
  decisions?: DecisionPolicy;
  timers?: SuiteTimers;
  limits?: { maxConnections?: number };
  concurrency?: number;
  /** Only cases whose id or title matches. */
  grep?: string;
  /** Leave `${admin_url}` unset (the cases that need it are then not checked); default: the server's admin endpoint. */
  withoutAdminUrl?: boolean;
}

export interface SuiteOutcome {
  report: RunReport;
  /** Case id → verdict. */
  verdicts: Map<string, Verdict>;
  /** Ids of the cases that FAILed or ERRORed, sorted. */
  failed: string[];
}

export async function runSuite(options: SuiteRunOptions): Promise<SuiteOutcome> {
  const timers = options.timers ?? CI_TIMERS[options.profile];
  const signingKey = resolveSigningKey({ secret: DEV_JWT_SECRET });
  const server = await startEmbeddedTarget({ profiles: [options.profile], signingKey, timers, limits: options.limits ?? {}, faults: options.faults ?? [], ...(options.variant ? { variant: options.variant } : {}) });
  try {
    // One front end of the server, given as a URL: the suite runs over it as against a --target.
    const url = entryUrl(server.urls(options.profile), options.transport ? [options.transport] : []) as string;
    const report = await runScenarios({
      packageRoot: options.packageRoot,
      paths: [join(options.packageRoot, 'scenarios', 'conformance', options.profile)],
      target: urlTarget(url),
      ...(options.withoutAdminUrl ? {} : { adminUrl: server.adminUrl }),
      profile: loadProfile(options.profile),
      signingKey,
      timers,
      ...(options.limits ? { limits: options.limits } : {}),
      concurrency: options.concurrency ?? 16,
      ...(options.decisions ? { decisions: options.decisions } : {}),
      ...(options.grep ? { grep: options.grep } : {}),
    });
    const verdicts = new Map(report.cases.map((c) => [c.id, c.verdict]));
    const failed = report.cases.filter((c) => c.verdict === 'FAIL' || c.verdict === 'ERROR').map((c) => c.id).sort();
    return { report, verdicts, failed };
  } finally {
    await server.close();
  }
}
