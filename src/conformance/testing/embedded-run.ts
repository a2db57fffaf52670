/**
 * Test support: what `chat-conform run` does without --target, minus the terminal: the chosen
 * cases run against a reference server started for their profiles (short timers unless the test
 * sets them), which stops afterwards.
 */
import { resolveSigningKey } from '../../auth/tokens.js';
import { EMBEDDED_OFFER, EMBEDDED_TIMERS, servesProfile, startEmbeddedTarget } from '../../embedded/target.js';
import type { RunReport } from '../../report/model.js';
import { definedOnly } from '../../util/defined.js';
import { runCases, type RunScenariosOptions } from '../run-cases.js';
import { loadRunCases } from '../select-cases.js';

export async function runOnEmbedded(options: Omit<RunScenariosOptions, 'target'>): Promise<RunReport> {
  const signingKey = options.signingKey ?? resolveSigningKey();
  const timers = { ...EMBEDDED_TIMERS, ...definedOnly(options.timers) };
  const cases = loadRunCases(options, EMBEDDED_OFFER);
  const profiles = [...new Set(cases.map((c) => c.profileDef.name))].filter(servesProfile);
  const target = await startEmbeddedTarget({ profiles, signingKey, timers, limits: definedOnly(options.limits) });
  try {
    return await runCases(cases, { ...options, signingKey, timers, target });
  } finally {
    await target.close();
  }
}
