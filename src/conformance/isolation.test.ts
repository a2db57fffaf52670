/**
 * Isolation (issue 13, item 5): what a case holds on the server (its users, its crowd's range of
 * ids, the literal room names it sends), and two cases with the same users run side by side under
 * `concurrency: 16`: both PASS, because the run starts the second when the first has ended. Run
 * truly side by side (both at once, without the run's scheduler) the same two cases disturb each
 * other: that is what isolation prevents.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { loadProfile } from '../profile/load.js';
import { parseScenarios } from '../scenario/parse.js';
import { brief, runScenarioText } from '../scenario/testing/harness.js';
import { EMBEDDED_OFFER } from '../embedded/target.js';
import { packageRoot } from '../util/paths.js';
import { footprintOf, overlaps } from './isolation.js';
import { loadRunCases } from './select-cases.js';
import { runOnEmbedded } from './testing/embedded-run.js';

const fixture = join(packageRoot(), 'src', 'conformance', 'testing', 'same-users.yaml');

function footprint(text: string, profile: string) {
  const [c] = parseScenarios(text, 'x.yaml', { resolveProfile: loadProfile });
  if (!c) throw new Error('no case');
  return footprintOf(c, c.profileDef);
}

const envelopeCase = (room: string, variables = '') => `id: e
title: t
profile: envelope
clients:
  ann: { user_id: "7001" }
${variables}steps:
  - connect: ann
  - send: { client: ann, message: room.join, data: { room: ${room} } }
`;

describe('what a case holds on the server', () => {
  it('holds its clients\' user ids and its crowd\'s range, sized by the profile\'s limits', () => {
    const f = footprint(`id: c
title: t
profile: assa
clients:
  a: { user_id: 12 }
  b: { user_id: "13" }
steps:
  - repeat:
      times: 1
      steps:
        - crowd: { count: "\${limits.maxConnections + 1}", user_id_from: 5000 }
`, 'assa');
    expect(f).toEqual({ users: new Set(['12', '13']), ranges: [[5000, 6000]], names: new Set() });
  });

  it('holds a room name it sends literally, or through a variable that holds one, but not one made by uid()', () => {
    expect(footprint(envelopeCase('lobby'), 'envelope').names).toEqual(new Set(['data.room=lobby']));
    expect(footprint(envelopeCase('"${room}"', 'variables:\n  room: lobby\n'), 'envelope').names).toEqual(new Set(['data.room=lobby']));
    expect(footprint(envelopeCase('"room-${uid()}"'), 'envelope').names).toEqual(new Set());
    expect(footprint(envelopeCase('"${room}"', 'variables:\n  room: "r-${uid()}"\n'), 'envelope').names).toEqual(new Set());
  });

  it('overlaps another case through a user, a user inside a crowd\'s range, two ranges, or a room name', () => {
    const of = (users: string[], ranges: [number, number][] = [], names: string[] = []) => ({ users: new Set(users), ranges, names: new Set(names) });
    expect(overlaps(of(['1']), of(['1']))).toBe(true);
    expect(overlaps(of(['1']), of(['2']))).toBe(false);
    expect(overlaps(of(['5500']), of([], [[5000, 6000]]))).toBe(true);
    expect(overlaps(of([], [[5000, 6000]]), of(['6001']))).toBe(false);
    expect(overlaps(of([], [[1, 10]]), of([], [[10, 20]]))).toBe(true);
    expect(overlaps(of([], [[1, 10]]), of([], [[11, Infinity]]))).toBe(false);
    expect(overlaps(of(['1'], [], ['data.room=lobby']), of(['2'], [], ['data.room=lobby']))).toBe(true);
  });

  it('finds no overlap between the bundled cases, which therefore all run side by side', () => {
    for (const profile of ['assa', 'envelope', 'openirc']) {
      const cases = loadRunCases({ packageRoot: packageRoot(), profile: loadProfile(profile) }, EMBEDDED_OFFER);
      const prints = cases.map((c) => footprintOf(c, c.profileDef));
      const pairs = prints.flatMap((a, i) => prints.slice(i + 1).flatMap((b, j) => (overlaps(a, b) ? [`${cases[i]?.id} ~ ${cases[i + 1 + j]?.id}`] : [])));
      expect(pairs, profile).toEqual([]);
    }
  });
});

describe('two cases with the same users', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ profiles: ['assa'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('disturb each other when they run at the same moment (without the run\'s scheduler)', async () => {
    const [first, second] = readFileSync(fixture, 'utf8').split(/^---$/m) as [string, string];
    const results = (await Promise.all([runScenarioText(first, server.urls.assaTcp as string), runScenarioText(second, server.urls.assaTcp as string)])).flat();
    expect(results.map((r) => brief(r).code)).toContain('CC_CHECK_NOT_SILENT');
  });

  it('both PASS in one run with concurrency 16: the second starts when the first has ended', async () => {
    const report = await runOnEmbedded({ packageRoot: packageRoot(), paths: [fixture], concurrency: 16 });
    expect(report.cases.map((c) => [c.id, c.verdict])).toEqual([['isolation.first', 'PASS'], ['isolation.second', 'PASS']]);
  });
});
