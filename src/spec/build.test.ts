import { readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemasBuild, schemasCheck } from '../cli/commands/schemas.js';
import { memoryIO } from '../cli/io.js';
import { CcError } from '../errors.js';
import { listProfiles, loadProfile, schemaSetOf } from '../profile/load.js';
import { packageRoot } from '../util/paths.js';
import { buildProfileSchemas, checkProfileSchemas } from './build.js';
import { writeTestProfile } from './testing.js';
import { getValidator } from '../profile/validator.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempProfile() {
  const { dir, specPath } = writeTestProfile({
    client: { Hello: { payload: { type: 'object', required: ['type'], properties: { type: { type: 'string', const: 'hello' }, n: { type: 'integer' } } } } },
    server: { Bye: { payload: { type: 'object', properties: { type: { type: 'string', const: 'bye' } } } } },
  });
  dirs.push(dir);
  return { dir, profile: loadProfile(specPath) };
}

describe('the committed generated schemas', () => {
  it('match what the bundled AsyncAPI documents produce (no drift)', () => {
    for (const name of listProfiles()) expect(checkProfileSchemas(schemaSetOf(loadProfile(name)))).toEqual({ profile: name, differ: [], missing: [], extra: [] });
  });

  it('include an index of every message', () => {
    const index = JSON.parse(readFileSync(join(loadProfile('openirc').generatedDir, 'index.json'), 'utf8')) as { messages: { id: string; explicitOnly?: boolean }[] };
    expect(index.messages.map((m) => m.id)).toEqual(loadProfile('openirc').messages.map((m) => m.id));
    expect(index.messages.find((m) => m.id === 'server.login.reply')?.explicitOnly).toBe(true);
  });
});

describe('schemas build and check', () => {
  it('builds, then finds no drift', async () => {
    const { profile } = tempProfile();
    expect(buildProfileSchemas(schemaSetOf(profile))).toEqual({ profile: 'test', written: ['client/hello.json', 'server/bye.json', 'index.json'], removed: [] });
    expect(buildProfileSchemas(schemaSetOf(profile)).written).toEqual([]);
    const io = memoryIO();
    await schemasCheck({ profiles: [profile.specPath], root: packageRoot() }, io);
    expect(io.stdout).toEqual([`test: generated schemas match ${profile.specPath}`]);
  });

  it('catches an edited, a missing and an extra file, naming each (CC_ERR_SCHEMA_DRIFT, exit 1)', async () => {
    const { profile } = tempProfile();
    buildProfileSchemas(schemaSetOf(profile));
    const hello = join(profile.generatedDir, 'client', 'hello.json');
    writeFileSync(hello, readFileSync(hello, 'utf8').replace('"integer"', '"number"'));
    rmSync(join(profile.generatedDir, 'server', 'bye.json'));
    writeFileSync(join(profile.generatedDir, 'client', 'stale.json'), '{}\n');
    expect(checkProfileSchemas(schemaSetOf(profile))).toEqual({ profile: 'test', differ: ['client/hello.json'], missing: ['server/bye.json'], extra: ['client/stale.json'] });
    const err = await schemasCheck({ profiles: [profile.specPath], root: packageRoot() }, memoryIO()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CcError);
    expect((err as CcError).code).toBe('CC_ERR_SCHEMA_DRIFT');
    expect((err as CcError).exitCode).toBe(1);
    const gen = profile.generatedDir;
    expect((err as CcError).message).toBe(`generated schemas differ from the spec: differ: ${gen}/client/hello.json; missing: ${gen}/server/bye.json; extra: ${gen}/client/stale.json`);
    // Rebuilding repairs all three.
    const io = memoryIO();
    await schemasBuild({ profiles: [profile.specPath], root: packageRoot() }, io);
    expect(io.stdout).toEqual([`test: 3 files in ${gen}, 2 written, 1 removed`]);
    expect(existsSync(join(gen, 'client', 'stale.json'))).toBe(false);
    expect(checkProfileSchemas(schemaSetOf(profile))).toEqual({ profile: 'test', differ: [], missing: [], extra: [] });
  });

  it('validates a profile that has no generated/ folder yet from schemas generated in memory', () => {
    const { profile } = tempProfile();
    expect(existsSync(profile.generatedDir)).toBe(false);
    const v = getValidator(profile);
    expect(v.validate('client', { type: 'hello', n: 1 })).toMatchObject({ kind: 'valid', extras: [] });
    expect(v.validate('client', { type: 'hello', n: 1.5 })).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/n', keyword: 'type' }] });
  });
});
