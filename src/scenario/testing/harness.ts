/**
 * Test helpers: run scenario text against a target with the real profile, validator, transport
 * and JWTs, without the CLI.
 */
import { DEFAULT_PROFILE } from '../../profile/default.js';
import { urlTarget } from '../../transport/target.js';
import type { CaseResult } from '../../report/model.js';
import { CONFORMANCE_JUDGE } from '../../conformance/run-cases.js';
import { createChecker } from '../checker.js';
import { parseScenarios } from '../parse.js';
import { runCase, type CaseEnvironment } from '../run-case.js';
import { resolveSigningKey } from '../../auth/tokens.js';

let runs = 0;

export async function runScenarioText(text: string, targetUrl: string, overrides: Partial<CaseEnvironment> = {}): Promise<CaseResult[]> {
  const cases = parseScenarios(text, 'test.yaml', { defaultProfile: DEFAULT_PROFILE });
  const results: CaseResult[] = [];
  for (const c of cases) {
    const profile = c.profileDef;
    results.push(await runCase(c, {
      profile,
      target: { url: targetUrl, urls: urlTarget(targetUrl).urls(c.profile) },
      signingKey: resolveSigningKey({ env: {} }),
      judge: CONFORMANCE_JUDGE,
      checker: createChecker(profile),
      responseTimeout: 2000,
      connectTimeout: 2000,
      maxInboundBytes: 4 * 1024 * 1024,
      runId: `t${process.pid}x${++runs}`,
      ...overrides,
    }));
  }
  return results;
}

/** A compact view of a result for assertions and for debugging failures. */
export function brief(result: CaseResult): { verdict: string; code?: string; step?: string; message?: string } {
  return {
    verdict: result.verdict,
    ...(result.decidedBy ? { code: result.decidedBy.code, step: result.decidedBy.step?.path, message: result.decidedBy.message } : {}),
  };
}
