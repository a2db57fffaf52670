import { describe, expect, it } from 'vitest';
import { memoryOutput } from '../output.js';
import { capacityReport, conformanceReport, loadReport } from '../report/fixtures.js';
import { FOLDED_CASES, foldingReport, notAssessedReport, sourcesReport } from '../report/fixtures-sources.js';
import type { CaseResult } from '../report/model.js';
import { redactReport } from '../report/redact.js';
import { formatCapacitySummary } from './capacity-summary.js';
import { consoleCaseLine, consoleReporter, renderConsole, renderConsoleSummary } from './console.js';
import { formatLoadSummary } from './load-summary.js';

const ESC = '\u001b[';

describe('the console reporter', () => {
  it('uses no colour unless asked (not a TTY, or NO_COLOR set: io.color is false)', () => {
    const plain = renderConsole(redactReport(conformanceReport()));
    expect(plain.includes(ESC)).toBe(false);
    const coloured = renderConsole(redactReport(conformanceReport()), { color: true });
    expect(coloured).toContain(`${ESC}31mFAIL         ${ESC}0m assa.send.too-long`);
    expect(coloured).toContain(`${ESC}32mPASS         ${ESC}0m assa.connect.ok`);
  });

  it('never lets the server write escape sequences to the terminal', () => {
    const text = renderConsole(redactReport(conformanceReport()));
    expect(text).toContain('\\u001B[31m');
    expect(/[\u0000-\u0008\u000B-\u001F\u007F]/.test(text)).toBe(false);
  });

  it('prints one line per case as it ends, then only the summary at the end', async () => {
    const io = memoryOutput();
    const reporter = consoleReporter({ io, color: io.color });
    const report = redactReport(conformanceReport());
    for (const c of report.cases) await reporter.onCaseEnd?.(c);
    expect(io.stdout).toEqual([
      'PASS          assa.connect.ok  CONNECT with a valid JWT gets CONNECT_RESPONSE success (12.4ms)',
      'FAIL          assa.send.too-long  A 5,001-character message is refused with MESSAGE_TOO_LONG (30.2ms)',
      'NON-STRICT    assa.pong.extra-field  PONG reply carries no undefined fields (8.00ms)',
      'INFORMATIONAL assa.connect.1001  The 1,001st connection (2.00ms)',
      'ERROR         assa.auth.header  Authenticated upgrade with an Authorization header (5s)',
    ]);
    await reporter.onRunEnd?.(report);
    const end = io.stdout.slice(5).join('\n');
    expect(end.startsWith('\nFailures (2):')).toBe(true);
    expect(end).toContain('  >     9.7ms alice <- SEND_MESSAGE_RESPONSE');
    expect(end).toContain('      schema: /data/debug must NOT have additional properties');
    expect(end).toContain('    evidence: alice SEND_MESSAGE_RESPONSE /data/error_code: expected "MESSAGE_TOO_LONG", actual null');
    expect(end.endsWith('5 cases: 1 PASS, 1 NON-STRICT, 1 INFORMATIONAL, 1 FAIL, 1 ERROR; 5.1s; exit 2')).toBe(true);
    // No case line printed twice.
    expect(io.stdout.filter((l) => l.startsWith('PASS          assa.connect.ok')).length).toBe(1);
  });

  it('prints a load run\'s status line as it runs, and ends it with the load summary', async () => {
    const io = memoryOutput();
    const reporter = consoleReporter({ io, color: false });
    await reporter.onProgress?.({ elapsedMs: 5000, totalMs: 60000, connected: 1000, sentPerSecond: 333.4, receivedPerSecond: 1000, p99Ms: 4.2, errors: 3 });
    await reporter.onProgress?.({ elapsedMs: 5000, totalMs: 60000, connected: 1000, sentPerSecond: 333.4, receivedPerSecond: 1000, p99Ms: 4.2, errors: 3 });
    expect(io.stdout).toEqual(['[5s/1m] connected 1000  msg/s 333  p99 4.2ms  errors 3  timeouts 0']);
    // Redrawn in place where the context can (a terminal): every figure reaches it, repeats too.
    const drawn: string[] = [];
    const live = consoleReporter({ io: { ...memoryOutput(), status: (l) => void drawn.push(l) }, color: false });
    await live.onProgress?.({ elapsedMs: 65000, totalMs: 67000, connected: 1000, sentPerSecond: 0, receivedPerSecond: 9, p99Ms: 0, errors: 0, phase: 'drain', inFlight: { replies: 37, deliveries: 120 }, drainLeftMs: 1600 });
    await live.onProgress?.({ elapsedMs: 65000, totalMs: 67000, connected: 1000, sentPerSecond: 0, receivedPerSecond: 9, p99Ms: 0, errors: 0, phase: 'drain', inFlight: { replies: 37, deliveries: 120 }, drainLeftMs: 1600 });
    expect(drawn).toEqual(['[1.1m/1.1m] draining: 37 replies and 120 deliveries in flight, 1.6s left', '[1.1m/1.1m] draining: 37 replies and 120 deliveries in flight, 1.6s left']);
    const report = redactReport(loadReport());
    await reporter.onRunEnd?.(report);
    // What `chat-conform load` ends with, and `report render --reporter console` of the same report.
    expect(io.stdout.slice(1)).toEqual(formatLoadSummary(report));
    expect(renderConsole(report)).toBe(formatLoadSummary(report).join('\n'));
    const lines = formatLoadSummary(report);
    expect(lines[0]).toBe('load: 1000 clients for 60.0s against tcp://127.0.0.1:12345 (embedded reference server)');
    expect(lines).toContain('  errors: ROOM_FULL 3');
    expect(lines).toContain('  threshold FAIL delivery.lost==0 (actual 1)');
    expect(lines).toContain('  delivery: 3 rooms, expected 1500, delivered 1499, lost 1, duplicated 0, reordered 2; self copies 500, leaked 3, offline copies 0');
  });

  it('prints a capacity run\'s line per step as it is judged, and ends it with the table and the knee', async () => {
    const io = memoryOutput();
    const reporter = consoleReporter({ io, color: false });
    const report = redactReport(capacityReport());
    const step = report.capacity!.steps[3]!;
    await reporter.onCapacityStep?.(step, { label: 'step', index: 4 });
    expect(io.stdout).toEqual(['step 4: 800 clients  throughput 6,100/s  p50 4.80ms  p99 48.0ms  ']);
    await reporter.onRunEnd?.(report);
    expect(io.stdout.slice(1)).toEqual(formatCapacitySummary(report));
    expect(io.stdout.at(-1)).toBe('knee: 400; first broken: 800; limited by reply latency (p99 48 ms at 800 clients)');
  });

  it('shows control characters from the wire in a load summary as \\uXXXX', () => {
    const report = loadReport();
    report.load!.errorSamples = { 'errors.CC_ERR_TARGET_REFUSED': 'refused: \u001b[31mno\u0007' };
    expect(renderConsole(report)).toContain('    first errors.CC_ERR_TARGET_REFUSED: refused: \\u001B[31mno\\u0007');
  });
});

describe('the console reporter: sources, NOT-ASSESSED, root causes, message shapes, folding', () => {
  it('prints a NOT-ASSESSED case with where it was blocked, and a capped case with its source', () => {
    const na = notAssessedReport();
    expect(consoleCaseLine(na.cases[4] as CaseResult)).toBe('NOT-ASSESSED  assa.rooms.case-01  blocked at CONNECT (10s)');
    const src = sourcesReport();
    expect(src.cases.map((c) => consoleCaseLine(c))).toEqual([
      'PASS          assa.rooms.create  CREATE_ROOM makes the creator its host (20.0ms)',
      'NON-STRICT    assa.rooms.closed-join  An uninvited user cannot join a closed room [reading assa.D12.closed-rooms; FAIL under --decisions enforce] (20.0ms)',
      'INFORMATIONAL assa.heartbeat.pong-timeout  A client that never answers PING is disconnected [choice assa.D5.close-codes; FAIL under --decisions enforce] (20.0ms)',
      'NOT-ASSESSED  assa.send.order  blocked at reply to JOIN_ROOM (20.0ms)',
      'FAIL          assa.send.too-long  A 5,001-character message is refused with MESSAGE_TOO_LONG (20.0ms)',
    ]);
  });

  it('says the root cause once, before the failures, and counts NOT-ASSESSED and root causes in the summary line', () => {
    const text = renderConsoleSummary(redactReport(notAssessedReport()));
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '',
      'Root causes:',
      '  61 of 65 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 91 connections; it may not speak this profile (try `chat-conform probe tcp://127.0.0.1:12345`) [FAIL CC_CHECK_TIMEOUT]',
    ]);
    expect(text.indexOf('Root causes:')).toBeLessThan(text.indexOf('Failures (64):'));
    // The 61 blocked cases are one folded block, with their traffic added up.
    expect(lines).toContain('NOT-ASSESSED ×61: assa.rooms.{case-01, case-08}, assa.send.{case-02, case-09}, assa.broadcast.{case-03, case-10}, assa.invite.case-04, assa.video.case-05, assa.heartbeat.case-06, assa.session.case-07 and 51 more');
    expect(lines).toContain('  ×61 blocked at CONNECT (setup[1].expect, line 6); together 91 connections, 0 bytes in, 16,380 bytes out');
    expect(lines).toContain('  ×61 FAIL CC_CHECK_TIMEOUT [ASSA §10.2] at setup[1].expect (line 6): no reply to CONNECT within 10s');
    expect(lines.filter((l) => l.includes('no reply to CONNECT within 10s')).length).toBe(3);
    expect(lines.at(-1)).toBe('65 cases: 1 INFORMATIONAL, 61 NOT-ASSESSED, 3 FAIL; 1 root cause; 2.2m; exit 1');
  });

  it('prints one line per message shape, worst first, after the root causes and before the failures', () => {
    const text = renderConsoleSummary(redactReport(sourcesReport()));
    const lines = text.split('\n');
    const at = lines.indexOf('Message shapes (4):');
    expect(lines.slice(at, at + 5)).toEqual([
      'Message shapes (4):',
      '  FAIL          <- ROOM_INFO_RESPONSE /data/participant_count: must be integer (seed, CC_SCHEMA_INVALID) ×4, seen in 2 cases',
      '  NON-STRICT    <- SEND_MESSAGE_RESPONSE /data/client_message_id: is null where the profile writes a string when present (lenient optional-null, CC_SCHEMA_INVALID) ×15, seen in 3 cases',
      '  NON-STRICT    <- CREATE_ROOM_RESPONSE /data/debug: a field the spec does not define (lenient, CC_SCHEMA_EXTRA_FIELDS) ×3, seen in 3 cases',
      '  INFORMATIONAL <- MEDIA_STATUS_RESPONSE /data: must have required property data (choice assa.D7.replies, CC_SCHEMA_INVALID) ×1, seen in 1 case',
    ]);
    expect(at).toBeLessThan(lines.indexOf('Failures (2):'));
    expect(lines).toContain('  NON-STRICT (lenient optional-null; capped from FAIL) CC_SCHEMA_INVALID [ASSA §5.1]: SEND_MESSAGE_RESPONSE /data/client_message_id is null; the profile writes it as a string when present');
    expect(lines.at(-1)).toBe('5 cases: 1 PASS, 1 NON-STRICT, 1 INFORMATIONAL, 1 NOT-ASSESSED, 1 FAIL; 4 message shapes (1 FAIL, 2 NON-STRICT, 1 INFORMATIONAL); 3s; exit 1');
  });

  it('shows a capped finding with its source and what --decisions enforce would make it, when the run is strict', () => {
    const report = sourcesReport();
    const strict = { ...report, options: { ...report.options, strict: true } };
    const lines = renderConsoleSummary(redactReport(strict)).split('\n');
    expect(lines).toContain('NON-STRICT assa.rooms.closed-join: An uninvited user cannot join a closed room');
    expect(lines).toContain('  ASSA §4.1 · scenarios/conformance/assa/rooms.yaml:24 · reading assa.D12.closed-rooms');
    expect(lines).toContain('  NON-STRICT (reading assa.D12.closed-rooms; FAIL under --decisions enforce) CC_CHECK_MISMATCH [ASSA §4.1] at steps[1].expect (line 31): JOIN_ROOM_RESPONSE to an uninvited user: expected success false, got success: true');
  });

  it(`folds ${FOLDED_CASES} identical findings into one "×${FOLDED_CASES}", with the case ids listed compactly`, () => {
    const lines = renderConsoleSummary(redactReport(foldingReport())).split('\n');
    expect(lines.slice(0, 4)).toEqual(['', 'Failures (41):', '', 'FAIL ×40: assa.rooms.{missing-01, missing-02, missing-03, missing-04, missing-05, missing-06, missing-07, missing-08, missing-09, missing-10} and 30 more']);
    expect(lines).toContain('  ×40 FAIL CC_CHECK_MISMATCH [ASSA §4.2] at steps[0].expect (line 14): JOIN_ROOM room-mf3k9x2ab1-0-1 (never created): expected error_code ROOM_NOT_FOUND, got success: true');
    expect(lines.filter((l) => l.includes('ROOM_NOT_FOUND, got success: true')).length).toBe(1);
    // One transcript for the 40 (the exit case has none).
    expect(lines.filter((l) => l.startsWith('  transcript')).length).toBe(1);
    expect(lines).toContain('  transcript of assa.rooms.missing-01:');
    expect(lines).toContain('FAIL assa.rooms.exit: EXIT_ROOM is answered');
    // A case that fails differently is not folded into them.
    const report = foldingReport();
    (report.cases[7] as CaseResult).findings[0]!.message = 'JOIN_ROOM room-mf3k9x2ab1-7-1 (never created): expected error_code ROOM_NOT_FOUND, got ROOM_FULL';
    const refolded = renderConsoleSummary(report).split('\n');
    expect(refolded).toContain('FAIL ×39: assa.rooms.{missing-01, missing-02, missing-03, missing-04, missing-05, missing-06, missing-07, missing-09, missing-10, missing-11} and 29 more');
    expect(refolded).toContain('FAIL assa.rooms.missing-08: Joining a room that does not exist is refused (8)');
  });
});
