import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../profile/load.js';
import { CcError } from '../../errors.js';
import { packageRoot } from '../../util/paths.js';
import { memoryIO } from '../io.js';
import { main } from '../main.js';
import { validateCommand } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ts = '2024-01-01T12:00:00.000Z';
const sendMessage = { action: 'SEND_MESSAGE', data: { room_id: 100, content: 'hi', message_type: 'text' }, timestamp: ts, seq_id: 's1' };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...args: string[]) {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

describe('chat-conform validate', () => {
  it('names the message each NDJSON line matched and prints each error with pointer, expected and found', async () => {
    const path = file('mixed.ndjson', [
      JSON.stringify(sendMessage),
      JSON.stringify({ ...sendMessage, data: { ...sendMessage.data, room_id: '100' }, extra: true }),
      '',
      JSON.stringify({ action: 'SEND_MESAGE' }),
    ].join('\n'));
    const { code, stdout, stderr } = await run('validate', '--profile', 'assa', path);
    expect(stdout.split('\n')).toEqual([
      `${path}:1: SEND_MESSAGE (client): valid`,
      `${path}:2: SEND_MESSAGE (client): invalid`,
      '  /data/room_id: type: expected integer, found string "100"',
      '  NON-STRICT: fields the spec does not define: /extra',
      `${path}:4: matches none: profile assa has no message named "SEND_MESAGE"`,
      '3 messages: 1 valid, 2 invalid',
    ]);
    expect(stderr).toBe('chat-conform: CC_ERR_INVALID_MESSAGES 2 of 3 messages are invalid');
    expect(code).toBe(1);
  });

  it('exits 0 when every message is valid, reporting undefined fields as NON-STRICT', async () => {
    const path = file('ok.json', JSON.stringify({ ...sendMessage, trace_id: 'x' }, null, 2));
    const { code, stdout } = await run('validate', '--profile', 'assa', path);
    expect(stdout.split('\n')).toEqual([`${path}: SEND_MESSAGE (client): valid, NON-STRICT: fields the spec does not define: /trace_id`, '1 message: 1 valid (1 NON-STRICT), 0 invalid']);
    expect(code).toBe(0);
  });

  it('treats a top-level JSON array as a list of messages', async () => {
    const path = file('array.json', JSON.stringify([sendMessage, { action: 'PING', timestamp: ts, seq_id: 'p' }]));
    const summary = await validateCommand({ profile: loadProfile('assa'), file: path }, memoryIO());
    expect(summary.inputs.map((i) => [i.label, i.valid, i.outcomes.map((o) => o.direction)])).toEqual([
      [`${path}[0]`, true, ['client']],
      [`${path}[1]`, true, ['server']],
    ]);
  });

  it('reports both directions for a name that exists both ways, unless --direction is given', async () => {
    const sdp = { action: 'SDP', data: { video_room_id: 200, target_user_id: 456, sdp_type: 'offer', sdp_data: 'v=0' }, timestamp: ts, seq_id: 'sdp' };
    const path = file('sdp.json', JSON.stringify(sdp));
    const io = memoryIO();
    const both = await validateCommand({ profile: loadProfile('assa'), file: path }, io);
    expect(both.valid).toBe(1);
    expect(io.stdout).toEqual([
      `${path}: SDP (client): valid`,
      `${path}: SDP (server): invalid`,
      '  /data/sender_user_id: required: expected present, found missing',
      '  NON-STRICT: fields the spec does not define: /data/target_user_id',
      '1 message: 1 valid, 0 invalid',
    ]);
    const server = await run('validate', '--profile', 'assa', '--direction', 'server', path);
    expect(server.code).toBe(1);
  });

  it('checks a message without a naming field when it is named with --message (OpenIRC login reply)', async () => {
    const reply = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'spec', 'fixtures', 'openirc', 's1-shape-2.server.login.reply.json'), 'utf8')) as unknown;
    const path = file('login.json', JSON.stringify(reply));
    const named = await run('validate', '--profile', 'openirc', '--message', 'login.reply', path);
    expect(named.stdout.split('\n')[0]).toBe(`${path}: login.reply (server): valid`);
    expect(named.code).toBe(0);
    const unnamed = await run('validate', '--profile', 'openirc', path);
    expect(unnamed.stdout.split('\n')[0]).toBe(`${path}: invalid: no "kind" field naming the message (found missing)`);
    expect(unnamed.code).toBe(1);
  });

  it('reads standard input with -', async () => {
    const summary = await validateCommand({ profile: loadProfile('assa'), file: '-', stdin: async () => `${JSON.stringify(sendMessage)}\n` }, memoryIO());
    expect(summary.inputs[0]?.label).toBe('<stdin>');
    expect(summary.valid).toBe(1);
  });

  it('prints JSON results with --json', async () => {
    const path = file('json-out.json', JSON.stringify({ ...sendMessage, seq_id: 5 }));
    const io = memoryIO();
    await validateCommand({ profile: loadProfile('assa'), file: path, json: true }, io);
    const out = JSON.parse(io.stdout.join('\n')) as { invalid: number; inputs: { results: { kind: string; message: string; errors: { pointer: string }[] }[] }[] };
    expect(out.invalid).toBe(1);
    expect(out.inputs[0]?.results[0]).toMatchObject({ kind: 'invalid', message: 'SEND_MESSAGE', errors: [{ pointer: '/seq_id' }] });
  });
});

describe('chat-conform validate: only a deviation from the seed makes a message invalid', () => {
  const sendReply = (data: Record<string, unknown>) => ({
    action: 'SEND_MESSAGE_RESPONSE', success: true, message: 'sent', seq_id: 's1', timestamp: ts,
    data: { message_id: 1001, room_id: 100, content: 'hi', message_type: 'text', created_at: ts, ...data },
  });
  const lines = [
    sendReply({ client_message_id: null }),
    { action: 'ERROR', success: false, message: 'bad', error_code: 'INVALID_JSON', data: { original_action: null }, timestamp: ts, seq_id: 'e' },
    { action: 'MEDIA_STATUS_RESPONSE', success: true, data: { video_room_id: 1, audio_enabled: 'yes', video_enabled: true }, timestamp: ts, seq_id: 'm' },
    { action: 'TYPING', timestamp: ts, seq_id: 't' },
  ];

  it('prints readings and lenient deviations as NON-STRICT, choices as INFORMATIONAL, each with its rule, and exits 0', async () => {
    const path = file('server.ndjson', lines.map((l) => JSON.stringify(l)).join('\n'));
    const { code, stdout } = await run('validate', '--profile', 'assa', '--direction', 'server', path);
    expect(stdout.split('\n')).toEqual([
      `${path}:1: SEND_MESSAGE_RESPONSE (server): valid`,
      '  /data/client_message_id: NON-STRICT (lenient: optional-null): type: expected string, found null',
      `${path}:2: ERROR (server): valid`,
      '  /data/original_action: NON-STRICT (lenient: optional-null): type: expected string, found null',
      '  /error_code: NON-STRICT (lenient: open-enum): enum: expected one of "AUTH_FAILED", "INVALID_TOKEN", "ROOM_NOT_FOUND", "PERMISSION_DENIED", "ROOM_FULL", "USER_NOT_IN_ROOM", "MESSAGE_TOO_LONG", "INVALID_MESSAGE_TYPE", "FILE_UPLOAD_FAILED", "VIDEO_ROOM_NOT_FOUND", "MAX_PARTICIPANTS_REACHED", found string "INVALID_JSON"',
      `${path}:3: MEDIA_STATUS_RESPONSE (server): valid`,
      '  /data/audio_enabled: INFORMATIONAL (choice: assa.D7.replies): type: expected boolean, found string "yes"',
      `${path}:4: matches none: no server message is named "TYPING", NON-STRICT (reading: the profile defines every server message)`,
      '4 messages: 4 valid (3 NON-STRICT, 1 INFORMATIONAL), 0 invalid',
    ]);
    expect(code).toBe(0);
  });

  it('is invalid for a type the seed shows otherwise, whatever notes come with it', async () => {
    const path = file('seed.ndjson', [sendReply({ client_message_id: null, content: 42 }), ...lines.slice(2)].map((l) => JSON.stringify(l)).join('\n'));
    const io = memoryIO();
    const summary = await validateCommand({ profile: loadProfile('assa'), file: path, direction: 'server' }, io);
    expect(io.stdout.slice(0, 3)).toEqual([
      `${path}:1: SEND_MESSAGE_RESPONSE (server): invalid`,
      '  /data/client_message_id: NON-STRICT (lenient: optional-null): type: expected string, found null',
      '  /data/content: type: expected string, found integer 42',
    ]);
    expect(io.stdout.at(-1)).toBe('3 messages: 2 valid (1 NON-STRICT, 1 INFORMATIONAL), 1 invalid');
    expect(summary.inputs.map((i) => [i.verdict, i.valid])).toEqual([['FAIL', false], ['INFORMATIONAL', true], ['NON-STRICT', true]]);
    const { code } = await run('validate', '--profile', 'assa', '--direction', 'server', path);
    expect(code).toBe(1);
  });

  it('records a server message OpenIRC does not define as INFORMATIONAL: seed 001 leaves them open', async () => {
    const path = file('join.json', JSON.stringify({ kind: 'join', target: { connid: 0, kind: 'channel', name: '#a' }, from: { nickname: 'bob' } }));
    const { code, stdout } = await run('validate', '--profile', 'openirc', '--direction', 'server', path);
    expect(stdout.split('\n')).toEqual([
      `${path}: matches none: no server message is named "join" (it is a client message: pass --direction), INFORMATIONAL (choice: the profile leaves server messages open)`,
      '1 message: 1 valid (1 INFORMATIONAL), 0 invalid',
    ]);
    expect(code).toBe(0);
  });

  it('fails deviations from decisions under a profile with decisionPolicy: enforce, never lenient ones', async () => {
    const spec = join(dir, 'enforced', 'asyncapi.yaml');
    mkdirSync(dirname(spec), { recursive: true });
    writeFileSync(spec, `${readFileSync(join(packageRoot(), 'schemas', 'assa', 'asyncapi.yaml'), 'utf8')}  decisionPolicy: enforce\n`);
    const path = file('enforced.ndjson', lines.slice(0, 3).map((l) => JSON.stringify(l)).join('\n'));
    const io = memoryIO();
    const summary = await validateCommand({ profile: loadProfile(spec), file: path, direction: 'server' }, io);
    expect(io.stdout.slice(5)).toEqual([
      `${path}:3: MEDIA_STATUS_RESPONSE (server): invalid`,
      '  /data/audio_enabled: FAIL (choice: assa.D7.replies): type: expected boolean, found string "yes"',
      '3 messages: 2 valid (2 NON-STRICT), 1 invalid',
    ]);
    expect(summary.inputs.map((i) => i.verdict)).toEqual(['NON-STRICT', 'NON-STRICT', 'FAIL']);
  });

  it('gives each result its verdict and the summary its notes with --json', async () => {
    const path = file('notes.json', JSON.stringify(lines[0]));
    const io = memoryIO();
    await validateCommand({ profile: loadProfile('assa'), file: path, json: true }, io);
    const out = JSON.parse(io.stdout.join('\n')) as Record<string, unknown> & { inputs: { verdict: string; results: { verdict: string; errors: { source: string; rule: string }[] }[] }[] };
    expect([out.decisionPolicy, out.valid, out.invalid, out.nonStrict, out.informational]).toEqual(['cap', 1, 0, 1, 0]);
    expect(out.inputs[0]?.verdict).toBe('NON-STRICT');
    expect(out.inputs[0]?.results[0]).toMatchObject({ verdict: 'NON-STRICT', errors: [{ source: 'lenient', rule: 'optional-null' }] });
  });
});

describe('chat-conform validate on bad input (exit 2)', () => {
  it('a line that is not JSON is CC_ERR_INPUT_PARSE with source:line', async () => {
    const path = file('broken.ndjson', `${JSON.stringify(sendMessage)}\n{"action": "PONG",\n`);
    const { code, stderr } = await run('validate', '--profile', 'assa', path);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^chat-conform: CC_ERR_INPUT_PARSE ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not JSON: `));
  });

  it('a multi-line JSON document with a syntax error is reported at the line of the error', async () => {
    const path = file('pretty.json', '{\n  "action": "PING",\n  "seq_id": \n}\n');
    const err = await validateCommand({ profile: loadProfile('assa'), file: path }, memoryIO()).catch((e: unknown) => e);
    expect((err as CcError).code).toBe('CC_ERR_INPUT_PARSE');
    expect((err as CcError).params.line).toBe(4);
    const comma = file('comma.json', '{\n  "action": "PING",\n  "seq_id": "p"\n  "timestamp": "x"\n}\n');
    const err2 = await validateCommand({ profile: loadProfile('assa'), file: comma }, memoryIO()).catch((e: unknown) => e);
    expect((err2 as CcError).params.line).toBe(4);
  });

  it('a missing file, an unknown profile and an unknown --message each exit 2 with their code', async () => {
    const missing = await run('validate', '--profile', 'assa', join(dir, 'nope.json'));
    expect([missing.code, missing.stderr]).toEqual([2, `chat-conform: CC_ERR_FILE_NOT_FOUND cannot read ${join(dir, 'nope.json')}: no such file (check the path)`]);
    const path = file('one.json', JSON.stringify(sendMessage));
    const profile = await run('validate', '--profile', 'nosuch', path);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('CC_ERR_UNKNOWN_PROFILE unknown profile "nosuch" (known profiles: assa, envelope, openirc;');
    const message = await run('validate', '--profile', 'assa', '--message', 'NOPE', path);
    expect(message.code).toBe(2);
    expect(message.stderr).toContain('CC_ERR_UNKNOWN_MESSAGE profile assa has no client or server message named NOPE');
    const direction = await run('validate', '--profile', 'assa', '--direction', 'sideways', path);
    expect(direction.code).toBe(2);
    expect(direction.stderr).toContain('CC_ERR_USAGE');
  });
});

describe('chat-conform profiles and schemas', () => {
  it('lists the profiles with transports, codec and number of messages', async () => {
    const { code, stdout } = await run('profiles');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'PROFILE   TRANSPORTS  CODEC    MESSAGES  TITLE',
      'assa      tcp,ws      json     42        ASSA realtime socket server protocol 1.0.0',
      'envelope  ws          json     11        Envelope chat protocol 1.0.0',
      'openirc   ws          msgpack  9         OpenIRC protocol 0.0.0',
    ]);
  });

  it('lists a profile\'s messages with --messages', async () => {
    const { stdout } = await run('profiles', '--messages', 'envelope');
    expect(stdout.split('\n')).toContain('  client  chat.message  type + data envelope; Code');
    expect(stdout.split('\n')).toContain('  server  error         Error 도 message');
  });

  it('schemas without a subcommand is a usage error (exit 2)', async () => {
    const { code, stderr } = await run('schemas');
    expect(code).toBe(2);
    expect(stderr).toBe('chat-conform: CC_ERR_USAGE `chat-conform schemas` needs a subcommand: build or check (see `chat-conform --help`)');
  });

  it('schemas check passes on the committed files and exits 0', async () => {
    const { code, stdout } = await run('schemas', 'check');
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'assa: generated schemas match schemas/assa/asyncapi.yaml',
      'envelope: generated schemas match schemas/envelope/asyncapi.yaml',
      'openirc: generated schemas match schemas/openirc/asyncapi.yaml',
    ]);
  });
});
