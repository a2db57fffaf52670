/**
 * Hand-built example reports (a conformance run, a load run, a capacity run) for tests of the
 * schema, the reporters, merge and compare. They carry secrets on purpose (a real JWT, a password,
 * an Authorization header) so every reporter's output can be checked for redaction, and hostile
 * text (markup, control characters) so every format's escaping can be checked.
 */
import jwt from 'jsonwebtoken';
import { MetricsStore } from '../metrics/store.js';
import { REPORT_VERSION, type CaseResult, type RunReport } from './model.js';
import { summariseRun } from './run-summary.js';

export const FIXTURE_SECRET = 'fixture-signing-secret-value';
export const FIXTURE_PASSWORD = 'hunter2-fixture-password';
export const FIXTURE_JWT = jwt.sign({ sub: 'user-1', name: 'Ada', iat: 1_700_000_000 }, FIXTURE_SECRET, { algorithm: 'HS256' });

/** Every string that must never appear in any rendered report. */
export const FIXTURE_SECRETS: readonly string[] = [FIXTURE_SECRET, FIXTURE_PASSWORD, FIXTURE_JWT, 'opaque-bearer-credential'];

export const FIXTURE_TOOL = { name: 'chat-conform' as const, version: '0.1.0' };

function conformanceCases(): CaseResult[] {
  return [
    {
      id: 'assa.connect.ok',
      title: 'CONNECT with a valid JWT gets CONNECT_RESPONSE success',
      file: 'scenarios/conformance/assa/connect.yaml',
      line: 3,
      profile: 'assa',
      specSections: ['ASSA §4.1'],
      strength: 'MUST',
      tags: ['auth'],
      verdict: 'PASS',
      durationMs: 12.4,
      findings: [],
      transcript: [
        { client: 'alice', direction: 'out', at: 0.5, bytes: 180, text: `{"action":"CONNECT","seq_id":1,"data":{"token":"${FIXTURE_JWT}"}}`, truncated: false, message: 'CONNECT' },
        { client: 'alice', direction: 'in', at: 3.1, bytes: 74, text: '{"action":"CONNECT_RESPONSE","seq_id":1,"data":{"success":true}}', truncated: false, message: 'CONNECT_RESPONSE' },
      ],
    },
    {
      id: 'assa.send.too-long',
      title: 'A 5,001-character message is refused with MESSAGE_TOO_LONG',
      description: 'Text longer than 5,000 code points must be refused <even> when "astral" & friends.',
      file: 'scenarios/conformance/assa/limits.yaml',
      line: 41,
      profile: 'assa',
      specSections: ['ASSA §7.2', 'ASSA §12'],
      strength: 'MUST',
      tags: ['limits'],
      verdict: 'FAIL',
      durationMs: 30.2,
      decidedBy: {
        verdict: 'FAIL',
        code: 'CC_CHECK_FIELD',
        message: 'expected error_code MESSAGE_TOO_LONG, got success: true',
        step: { path: 'steps[2].expect', line: 48, description: 'expect SEND_MESSAGE_RESPONSE with error_code MESSAGE_TOO_LONG' },
        section: 'ASSA §7.2',
        evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/error_code', expected: 'MESSAGE_TOO_LONG', actual: null, transcriptIndex: 3 },
      },
      findings: [
        {
          verdict: 'FAIL',
          code: 'CC_CHECK_FIELD',
          message: 'expected error_code MESSAGE_TOO_LONG, got success: true',
          step: { path: 'steps[2].expect', line: 48 },
          section: 'ASSA §7.2',
          evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/error_code', expected: 'MESSAGE_TOO_LONG', actual: null, transcriptIndex: 3 },
        },
        {
          verdict: 'NON-STRICT',
          code: 'CC_SCHEMA_ADDITIONAL',
          message: 'SEND_MESSAGE_RESPONSE carries a field the spec does not define: /data/debug',
          section: 'ASSA §7.2',
          evidence: { client: 'alice', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/debug', transcriptIndex: 3 },
        },
      ],
      transcript: [
        { client: 'alice', direction: 'out', at: 0.4, bytes: 180, text: `{"action":"CONNECT","seq_id":1,"data":{"token":"${FIXTURE_JWT}"}}`, truncated: false, message: 'CONNECT' },
        { client: 'alice', direction: 'in', at: 2.2, bytes: 74, text: '{"action":"CONNECT_RESPONSE","seq_id":1,"data":{"success":true}}', truncated: false, message: 'CONNECT_RESPONSE' },
        { client: 'alice', direction: 'out', at: 5.9, bytes: 5060, text: '{"action":"SEND_MESSAGE","seq_id":2,"data":{"room_id":"r1","content":"aaaaaaaa…', truncated: true, message: 'SEND_MESSAGE' },
        {
          client: 'alice', direction: 'in', at: 9.7, bytes: 120,
          text: '{"action":"SEND_MESSAGE_RESPONSE","seq_id":2,"data":{"success":true,"debug":"<script>alert(1)</script> \u0001\u001b[31m & ]]>"}}',
          truncated: false, message: 'SEND_MESSAGE_RESPONSE',
          schemaErrors: [{ pointer: '/data/debug', message: 'must NOT have additional properties', expected: 'no property debug', actual: '<script>alert(1)</script>' }],
        },
        { client: 'alice', direction: 'in', at: 11, bytes: 0, text: '', truncated: false, event: 'close 1000 "bye"' },
      ],
    },
    {
      id: 'assa.pong.extra-field',
      title: 'PONG reply carries no undefined fields',
      profile: 'assa',
      specSections: ['ASSA §10.2'],
      strength: 'SHOULD',
      tags: ['heartbeat'],
      verdict: 'NON-STRICT',
      durationMs: 8,
      decidedBy: { verdict: 'NON-STRICT', code: 'CC_SCHEMA_ADDITIONAL', message: 'PING carries a field the spec does not define: /server', section: 'ASSA §10.2' },
      findings: [{ verdict: 'NON-STRICT', code: 'CC_SCHEMA_ADDITIONAL', message: 'PING carries a field the spec does not define: /server', section: 'ASSA §10.2' }],
      transcript: [{ client: 'bob', direction: 'in', at: 1, bytes: 60, text: '{"action":"PING","seq_id":7,"timestamp":1,"server":"x"}', truncated: false, message: 'PING' }],
    },
    {
      id: 'assa.connect.1001',
      title: 'The 1,001st connection',
      profile: 'assa',
      specSections: ['ASSA §12'],
      strength: 'UNSPECIFIED',
      tags: ['limits'],
      verdict: 'INFORMATIONAL',
      durationMs: 2,
      findings: [{ verdict: 'INFORMATIONAL', code: 'CC_INFO_OBSERVED', message: 'the server accepted connection 1,001' }],
      transcript: [],
    },
    {
      id: 'assa.auth.header',
      title: 'Authenticated upgrade with an Authorization header',
      profile: 'assa',
      specSections: ['ASSA §4'],
      strength: 'MUST',
      tags: ['auth'],
      verdict: 'ERROR',
      durationMs: 5000,
      decidedBy: { verdict: 'ERROR', code: 'CC_ERR_CONNECT', message: 'cannot connect: GET / with Authorization: Bearer opaque-bearer-credential refused (ECONNREFUSED)' },
      findings: [{ verdict: 'ERROR', code: 'CC_ERR_CONNECT', message: 'cannot connect: GET / with Authorization: Bearer opaque-bearer-credential refused (ECONNREFUSED)' }],
      transcript: [{ client: 'carol', direction: 'out', at: 0, bytes: 0, text: '', truncated: false, event: 'connect failed: ECONNREFUSED' }],
    },
  ];
}

const OPTIONS = {
  profile: 'assa',
  jwtSecret: FIXTURE_SECRET,
  password: FIXTURE_PASSWORD,
  token: FIXTURE_JWT,
  headers: { Authorization: 'Bearer opaque-bearer-credential', 'X-Trace': 'on' },
  timeouts: { reply: 10000 },
  strict: false,
};

export function conformanceReport(): RunReport {
  const cases = conformanceCases();
  return {
    reportVersion: REPORT_VERSION,
    tool: FIXTURE_TOOL,
    command: 'run',
    startedAt: '2026-11-22T04:00:00.000Z',
    finishedAt: '2026-11-22T04:00:05.100Z',
    durationMs: 5100,
    target: { url: `ws://127.0.0.1:41234/chat?token=${FIXTURE_JWT}`, embedded: false },
    profile: 'assa',
    options: OPTIONS,
    summary: summariseRun(cases),
    cases,
    coverage: {
      messages: [
        { id: 'CONNECT', sent: 3, received: 0 },
        { id: 'CONNECT_RESPONSE', sent: 0, received: 2 },
        { id: 'SEND_MESSAGE', sent: 1, received: 0 },
        { id: 'SEND_MESSAGE_RESPONSE', sent: 0, received: 1 },
        { id: 'PING', sent: 0, received: 1 },
        { id: 'JOIN_ROOM', sent: 0, received: 0 },
      ],
      operations: [
        { id: 'connect', count: 3 },
        { id: 'sendMessage', count: 1 },
        { id: 'joinRoom', count: 0 },
      ],
      unmatched: 1,
      unmatchedSamples: ['{"action":"HELLO","seq_id":9}'],
    },
  };
}

/** Deterministic latencies (µs) with a long tail, from a small LCG. */
export function fixtureLatencies(seed: number, n: number, scaleUs: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648;
    out.push(Math.round(scaleUs * (0.5 + u + (u > 0.98 ? 20 * (u - 0.98) * 50 : 0))));
  }
  return out;
}

/** The metrics of one load run (or one shard of it: `seedOffset` picks different values). */
export function loadStore(seedOffset = 0, n = 4000): MetricsStore {
  const store = new MetricsStore();
  for (const v of fixtureLatencies(11 + seedOffset, n, 2000)) store.record('connect', v);
  for (const v of fixtureLatencies(23 + seedOffset, n, 3000)) store.record('auth', v);
  for (const v of fixtureLatencies(37 + seedOffset, n * 5, 1500)) store.record('reply', v);
  for (const v of fixtureLatencies(53 + seedOffset, n * 5, 4000)) store.record('delivery', v);
  store.increment('messages.sent', n * 5);
  store.increment('messages.received', n * 5 * 3);
  store.increment('bytes.sent', n * 5 * 120);
  store.increment('errors.ROOM_FULL', 3 + seedOffset);
  store.increment('schema.violations', 0);
  store.increment('reconnects', 1);
  return store;
}

export function loadReport(): RunReport {
  const store = loadStore();
  const thresholds = [
    { expression: 'reply.p99<100ms', metric: 'reply.p99', actual: store.summarise('reply').p99, passed: true, source: 'flag' as const },
    { expression: 'delivery.p99<5ms', metric: 'delivery.p99', actual: store.summarise('delivery').p99, passed: false, source: 'scenario' as const },
    { expression: 'delivery.lost==0', metric: 'delivery.lost', actual: 1, passed: false, source: 'flag' as const },
  ];
  const cases: CaseResult[] = [];
  return {
    reportVersion: REPORT_VERSION,
    tool: FIXTURE_TOOL,
    command: 'load',
    startedAt: '2026-11-22T04:10:00.000Z',
    finishedAt: '2026-11-22T04:11:00.000Z',
    durationMs: 60000,
    target: { url: 'tcp://127.0.0.1:12345', embedded: true },
    profile: 'assa',
    options: { clients: 1000, duration: 60000, password: FIXTURE_PASSWORD, threshold: ['reply.p99<100ms', 'delivery.lost==0'] },
    summary: summariseRun(cases, thresholds),
    cases,
    load: {
      clients: 1000,
      durationMs: 60000,
      histograms: store.summariseAll(),
      // The schema evidence below is what these 1085 violations were.
      counters: { ...store.counters(), 'schema.violations': 1085, 'schema.non_strict': 12 },
      delivery: [
        { room: 'r1', expected: 500, delivered: 499, lost: 1, duplicated: 0, reordered: 0 },
        { room: 'r2', expected: 500, delivered: 500, lost: 0, duplicated: 0, reordered: 2 },
        { room: 'r3', expected: 500, delivered: 500, lost: 0, duplicated: 0, reordered: 0, selfCopies: 500, selfMissing: 0, leaked: 3, offlineCopies: 0 },
      ],
      schemaViolations: [{
        class: 'FAIL', source: 'seed', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/message_id', count: 1085, expected: 'integer', actual: 'string "12"',
        sample: { text: '{"action":"SEND_MESSAGE_RESPONSE","success":true,"data":{"message_id":"12"}}', truncated: false },
      }, {
        class: 'NON-STRICT', source: 'reading', rule: 'assa.D4.image', message: 'NEW_MESSAGE', pointer: '/data/message_type', count: 12, expected: 'one of "text", "image"', actual: 'string "video"',
        sample: { text: '{"action":"NEW_MESSAGE","data":{"message_type":"video"}}', truncated: false },
      }],
      series: [0, 1, 2, 3, 4, 5].map((i) => ({ t: (i + 1) * 10000, sent: 3000 + i * 100, received: 9000 + i * 300, p50: 1.5 + i * 0.1, p99: 4 + i, connected: Math.min(1000, (i + 1) * 300) })),
    },
    thresholds,
    generator: { eventLoopLagP99Ms: 4.2, eventLoopLagMaxMs: 12, cpuPercent: 61, saturated: false },
  };
}

export function capacityReport(): RunReport {
  const steps = [100, 200, 400, 800, 1600].map((load, i) => ({
    load,
    unit: 'clients' as const,
    throughput: [980, 1960, 3900, 6100, 5800][i] ?? 0,
    p50Ms: [1.1, 1.2, 1.6, 4.8, 40][i] ?? 0,
    p99Ms: [3, 3.5, 6, 48, 900][i] ?? 0,
    sloPassed: i < 3,
    broken: i < 3 ? [] : ['reply.p99<20ms'],
    generatorSaturated: false,
  }));
  const cases: CaseResult[] = [];
  return {
    reportVersion: REPORT_VERSION,
    tool: FIXTURE_TOOL,
    command: 'capacity',
    startedAt: '2026-11-22T04:20:00.000Z',
    finishedAt: '2026-11-22T04:30:00.000Z',
    durationMs: 600000,
    target: { url: 'ws://chat.internal:8080/ws', embedded: false },
    profile: 'assa',
    options: { vary: 'clients', slo: ['reply.p99<20ms'], apiKey: 'opaque-bearer-credential' },
    summary: summariseRun(cases),
    cases,
    capacity: { vary: 'clients', steps, knee: 400, firstBroken: 800, limitingFactor: 'reply latency (p99 48 ms at 800 clients)' },
  };
}

/** The load report with its `reply` histogram replaced by 1..n × stepUs, scaled by `factor`: for compare tests. */
export function loadReportWithReply(factor: number, n = 2000, stepUs = 10): RunReport {
  const r = loadReport();
  const store = new MetricsStore();
  for (let v = 1; v <= n; v++) store.record('reply', v * stepUs * factor);
  (r.load as NonNullable<RunReport['load']>).histograms.reply = store.summarise('reply');
  return r;
}
