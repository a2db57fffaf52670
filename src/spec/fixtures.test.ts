import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import type { Direction } from '../profile/types.js';
import { isObject, type JsonObject } from './pointer.js';
import { getValidator, type ValidationOutcome } from './validator.js';

/**
 * Every JSON example of seeds 003 (ASSA) and 000 (envelope), and examples written to follow each
 * shape of seed 001 (OpenIRC), one file each under fixtures/<profile>/, named
 * `<seed section>-<n>.<direction>.<message name>.json`.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures');

interface Fixture {
  profile: string;
  file: string;
  direction: Direction;
  name: string;
  value: JsonObject;
}

function fixtures(profile: string): Fixture[] {
  return readdirSync(join(FIXTURES, profile))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const match = /^(.*?)\.(client|server)\.(.+)\.json$/.exec(file);
      if (!match) throw new Error(`fixture ${file} is not named <section>-<n>.<direction>.<name>.json`);
      return { profile, file, direction: match[2] as Direction, name: match[3] ?? '', value: JSON.parse(readFileSync(join(FIXTURES, profile, file), 'utf8')) as JsonObject };
    });
}

/**
 * §2.1, §2.3 and §9.1 show structures with placeholders (ACTION_TYPE, ERROR_CODE). §2.1 and §2.3
 * are checked as the messages whose data the structure fits unchanged (DISCONNECT and
 * DISCONNECT_RESPONSE), and every placeholder error code becomes a real one of §9.2.
 */
const PLACEHOLDERS: Record<string, { name?: string; patch: JsonObject }> = {
  's2.1-1.client.ACTION_TYPE.json': { name: 'DISCONNECT', patch: { action: 'DISCONNECT' } },
  's2.3-1.server.ACTION_RESPONSE.json': { name: 'DISCONNECT_RESPONSE', patch: { action: 'DISCONNECT_RESPONSE', error_code: 'AUTH_FAILED' } },
  's9.1-1.server.ERROR.json': { patch: { error_code: 'INVALID_MESSAGE_TYPE' } },
};

function nameOf(fx: Fixture): string {
  return PLACEHOLDERS[fx.file]?.name ?? fx.name;
}

function check(fx: Fixture, value: unknown): ValidationOutcome {
  const profile = loadProfile(fx.profile);
  const validator = getValidator(profile);
  const name = nameOf(fx);
  const message = profile.messages.find((m) => m.direction === fx.direction && m.name === name);
  if (!message) throw new Error(`${fx.file}: no ${fx.direction} message ${name}`);
  return message.explicitOnly ? validator.validateAs(fx.direction, name, value) : validator.validate(fx.direction, value);
}

function example(fx: Fixture): JsonObject {
  const placeholder = PLACEHOLDERS[fx.file];
  return placeholder ? { ...fx.value, ...placeholder.patch } : fx.value;
}

function schemaOf(fx: Fixture): JsonObject {
  const profile = loadProfile(fx.profile);
  const name = nameOf(fx);
  const message = profile.messages.find((m) => m.direction === fx.direction && m.name === name);
  return JSON.parse(readFileSync(join(profile.generatedDir, message?.schemaFile.replace(/^generated\//, '') ?? ''), 'utf8')) as JsonObject;
}

/** The first required top-level field other than the naming field. */
function requiredField(fx: Fixture): string {
  const profile = loadProfile(fx.profile);
  const required = (schemaOf(fx).required as string[]).filter((f) => f !== profile.namingField);
  const field = required[0];
  if (field === undefined) throw new Error(`${fx.file}: no required field to remove`);
  return field;
}

/** The first required field of `data` that the example carries, if its schema declares any. */
function requiredDataField(fx: Fixture, value: JsonObject): string | undefined {
  const schema = schemaOf(fx);
  const defs = (schema.$defs ?? {}) as Record<string, JsonObject>;
  const candidates = [schema.properties, (schema.then as JsonObject | undefined)?.properties].filter(isObject);
  for (const props of candidates) {
    let data = props.data;
    if (isObject(data) && typeof data.$ref === 'string') data = defs[data.$ref.replace('#/$defs/', '')];
    if (isObject(data) && Array.isArray(data.required) && isObject(value.data)) {
      const hit = (data.required as string[]).find((f) => f in (value.data as JsonObject));
      if (hit) return hit;
    }
  }
  return undefined;
}

function wrongType(v: unknown): unknown {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return 'not a number';
  return 'not an object';
}

for (const profile of ['assa', 'envelope', 'openirc']) {
  describe(`seed examples of ${profile}`, () => {
    const all = fixtures(profile);

    it('has the examples it should', () => {
      expect(all.length).toBe({ assa: 39, envelope: 4, openirc: 10 }[profile]);
    });

    for (const fx of all) {
      it(`${fx.file} is a valid ${fx.direction} ${fx.name} with no undefined fields`, () => {
        const outcome = check(fx, example(fx));
        expect(outcome).toMatchObject({ kind: 'valid', extras: [] });
        if (outcome.kind === 'valid') expect(outcome.message.name).toBe(nameOf(fx));
      });

      it(`${fx.file} without a required field fails at its pointer`, () => {
        const value = structuredClone(example(fx));
        const field = requiredField(fx);
        delete value[field];
        const outcome = check(fx, value);
        expect(outcome.kind).toBe('invalid');
        if (outcome.kind !== 'invalid') return;
        expect(outcome.errors).toEqual([{ pointer: `/${field}`, keyword: 'required', message: `missing required field ${field}`, expected: 'present', actual: 'missing' }]);
        expect(outcome.extras).toEqual([]);
      });

      it(`${fx.file} with a field of the wrong type fails at its pointer`, () => {
        const base = example(fx);
        const dataField = requiredDataField(fx, base);
        const value = structuredClone(base);
        let pointer: string;
        if (dataField !== undefined) {
          (value.data as JsonObject)[dataField] = wrongType((value.data as JsonObject)[dataField]) as JsonObject[string];
          pointer = `/data/${dataField}`;
        } else {
          const field = requiredField(fx);
          value[field] = wrongType(value[field]) as JsonObject[string];
          pointer = `/${field}`;
        }
        const outcome = check(fx, value);
        expect(outcome.kind).toBe('invalid');
        if (outcome.kind !== 'invalid') return;
        expect(outcome.errors.length).toBeGreaterThan(0);
        expect(outcome.errors.map((e) => e.pointer)).toEqual(outcome.errors.map(() => pointer));
        expect(outcome.errors.map((e) => e.keyword)).toContain('type');
      });
    }
  });
}
