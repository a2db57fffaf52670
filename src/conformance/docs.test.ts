/**
 * The catalogue's integrity (ids, sections, strengths, decisions that exist, every §9.2 code and
 * every ASSA action exercised) and docs/conformance.md checked for drift against it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { packageRoot } from '../util/paths.js';
import { loadCatalogue } from './catalogue.js';
import { CONFORMANCE_DOC, renderConformanceDoc } from './docs.js';
import { listFaults, readMutationScore } from './mutation.js';

const root = packageRoot();
const catalogue = loadCatalogue(root);
const suiteText = (profile: string): string => catalogue.filter((c) => c.profile === profile).map((c) => readFileSync(join(root, c.file), 'utf8')).join('\n');

describe('conformance catalogue', () => {
  it('gives every case a unique stable id under its profile, sections, a strength, a source and decisions that exist', () => {
    const decisionIds = new Set<string>([...readFileSync(join(root, 'docs', 'decisions.md'), 'utf8').matchAll(/^\| ((?:assa|envelope|openirc)\.D\d+\.[a-z0-9-]+) \|/gm)].map((m) => m[1] as string));
    expect(decisionIds.size).toBe(46);
    const ids = new Set<string>();
    for (const c of catalogue) {
      expect(c.id.startsWith(`${c.profile}.`), c.id).toBe(true);
      expect(ids.has(c.id), `duplicate ${c.id}`).toBe(false);
      ids.add(c.id);
      expect(c.sections.length, c.id).toBeGreaterThan(0);
      expect(c.description.length, c.id).toBeGreaterThan(0);
      // A case resting on the seed needs no decision; one resting on a decision cites it.
      if (c.source.decision) expect(c.decisions, c.id).toContain(c.source.decision);
      for (const d of c.decisions) expect(decisionIds.has(d), `${c.id} cites unknown decision ${d}`).toBe(true);
    }
    expect(catalogue.filter((c) => c.profile === 'assa').length).toBeGreaterThanOrEqual(60);
    // The one decision no case cites: the reconnect policy, a rule for clients.
    const cited = new Set(catalogue.flatMap((c) => c.decisions));
    expect([...decisionIds].filter((d) => !cited.has(d))).toEqual(['assa.D19.reconnect']);
  });

  it('triggers every §9.2 error code and sends every ASSA client action', () => {
    const text = suiteText('assa');
    // In an expect's match, or in the check of a captured code (a code chosen under a decision).
    for (const code of loadProfile('assa').errorCodes) expect(text, code).toMatch(new RegExp(`(error_code|match): (${code}\\b|\\{ \\$in: \\[[A-Z_, ]*${code})`));
    const actions = loadProfile('assa').messages.filter((m) => m.direction === 'client').map((m) => m.name);
    expect(actions.length).toBeGreaterThanOrEqual(15);
    for (const action of actions) {
      if (action === 'CONNECT') continue; // sent by every connect step
      expect(text, action).toMatch(new RegExp(`message: ${action}\\b`));
    }
  });

  it('docs/conformance.md is generated from the catalogue, the faults and the mutation score (no drift)', async () => {
    const expected = renderConformanceDoc(catalogue, await listFaults(), readMutationScore(root));
    const actual = readFileSync(join(root, CONFORMANCE_DOC), 'utf8');
    expect(actual.trimEnd(), 'regenerate with: chat-conform list --markdown > docs/conformance.md').toBe(expected.trimEnd());
  });
});
