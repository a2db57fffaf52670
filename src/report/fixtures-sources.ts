/**
 * Example reports of what version 2 added, for tests of the schema, the reporters, merge and
 * compare: case and finding sources with capped verdicts, NOT-ASSESSED cases and their root
 * causes, message shapes, and findings repeated across cases. The runner does not produce these
 * yet; they are shaped after issue 13's observations (an independent ASSA server, a Java server
 * that speaks another dialect).
 */
import { FIXTURE_JWT, FIXTURE_TOOL } from './fixtures.js';
import { REPORT_VERSION, type CaseResult, type Finding, type RunReport, type TranscriptEntry } from './model.js';
import { rootCausesOf } from './root-causes.js';
import { summariseRun } from './run-summary.js';
import { ShapeCollector, type ShapeInput } from './shapes.js';

function out(client: string, message: string, text: string): TranscriptEntry {
  return { client, direction: 'out', at: 0, bytes: Buffer.byteLength(text), text, truncated: false, message };
}

function inbound(client: string, message: string, text: string): TranscriptEntry {
  return { client, direction: 'in', at: 0, bytes: Buffer.byteLength(text), text, truncated: false, message };
}

/** A transcript whose entries are 1.5 ms apart. */
function timed(entries: TranscriptEntry[]): TranscriptEntry[] {
  return entries.map((e, i) => ({ ...e, at: 0.5 + i * 1.5 }));
}

const CONNECT = `{"action":"CONNECT","seq_id":1,"data":{"token":"${FIXTURE_JWT}"}}`;
const CONNECTED = '{"action":"CONNECT_RESPONSE","seq_id":1,"data":{"success":true,"user_id":"u1"}}';

function header(startedAt: string, finishedAt: string, url: string): Pick<RunReport, 'reportVersion' | 'tool' | 'command' | 'startedAt' | 'finishedAt' | 'durationMs' | 'target' | 'profile'> {
  return { reportVersion: REPORT_VERSION, tool: FIXTURE_TOOL, command: 'run', startedAt, finishedAt, durationMs: Date.parse(finishedAt) - Date.parse(startedAt), target: { url, embedded: false }, profile: 'assa' };
}

const SENT_NULL_ECHO = '{"action":"SEND_MESSAGE_RESPONSE","seq_id":3,"data":{"success":true,"message_id":7,"client_message_id":null}}';

/**
 * A run against an independent server: a case capped by a reading (NON-STRICT, FAIL under
 * enforce), one by a choice (INFORMATIONAL), one NOT-ASSESSED at `reply to JOIN_ROOM`, a seed FAIL
 * whose subject message also has a lenient schema finding.
 */
export function sourcesCases(): CaseResult[] {
  const closedJoin: Finding = {
    verdict: 'NON-STRICT',
    code: 'CC_CHECK_MISMATCH',
    message: 'JOIN_ROOM_RESPONSE to an uninvited user: expected success false, got success: true',
    step: { path: 'steps[1].expect', line: 31 },
    section: 'ASSA §4.1',
    evidence: { client: 'bob', message: 'JOIN_ROOM_RESPONSE', pointer: '/data/success', expected: false, actual: true, transcriptIndex: 1 },
    source: { kind: 'reading', rule: 'assa.D12.closed-rooms' },
    cappedFrom: 'FAIL',
  };
  const closeCode: Finding = {
    verdict: 'INFORMATIONAL',
    code: 'CC_CHECK_CLOSE_CODE',
    message: 'closed with 1008 (policy violation); decision assa.D5.close-codes says 4408 — the seed names no close code',
    step: { path: 'steps[2].check', line: 58 },
    section: 'ASSA §10.2',
    evidence: { client: 'mute', expected: [4408], actual: 1008 },
    source: { kind: 'choice', rule: 'assa.D5.close-codes' },
    cappedFrom: 'FAIL',
  };
  const joinTimeout: Finding = {
    verdict: 'FAIL',
    code: 'CC_CHECK_TIMEOUT',
    message: 'no reply to JOIN_ROOM within 10s',
    step: { path: 'setup[3].expect', line: 77 },
    section: 'ASSA §10.2',
    evidence: { client: 'bob', message: 'JOIN_ROOM_RESPONSE', expected: 'JOIN_ROOM_RESPONSE', actual: 'nothing', transcriptIndex: 4 },
  };
  const nullEcho: Finding = {
    verdict: 'NON-STRICT',
    code: 'CC_SCHEMA_INVALID',
    message: 'SEND_MESSAGE_RESPONSE /data/client_message_id is null; the profile writes it as a string when present',
    section: 'ASSA §5.1',
    evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/client_message_id', expected: 'string', actual: 'null', transcriptIndex: 3 },
    source: { kind: 'lenient', rule: 'optional-null' },
    cappedFrom: 'FAIL',
  };
  const tooLong: Finding = {
    verdict: 'FAIL',
    code: 'CC_CHECK_MISMATCH',
    message: 'a 5,001-character text: expected error_code MESSAGE_TOO_LONG, got success: true',
    step: { path: 'steps[0].expect', line: 12 },
    section: 'ASSA §5.1',
    evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/error_code', expected: 'MESSAGE_TOO_LONG', actual: null, transcriptIndex: 3 },
  };
  const base = { profile: 'assa', strength: 'MUST' as const, durationMs: 20 };
  const cases: CaseResult[] = [
    {
      ...base, id: 'assa.rooms.create', title: 'CREATE_ROOM makes the creator its host', file: 'scenarios/conformance/assa/rooms.yaml', line: 3,
      specSections: ['ASSA §4.1'], tags: ['rooms'], verdict: 'PASS', findings: [], source: { kind: 'seed' },
      traffic: { connections: 1, bytesIn: 190, bytesOut: 260 },
      transcript: [out('alice', 'CONNECT', CONNECT), inbound('alice', 'CONNECT_RESPONSE', CONNECTED)],
    },
    {
      ...base, id: 'assa.rooms.closed-join', title: 'An uninvited user cannot join a closed room', file: 'scenarios/conformance/assa/rooms.yaml', line: 24,
      specSections: ['ASSA §4.1'], tags: ['rooms'], verdict: 'NON-STRICT', decidedBy: closedJoin, findings: [closedJoin],
      source: { kind: 'reading', decision: 'assa.D12.closed-rooms' }, traffic: { connections: 2, bytesIn: 380, bytesOut: 520 },
      transcript: [out('bob', 'JOIN_ROOM', '{"action":"JOIN_ROOM","seq_id":2,"data":{"room_id":9}}'), inbound('bob', 'JOIN_ROOM_RESPONSE', '{"action":"JOIN_ROOM_RESPONSE","seq_id":2,"data":{"success":true}}')],
    },
    {
      ...base, id: 'assa.heartbeat.pong-timeout', title: 'A client that never answers PING is disconnected', file: 'scenarios/conformance/assa/heartbeat.yaml', line: 40,
      specSections: ['ASSA §10.2'], tags: ['heartbeat'], verdict: 'INFORMATIONAL', decidedBy: closeCode, findings: [closeCode],
      source: { kind: 'choice', decision: 'assa.D5.close-codes' }, traffic: { connections: 1, bytesIn: 120, bytesOut: 180 },
      transcript: [inbound('mute', 'PING', '{"action":"PING","seq_id":1,"timestamp":1}'), { client: 'mute', direction: 'in', at: 0, bytes: 0, text: '', truncated: false, event: 'close 1008 "policy violation"' }],
    },
    {
      ...base, id: 'assa.send.order', title: 'Messages reach every other member in send order', file: 'scenarios/conformance/assa/send.yaml', line: 60,
      specSections: ['ASSA §5.1'], tags: ['send'], verdict: 'NOT-ASSESSED', decidedBy: joinTimeout, findings: [joinTimeout], source: { kind: 'seed' },
      blockedBy: { path: 'setup[3].expect', line: 77, label: 'reply to JOIN_ROOM', finding: joinTimeout },
      traffic: { connections: 2, bytesIn: 412, bytesOut: 530 },
      transcript: [
        out('alice', 'CONNECT', CONNECT), inbound('alice', 'CONNECT_RESPONSE', CONNECTED),
        out('bob', 'CONNECT', CONNECT), inbound('bob', 'CONNECT_RESPONSE', CONNECTED),
        out('bob', 'JOIN_ROOM', '{"action":"JOIN_ROOM","seq_id":2,"data":{"room_id":9}}'),
      ],
    },
    {
      ...base, id: 'assa.send.too-long', title: 'A 5,001-character message is refused with MESSAGE_TOO_LONG', file: 'scenarios/conformance/assa/limits.yaml', line: 9,
      specSections: ['ASSA §5.1'], tags: ['limits'], verdict: 'FAIL', decidedBy: tooLong, findings: [tooLong, nullEcho], source: { kind: 'seed' },
      traffic: { connections: 1, bytesIn: 300, bytesOut: 5300 },
      transcript: [
        out('alice', 'CONNECT', CONNECT), inbound('alice', 'CONNECT_RESPONSE', CONNECTED),
        out('alice', 'SEND_MESSAGE', '{"action":"SEND_MESSAGE","seq_id":3,"data":{"room_id":9,"content":"aaaa…'),
        inbound('alice', 'SEND_MESSAGE_RESPONSE', SENT_NULL_ECHO),
      ],
    },
  ];
  return cases.map((c) => ({ ...c, transcript: timed(c.transcript) }));
}

/** The message shapes of the sources run, counted through a ShapeCollector as the runner will. */
export function sourcesShapes(): ShapeCollector {
  const shapes = new ShapeCollector();
  const seen = (caseId: string, input: Omit<ShapeInput, 'profile' | 'direction'>, times = 1): void => {
    for (let i = 0; i < times; i++) shapes.add(caseId, { profile: 'assa', direction: 'server', ...input });
  };
  // A wrong type where the seed shows a number: a client would break. No case had it as its subject.
  const roomInfo = '{"action":"ROOM_INFO_RESPONSE","seq_id":4,"data":{"success":true,"room_id":9,"participant_count":"2"}}';
  for (const id of ['assa.rooms.create', 'assa.rooms.closed-join']) {
    seen(id, { message: 'ROOM_INFO_RESPONSE', pointer: '/data/participant_count', code: 'CC_SCHEMA_INVALID', source: { kind: 'seed' }, verdict: 'FAIL', detail: 'must be integer', expected: 'integer', actual: 'string "2"', raw: roomInfo }, 2);
  }
  for (const id of ['assa.send.too-long', 'assa.send.order', 'assa.rooms.create']) {
    seen(id, { message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/client_message_id', code: 'CC_SCHEMA_INVALID', source: { kind: 'lenient', rule: 'optional-null' }, verdict: 'NON-STRICT', detail: 'is null where the profile writes a string when present', expected: 'string', actual: 'null', raw: SENT_NULL_ECHO }, 5);
  }
  // A secret in a sample must be redacted like any transcript.
  const created = `{"action":"CREATE_ROOM_RESPONSE","seq_id":2,"data":{"success":true,"room_id":9,"debug":{"token":"${FIXTURE_JWT}"}}}`;
  for (const id of ['assa.rooms.create', 'assa.rooms.closed-join', 'assa.send.order']) {
    seen(id, { message: 'CREATE_ROOM_RESPONSE', pointer: '/data/debug', code: 'CC_SCHEMA_EXTRA_FIELDS', source: { kind: 'lenient' }, verdict: 'NON-STRICT', detail: 'a field the spec does not define', raw: created });
  }
  seen('assa.heartbeat.pong-timeout', {
    message: 'MEDIA_STATUS_RESPONSE', pointer: '/data', code: 'CC_SCHEMA_INVALID', source: { kind: 'choice', rule: 'assa.D7.replies' }, verdict: 'INFORMATIONAL',
    detail: 'must have required property data', expected: 'present', actual: 'missing', raw: '{"action":"MEDIA_STATUS_RESPONSE","seq_id":5,"success":true}',
  });
  return shapes;
}

/** The sources cases with their message shapes: one seed FAIL no case had as its subject, lenient and choice ones. Exit 1. */
export function sourcesReport(): RunReport {
  const cases = sourcesCases();
  const shapes = sourcesShapes().result();
  const report: RunReport = {
    ...header('2026-11-22T05:00:00.000Z', '2026-11-22T05:00:03.000Z', 'tcp://127.0.0.1:12345'),
    options: { profile: 'assa', decisions: 'cap', strict: false, token: FIXTURE_JWT },
    summary: summariseRun(cases, [], { shapes }),
    cases,
    shapes,
  };
  return report;
}

/**
 * Issue 13's Java server that speaks another dialect: it accepts connections and never answers.
 * 61 of 65 cases are NOT-ASSESSED at CONNECT with 0 bytes received; the 4 whose subject is the
 * connection itself FAIL (3) or record what they saw (1).
 */
export function notAssessedReport(): RunReport {
  const target = 'tcp://127.0.0.1:12345';
  const timeout = (path: string, line: number): Finding => ({
    verdict: 'FAIL', code: 'CC_CHECK_TIMEOUT', message: 'no reply to CONNECT within 10s', step: { path, line }, section: 'ASSA §10.2',
    evidence: { client: 'alice', message: 'CONNECT_RESPONSE', expected: 'CONNECT_RESPONSE', actual: 'nothing', transcriptIndex: 0 },
  });
  const areas = ['rooms', 'send', 'broadcast', 'invite', 'video', 'heartbeat', 'session'];
  const cases: CaseResult[] = [];
  for (const [i, id] of ['assa.auth.valid-token', 'assa.auth.invalid-token', 'assa.auth.expired-token'].entries()) {
    const f = timeout('steps[1].expect', 8 + i * 20);
    cases.push({
      id, title: `CONNECT with ${id.split('.')[2]?.replace('-', ' ')} gets a CONNECT_RESPONSE`, profile: 'assa', specSections: ['ASSA §3.1'], strength: 'MUST', tags: ['auth'],
      verdict: 'FAIL', durationMs: 10000, decidedBy: f, findings: [f], source: { kind: 'seed' }, traffic: { connections: 1, bytesIn: 0, bytesOut: 180 },
      transcript: [out('alice', 'CONNECT', CONNECT)],
    });
  }
  cases.push({
    id: 'assa.limits.connection-1001', title: 'The 1,001st connection', profile: 'assa', specSections: ['ASSA §10.1'], strength: 'UNSPECIFIED', tags: ['limits'],
    verdict: 'INFORMATIONAL', durationMs: 900, findings: [{ verdict: 'INFORMATIONAL', code: 'CC_CHECK_CONNECT_ACCEPTED', message: 'the server accepted connection 1,001' }],
    source: { kind: 'choice', decision: 'assa.D18.connections' }, traffic: { connections: 1001, bytesIn: 0, bytesOut: 0 }, transcript: [],
  });
  for (let i = 0; i < 61; i++) {
    const id = `assa.${areas[i % areas.length]}.case-${String(i + 1).padStart(2, '0')}`;
    const f = timeout('setup[1].expect', 6);
    const connections = 1 + (i % 2);
    cases.push({
      id, title: `Case ${i + 1}`, profile: 'assa', specSections: ['ASSA §4'], strength: 'MUST', tags: [areas[i % areas.length] as string],
      verdict: 'NOT-ASSESSED', durationMs: 10000, decidedBy: f, findings: [f], source: { kind: 'seed' },
      blockedBy: { path: 'setup[1].expect', line: 6, label: 'CONNECT', finding: f },
      traffic: { connections, bytesIn: 0, bytesOut: 180 * connections },
      transcript: [out('alice', 'CONNECT', CONNECT)],
    });
  }
  return {
    ...header('2026-11-22T06:00:00.000Z', '2026-11-22T06:02:13.000Z', target),
    options: { profile: 'assa', strict: false },
    summary: summariseRun(cases),
    cases,
    rootCauses: rootCausesOf(cases, { target }),
    shapes: [],
  };
}

/** How many cases of foldingReport fail alike. */
export const FOLDED_CASES = 40;

/**
 * 40 cases that fail the same way (each in its own room, named by uid()), one that fails
 * differently, and two that pass: the console folds the 40 into one "×40".
 */
export function foldingReport(): RunReport {
  const runId = 'mf3k9x2ab1';
  const cases: CaseResult[] = [];
  for (let i = 0; i < FOLDED_CASES; i++) {
    const id = `assa.rooms.missing-${String(i + 1).padStart(2, '0')}`;
    const room = `room-${runId}-${i}-1`;
    const f: Finding = {
      verdict: 'FAIL', code: 'CC_CHECK_MISMATCH', message: `JOIN_ROOM ${room} (never created): expected error_code ROOM_NOT_FOUND, got success: true`,
      step: { path: 'steps[0].expect', line: 14 }, section: 'ASSA §4.2',
      evidence: { client: 'alice', message: 'JOIN_ROOM_RESPONSE', pointer: '/data/error_code', expected: 'ROOM_NOT_FOUND', actual: null, transcriptIndex: 1 },
    };
    cases.push({
      id, title: `Joining a room that does not exist is refused (${i + 1})`, profile: 'assa', specSections: ['ASSA §4.2'], strength: 'MUST', tags: ['rooms'],
      verdict: 'FAIL', durationMs: 15, decidedBy: f, findings: [f], source: { kind: 'seed' }, traffic: { connections: 1, bytesIn: 150, bytesOut: 240 },
      transcript: [out('alice', 'JOIN_ROOM', `{"action":"JOIN_ROOM","seq_id":2,"data":{"room_id":"${room}"}}`), inbound('alice', 'JOIN_ROOM_RESPONSE', '{"action":"JOIN_ROOM_RESPONSE","seq_id":2,"data":{"success":true}}')],
    });
  }
  const other: Finding = { verdict: 'FAIL', code: 'CC_CHECK_TIMEOUT', message: 'no reply to EXIT_ROOM within 10s', step: { path: 'steps[2].expect', line: 40 }, section: 'ASSA §4.3' };
  cases.push({
    id: 'assa.rooms.exit', title: 'EXIT_ROOM is answered', profile: 'assa', specSections: ['ASSA §4.3'], strength: 'MUST', tags: ['rooms'],
    verdict: 'FAIL', durationMs: 10000, decidedBy: other, findings: [other], source: { kind: 'seed' }, transcript: [],
  });
  for (const id of ['assa.rooms.create', 'assa.rooms.join']) {
    cases.push({ id, title: id, profile: 'assa', specSections: ['ASSA §4.1'], strength: 'MUST', tags: ['rooms'], verdict: 'PASS', durationMs: 10, findings: [], source: { kind: 'seed' }, transcript: [] });
  }
  return {
    ...header('2026-11-22T07:00:00.000Z', '2026-11-22T07:00:11.000Z', 'tcp://127.0.0.1:12345'),
    options: { profile: 'assa' },
    summary: summariseRun(cases),
    cases,
  };
}
