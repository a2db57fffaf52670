import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CcError } from '../errors.js';
import { packageRoot } from '../util/paths.js';
import { listProfiles, loadProfile } from './load.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CcError);
    return { code: (err as CcError).code, message: (err as CcError).message };
  }
  throw new Error('expected an error');
}

const MINIMAL_EXTENSION = `x-chat-conform:
  namingField: type
  correlation: {requestField: id, replyField: ref_id, generator: string}
  codec: json
  framing: ndjson
  transports: [ws]
  auth: {kind: none}
  errorCodes: []
`;

describe('loadProfile', () => {
  it('reads the ASSA protocol facts from the x-chat-conform extension, timers in milliseconds', () => {
    const p = loadProfile('assa');
    expect(p.name).toBe('assa');
    expect(p.namingField).toBe('action');
    expect(p.correlation).toEqual({ requestField: 'seq_id', replyField: 'seq_id', generator: 'string' });
    expect(p.codec).toBe('json');
    expect(p.framing).toBe('ndjson');
    expect(p.transports).toEqual(['tcp', 'ws']);
    expect(p.defaultPort).toBe(12345);
    expect(p.auth).toEqual({ kind: 'message', message: 'CONNECT', tokenPath: 'data.jwt_token', reply: 'CONNECT_RESPONSE' });
    expect(p.heartbeat).toEqual({ ping: 'PING', pong: 'PONG', echoField: 'seq_id', initiator: 'server' });
    expect(p.errorMessage).toBe('ERROR');
    expect(p.errorCodePath).toBe('error_code');
    expect([loadProfile('envelope').errorCodePath, loadProfile('openirc').errorCodePath]).toEqual(['code', 'list[0].kind']);
    expect(p.timers).toEqual({ connectTimeout: 30_000, responseTimeout: 10_000, pingInterval: 30_000, pongTimeout: 60_000 });
    expect(p.limits).toEqual({ maxTextChars: 5000, maxMessageBytes: 1_048_576, maxImageBytes: 10_485_760, maxConnections: 1000 });
    expect(p.autofill).toEqual({ timestamp: 'now-iso', seq_id: 'correlation-id' });
    expect(p.specPath).toBe(join(packageRoot(), 'schemas', 'assa', 'asyncapi.yaml'));
    expect(p.generatedDir).toBe(join(packageRoot(), 'schemas', 'assa', 'generated'));
  });

  it('returns the same object for the same document (cached per path)', () => {
    expect(loadProfile('assa')).toBe(loadProfile(join(packageRoot(), 'schemas', 'assa', 'asyncapi.yaml')));
  });

  it('derives messages and request/reply operations from the server point of view', () => {
    const p = loadProfile('assa');
    const send = p.messages.find((m) => m.id === 'client.SEND_MESSAGE');
    expect(send).toMatchObject({ name: 'SEND_MESSAGE', direction: 'client', key: 'SendMessage', specSection: '§5.1', schemaFile: 'generated/client/SEND_MESSAGE.json' });
    expect(p.messages.filter((m) => m.name === 'SDP').map((m) => m.id)).toEqual(['client.SDP', 'server.SDP']);
    expect(p.operations.find((o) => o.id === 'sendMessage')).toEqual({ id: 'sendMessage', request: 'client.SEND_MESSAGE', replies: ['server.SEND_MESSAGE_RESPONSE', 'server.ERROR'] });
    expect(p.operations.find((o) => o.id === 'ping')).toEqual({ id: 'ping', request: 'server.PING', replies: ['client.PONG'] });
  });

  it('lists the error codes of §9.2 in the extension and in the ErrorCode schema alike', () => {
    const p = loadProfile('assa');
    expect(p.errorCodes).toHaveLength(11);
    const yaml = readFileSync(p.specPath, 'utf8');
    expect(yaml).toContain(`enum: [${p.errorCodes.join(', ')}]`);
  });

  it('carries every decision of docs/decisions.md with the same id, class, text and reason', () => {
    const md = readFileSync(join(packageRoot(), 'docs', 'decisions.md'), 'utf8');
    const counts: Record<string, number> = {};
    for (const profile of ['assa', 'envelope', 'openirc']) {
      // | id | class | decision | why this class |: no cell holds " | ", so the cells split on it.
      const rows = [...md.matchAll(new RegExp(`^\\| (${profile}\\.D\\d+[^ |]*) \\| (.*) \\|$`, 'gm'))].map((m) => [m[1], ...(m[2] ?? '').split(' | ')]);
      for (const row of rows) expect(row, row[0]).toHaveLength(4);
      const expected = rows.map(([id, cls, text, reason]) => ({ id, class: cls, text, reason }));
      counts[profile] = expected.length;
      expect(loadProfile(profile).decisions).toEqual(expected);
    }
    expect(counts).toEqual({ assa: 33, envelope: 7, openirc: 6 });
  });

  it('reads the decision policy and whether server messages are open, with their defaults', () => {
    expect(['assa', 'envelope', 'openirc'].map((name) => [loadProfile(name).decisionPolicy, loadProfile(name).serverMessages])).toEqual([
      ['cap', 'closed'],
      ['cap', 'closed'],
      ['cap', 'open'],
    ]);
    const path = write('policy.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION}  decisionPolicy: enforce\n  serverMessages: open\n`);
    expect([loadProfile(path).decisionPolicy, loadProfile(path).serverMessages]).toEqual(['enforce', 'open']);
  });

  it('lists the bundled profiles', () => {
    expect(listProfiles()).toContain('assa');
  });
});

describe('loadProfile on bad input', () => {
  it('a missing file is CC_ERR_FILE_NOT_FOUND', () => {
    const missing = join(dir, 'nope.yaml');
    expect(codeOf(() => loadProfile(missing))).toEqual({ code: 'CC_ERR_FILE_NOT_FOUND', message: `cannot read ${missing}: no such file` });
  });

  it('invalid YAML is CC_ERR_SPEC_YAML with line and column', () => {
    const path = write('bad.yaml', 'asyncapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\n');
    const { code, message } = codeOf(() => loadProfile(path));
    expect(code).toBe('CC_ERR_SPEC_YAML');
    expect(message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: invalid YAML: `));
  });

  it('a document that is not AsyncAPI 3.0 is CC_ERR_SPEC_NOT_ASYNCAPI3', () => {
    const path = write('v2.yaml', 'asyncapi: 2.6.0\ninfo: {title: t, version: "1"}\n');
    expect(codeOf(() => loadProfile(path))).toEqual({ code: 'CC_ERR_SPEC_NOT_ASYNCAPI3', message: `${path} is not an AsyncAPI 3.0 document (asyncapi is "2.6.0")` });
    const openapi = write('openapi.yaml', 'openapi: 3.1.0\n');
    expect(codeOf(() => loadProfile(openapi)).message).toBe(`${openapi} is not an AsyncAPI 3.0 document (it has no \`asyncapi\` field)`);
  });

  it('an unknown profile name is CC_ERR_UNKNOWN_PROFILE listing the known ones', () => {
    try {
      loadProfile('nosuch');
      throw new Error('expected an error');
    } catch (err) {
      expect((err as CcError).code).toBe('CC_ERR_UNKNOWN_PROFILE');
      expect((err as CcError).hint).toBe(`known profiles: ${listProfiles().join(', ')}; or pass the path of an AsyncAPI 3.0 document`);
    }
  });

  it('a missing extension, or a bad field in it, is CC_ERR_SPEC_EXTENSION naming the path', () => {
    const none = write('noext.yaml', 'asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n');
    expect(codeOf(() => loadProfile(none))).toEqual({ code: 'CC_ERR_SPEC_EXTENSION', message: `${none}: invalid x-chat-conform extension: the document has no root-level x-chat-conform field` });
    const bad = write('badext.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION.replace('codec: json', 'codec: xml')}`);
    expect(codeOf(() => loadProfile(bad))).toEqual({ code: 'CC_ERR_SPEC_EXTENSION', message: `${bad}: invalid x-chat-conform extension: /x-chat-conform/codec: must be one of "json", "msgpack"` });
    const timer = write('badtimer.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION}  timers: {pingInterval: soon}\n`);
    expect(codeOf(() => loadProfile(timer)).message).toBe(`${timer}: invalid x-chat-conform extension: /x-chat-conform/timers/pingInterval: must be a duration such as 300ms, 30s or 1m`);
    const auth = write('badauth.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION.replace('{kind: none}', '{kind: query}')}`);
    expect(codeOf(() => loadProfile(auth)).message).toBe(`${auth}: invalid x-chat-conform extension: /x-chat-conform/auth: missing required field param`);
  });

  it('load settings name codes of the protocol: a tooLong or barrier code outside errorCodes is CC_ERR_SPEC_EXTENSION', () => {
    const head = `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION.replace('errorCodes: []', 'errorCodes: [unknown_type]')}`;
    const barrier = write('barrier.yaml', `${head}  load: {barrier: {send: {type: sync.barrier, data: {}}, code: unknown_type}}\n`);
    expect(loadProfile(barrier).load).toEqual({ senderCopy: 'allowed', barrier: { send: { type: 'sync.barrier', data: {} }, code: 'unknown_type' } });
    const badBarrier = write('badbarrier.yaml', `${head}  load: {barrier: {send: {type: sync.barrier}, code: unknown}}\n`);
    expect(codeOf(() => loadProfile(badBarrier)).message).toBe(`${badBarrier}: invalid x-chat-conform extension: /x-chat-conform/load/barrier/code: "unknown" is not one of errorCodes`);
    const badTooLong = write('badtoolong.yaml', `${head}  load: {tooLong: TOO_BIG}\n`);
    expect(codeOf(() => loadProfile(badTooLong)).message).toBe(`${badTooLong}: invalid x-chat-conform extension: /x-chat-conform/load/tooLong: "TOO_BIG" is not one of errorCodes`);
  });

  it('a decision without a class, or with another, or a bad policy, is CC_ERR_SPEC_EXTENSION', () => {
    const head = `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\n${MINIMAL_EXTENSION}`;
    const noClass = write('noclass.yaml', `${head}  decisions: [{id: t.D1.x, text: a, reason: b}]\n`);
    expect(codeOf(() => loadProfile(noClass)).message).toBe(`${noClass}: invalid x-chat-conform extension: /x-chat-conform/decisions/0: missing required field class`);
    const otherClass = write('otherclass.yaml', `${head}  decisions: [{id: t.D1.x, class: seed, text: a, reason: b}]\n`);
    expect(codeOf(() => loadProfile(otherClass)).message).toBe(`${otherClass}: invalid x-chat-conform extension: /x-chat-conform/decisions/0/class: must be one of "reading", "choice"`);
    const policy = write('badpolicy.yaml', `${head}  decisionPolicy: strict\n`);
    expect(codeOf(() => loadProfile(policy)).message).toBe(`${policy}: invalid x-chat-conform extension: /x-chat-conform/decisionPolicy: must be one of "cap", "enforce"`);
    const twice = write('twice.yaml', `${head}  decisions: [{id: t.D1.x, class: choice, text: a, reason: b}, {id: t.D1.x, class: reading, text: c, reason: d}]\n`);
    expect(codeOf(() => loadProfile(twice)).message).toBe(`${twice}: invalid x-chat-conform extension: /x-chat-conform/decisions: t.D1.x is listed twice`);
  });

  it('an x-decision or x-decisions naming no decision of the profile is CC_ERR_SPEC_EXTENSION with its pointer', () => {
    const decisions = '  decisions: [{id: t.D1.x, class: choice, text: a, reason: b}]\n';
    const schema = write('dangling.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\ncomponents:\n  schemas:\n    Id: {type: integer, x-decision: t.D2.x}\n${MINIMAL_EXTENSION}${decisions}`);
    expect(codeOf(() => loadProfile(schema))).toEqual({ code: 'CC_ERR_SPEC_EXTENSION', message: `${schema}: invalid x-chat-conform extension: /components/schemas/Id/x-decision: "t.D2.x" is not a decision of /x-chat-conform/decisions` });
    const message = write('dangling-message.yaml', `asyncapi: 3.0.0\ninfo: {title: t, version: "1"}\ncomponents:\n  messages:\n    M: {x-decisions: [t.D1.x, t.D3]}\n${MINIMAL_EXTENSION}${decisions}`);
    expect(codeOf(() => loadProfile(message)).message).toBe(`${message}: invalid x-chat-conform extension: /components/messages/M/x-decisions/1: "t.D3" is not a decision of /x-chat-conform/decisions`);
  });

  it('a profile loaded by path takes its name from the extension or its folder', () => {
    const path = write('mine.yaml', `asyncapi: 3.0.0\ninfo: {title: Mine, version: "2"}\n${MINIMAL_EXTENSION}`);
    const p = loadProfile(path);
    expect(p).toMatchObject({ title: 'Mine', version: '2', namingField: 'type', messages: [], operations: [], decisions: [], timers: {} });
    expect(p.name).toBe(dir.split('/').pop());
  });
});
