import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CcError } from '../errors.js';
import { loadProfile, profileSources, schemaSetOf } from '../profile/load.js';
import { createAjv } from './ajv.js';
import { checkAsyncApi } from './asyncapi-schema.js';
import { generateProfileFiles } from './build.js';
import { generateMessageSchema } from './generate.js';
import type { JsonObject } from './pointer.js';
import { writeTestProfile } from './testing.js';
import { getValidator } from '../profile/validator.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function profileOf(options: Parameters<typeof writeTestProfile>[0]) {
  const { dir, specPath } = writeTestProfile(options);
  dirs.push(dir);
  return loadProfile(specPath);
}

function schemaOf(options: Parameters<typeof writeTestProfile>[0], file: string): JsonObject {
  const text = generateProfileFiles(schemaSetOf(profileOf(options))).get(file);
  if (text === undefined) throw new Error(`no ${file}`);
  return JSON.parse(text) as JsonObject;
}

function failure(fn: () => unknown): CcError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CcError) return err;
    throw err;
  }
  throw new Error('expected a CcError');
}

const typeConst = (name: string) => ({ type: 'string', const: name });

/** A test profile whose `Pair` is reached both plainly and from inside decision t.D1.shape. */
function annotatedProfile() {
  return {
    decisions: [
      { id: 't.D1.shape', class: 'choice' as const, text: 'The shape of decided.', reason: 'The seed is silent.' },
      { id: 't.D2.ids', class: 'reading' as const, text: 'Ids are positive.', reason: 'The seed shows one.' },
    ],
    schemas: {
      Id: { type: 'integer', allOf: [{ minimum: 1, 'x-decision': 't.D2.ids' }] },
      Pair: { type: 'object', properties: { a: { $ref: '#/components/schemas/Id' } } },
      Code: { type: 'string', enum: ['A', 'B'], 'x-open-enum': true },
    },
    client: {
      A: {
        payload: {
          type: 'object',
          properties: {
            type: typeConst('a'),
            plain: { $ref: '#/components/schemas/Pair' },
            decided: { $ref: '#/components/schemas/Pair', 'x-decision': 't.D1.shape' },
            code: { $ref: '#/components/schemas/Code' },
          },
        },
      },
    },
  };
}

describe('the generated schema of a message', () => {
  it('is standalone draft-07 with a generated-file header, an $id and its references in $defs', () => {
    const schema = JSON.parse(readFileSync(join(loadProfile('assa').generatedDir, 'client', 'SEND_MESSAGE.json'), 'utf8')) as JsonObject;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('urn:chat-conform:assa:client:SEND_MESSAGE');
    expect(schema.$comment).toBe('Generated from ../../asyncapi.yaml (components.messages.SendMessage, seed §5.1) by `chat-conform schemas build`. Do not edit: change the AsyncAPI document and rebuild.');
    expect(JSON.stringify(schema)).not.toContain('#/components/');
    expect(Object.keys(schema.$defs as object)).toEqual(['Content', 'FileInfo', 'Id', 'MessageType', 'ReplyTo', 'SendMessageData', 'SeqId', 'SessionId', 'Timestamp', 'UserId']);
    // Standalone: a fresh strict ajv compiles it with nothing else registered.
    expect(() => createAjv().compile(schema)).not.toThrow();
  });

  it('is byte-for-byte the same when built twice, with sorted keys and a trailing newline', () => {
    for (const name of ['assa', 'envelope', 'openirc']) {
      const profile = loadProfile(name);
      const first = generateProfileFiles(schemaSetOf(profile));
      const second = generateProfileFiles(schemaSetOf(profile));
      expect([...second.entries()]).toEqual([...first.entries()]);
      for (const text of first.values()) {
        expect(text.endsWith('}\n')).toBe(true);
        const parsed = JSON.parse(text) as JsonObject;
        expect(Object.keys(parsed)).toEqual(Object.keys(parsed).sort());
      }
    }
  });

  it('unwraps a {schemaFormat, schema} payload instead of handing the wrapper to ajv', () => {
    const options = {
      client: {
        Hello: {
          payload: {
            schemaFormat: 'application/vnd.aai.asyncapi+json;version=3.0.0',
            schema: { type: 'object', required: ['type', 'n'], properties: { type: typeConst('hello'), n: { type: 'integer' } } },
          },
        },
      },
    };
    const schema = schemaOf(options, 'client/hello.json');
    expect(schema.schema).toBeUndefined();
    expect(schema.schemaFormat).toBeUndefined();
    expect(schema.required).toEqual(['type', 'n']);
    const v = getValidator(profileOf(options));
    expect(v.validate('client', { type: 'hello', n: 1 })).toMatchObject({ kind: 'valid' });
    expect(v.validate('client', { type: 'hello', n: 'x' })).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/n', keyword: 'type' }] });
  });

  it('accepts the JSON Schema draft-07 format and refuses formats it cannot read (Avro)', () => {
    const draft7 = { client: { A: { payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: { type: 'object', properties: { type: typeConst('a') } } } } } };
    expect(schemaOf(draft7, 'client/a.json').type).toBe('object');
    const avro = { client: { A: { payload: { schemaFormat: 'application/vnd.apache.avro;version=1.9.0', schema: { type: 'record', name: 'A', fields: [] } } } } };
    const err = failure(() => profileOf(avro));
    expect(err.code).toBe('CC_ERR_SPEC_INVALID');
    expect(err.message).toContain('#/components/messages/A/payload: schemaFormat "application/vnd.apache.avro;version=1.9.0" is not supported');
  });

  it('merges message traits in order, the message\'s own fields winning', () => {
    const p = profileOf({
      messageTraits: { Named: { name: 'login.reply', summary: 'from the trait', 'x-spec-section': '§9' }, Later: { summary: 'from the second trait' } },
      server: {
        Login: { traits: [{ $ref: '#/components/messageTraits/Named' }, { $ref: '#/components/messageTraits/Later' }], payload: { type: 'object', properties: { ws: { type: 'string' } } } },
        Own: { traits: [{ $ref: '#/components/messageTraits/Named' }], name: 'own', summary: 'mine', payload: { type: 'object' } },
      },
    });
    expect(p.messages.find((m) => m.key === 'Login')).toMatchObject({ name: 'login.reply', summary: 'from the second trait', specSection: '§9', explicitOnly: true });
    expect(p.messages.find((m) => m.key === 'Own')).toMatchObject({ name: 'own', summary: 'mine', specSection: '§9' });
  });

  it('keeps a circular reference as a $defs reference and validates deep values through it', () => {
    const options = {
      schemas: { Node: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/Node' } } } } },
      client: { Tree: { payload: { type: 'object', properties: { type: typeConst('tree'), root: { $ref: '#/components/schemas/Node' } } } } },
    };
    const schema = schemaOf(options, 'client/tree.json');
    expect(schema.$defs).toEqual({
      Node: { properties: { children: { items: { $ref: '#/$defs/Node' }, type: 'array' }, name: { type: 'string' } }, required: ['name'], type: 'object' },
    });
    const v = getValidator(profileOf(options));
    const deep = { type: 'tree', root: { name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] } };
    expect(v.validate('client', deep)).toMatchObject({ kind: 'valid', extras: [] });
    const bad = { type: 'tree', root: { name: 'a', children: [{ name: 'b', children: [{ nom: 'c' }] }] } };
    expect(v.validate('client', bad)).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/root/children/0/children/0/name', keyword: 'required' }],
      extras: ['/root/children/0/children/0/nom'],
    });
  });

  it('enforces int32 as an integer range (OpenIRC rid)', () => {
    const v = getValidator(loadProfile('openirc'));
    const join = (rid: unknown) => ({ rid, kind: 'join', target: { connid: 0, kind: 'channel', name: '#a' } });
    expect(v.validate('client', join(2_147_483_647))).toMatchObject({ kind: 'valid' });
    expect(v.validate('client', join(2_147_483_648))).toMatchObject({
      kind: 'invalid',
      errors: [{ pointer: '/rid', keyword: 'format', expected: 'format int32 (an integer from -2147483648 to 2147483647)', actual: 'integer 2147483648' }],
    });
    expect(v.validate('client', join(12.34))).toMatchObject({
      kind: 'invalid',
      errors: [
        { pointer: '/rid', keyword: 'type', expected: 'integer', actual: 'number 12.34' },
        { pointer: '/rid', keyword: 'format', actual: 'number 12.34' },
      ],
    });
    expect(v.validate('client', join(-1))).toMatchObject({ kind: 'invalid', errors: [{ pointer: '/rid', keyword: 'minimum', expected: '>= 0' }] });
  });

  it('drops annotations beside a $ref and refuses assertions there (AsyncAPI ignores them, newer drafts apply them)', () => {
    const schemas = { Name: { type: 'string' } };
    const annotated = { schemas, client: { A: { payload: { type: 'object', properties: { type: typeConst('a'), name: { $ref: '#/components/schemas/Name', description: 'who', 'x-note': 1 } } } } } };
    expect((schemaOf(annotated, 'client/a.json').properties as JsonObject).name).toEqual({ $ref: '#/$defs/Name' });
    const asserted = { schemas, client: { A: { payload: { type: 'object', properties: { type: typeConst('a'), name: { $ref: '#/components/schemas/Name', maxLength: 3 } } } } } };
    const err = failure(() => generateProfileFiles(schemaSetOf(profileOf(asserted))));
    expect(err.code).toBe('CC_ERR_SPEC_INVALID');
    expect(err.message).toContain("#/components/messages/A/payload/properties/name: keywords beside $ref (maxLength) are ignored by AsyncAPI but applied by newer JSON Schema drafts; write allOf: [{$ref: '#/components/schemas/Name'}, {maxLength: ...}] instead");
  });

  it('strips AsyncAPI-only keywords and x- extensions, and refuses unknown keywords', () => {
    const options = {
      client: {
        A: {
          payload: {
            type: 'object',
            discriminator: 'type',
            externalDocs: { url: 'https://example.com' },
            deprecated: true,
            examples: [{ type: 'a' }],
            'x-parser-schema-id': 'A',
            properties: { type: { ...typeConst('a'), 'x-note': 'kept out', deprecated: false } },
          },
        },
      },
    };
    const schema = schemaOf(options, 'client/a.json');
    const text = JSON.stringify(schema);
    for (const word of ['discriminator', 'externalDocs', 'deprecated', 'examples', 'x-parser-schema-id', 'x-note']) expect(text).not.toContain(word);
    expect(() => createAjv().compile(schema)).not.toThrow();
    const unknown = { client: { A: { payload: { type: 'object', nullable: true, properties: { type: typeConst('a') } } } } };
    const err = failure(() => generateProfileFiles(schemaSetOf(profileOf(unknown))));
    expect(err.message).toContain('#/components/messages/A/payload/nullable: unknown keyword nullable');
  });

  it('keeps x-decision and x-open-enum, and copies a definition reached from inside a decision, carrying it', () => {
    const options = annotatedProfile();
    const schema = schemaOf(options, 'client/a.json');
    expect(schema.properties).toEqual({
      type: typeConst('a'),
      plain: { $ref: '#/$defs/Pair' },
      decided: { $ref: '#/$defs/Pair.t.D1.shape' },
      code: { $ref: '#/$defs/Code' },
    });
    expect(schema.$defs).toEqual({
      Code: { type: 'string', enum: ['A', 'B'], 'x-open-enum': true },
      Id: { type: 'integer', allOf: [{ minimum: 1, 'x-decision': 't.D2.ids' }] },
      'Id.t.D1.shape': { type: 'integer', allOf: [{ minimum: 1, 'x-decision': 't.D2.ids' }], 'x-decision': 't.D1.shape' },
      Pair: { type: 'object', properties: { a: { $ref: '#/$defs/Id' } } },
      'Pair.t.D1.shape': { type: 'object', properties: { a: { $ref: '#/$defs/Id.t.D1.shape' } }, 'x-decision': 't.D1.shape' },
    });
    // The annotations are keywords strict ajv knows, asserting nothing.
    const validate = createAjv().compile(schema);
    expect(validate({ type: 'a', plain: { a: 1 }, decided: { a: 1 }, code: 'A' })).toBe(true);
  });

  it('refuses x-open-enum away from an enum and annotations of the wrong type', () => {
    const at = (payload: JsonObject) => failure(() => generateProfileFiles(schemaSetOf(profileOf({ client: { A: { payload } } })))).message;
    const base = { type: 'object', properties: { type: typeConst('a') } };
    expect(at({ ...base, 'x-open-enum': true })).toContain('#/components/messages/A/payload/x-open-enum: belongs beside the enum it opens');
    expect(at({ ...base, properties: { type: { ...typeConst('a'), 'x-open-enum': 'yes', enum: ['a'] } } })).toContain('#/components/messages/A/payload/properties/type/x-open-enum: must be a boolean');
    // The loader already refuses an x-decision that names no decision; the generator holds its own line.
    expect(at({ ...base, 'x-decision': 7 })).toContain('/components/messages/A/payload/x-decision: 7 is not a decision of /x-chat-conform/decisions');
    const direct = failure(() => generateMessageSchema({}, 't', { name: 'a', direction: 'client', key: 'A', payload: { ...base, 'x-decision': 7 } }, 'test.yaml'));
    expect(direct.message).toBe('test.yaml is not valid AsyncAPI 3.0: #/components/messages/A/payload/x-decision: must be a non-empty string');
  });

  it('keeps const data untouched while stripping x- keys from schemas', () => {
    const options = { client: { A: { payload: { type: 'object', properties: { type: typeConst('a'), meta: { const: { 'x-keep': 1, deprecated: true } } } } } } };
    expect((schemaOf(options, 'client/a.json').properties as JsonObject).meta).toEqual({ const: { deprecated: true, 'x-keep': 1 } });
  });
});

describe('the bundled AsyncAPI documents', () => {
  for (const name of ['assa', 'envelope', 'openirc']) {
    it(`${name} validates against the official AsyncAPI 3.0.0 JSON Schema (@asyncapi/specs)`, () => {
      expect(checkAsyncApi(profileSources(loadProfile(name)).doc)).toEqual([]);
    });
  }

  it('a document that breaks the AsyncAPI schema is reported with a pointer', () => {
    const doc = structuredClone(profileSources(loadProfile('envelope')).doc) as Record<string, Record<string, Record<string, unknown>>>;
    (doc.operations as Record<string, Record<string, unknown>>).roomJoin!.action = 'publish';
    expect(checkAsyncApi(doc)).toContainEqual({ pointer: '/operations/roomJoin/action', message: 'must be equal to one of the allowed values' });
  });
});
