import { describe, expect, it } from 'vitest';
import { memoryOutput } from '../output.js';
import { conformanceReport, loadReport } from '../report/fixtures.js';
import { redactReport } from '../report/redact.js';
import { consoleReporter, renderConsole } from './console.js';

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

  it('prints a percentile table, counters, thresholds in ms and a progress line for load runs', async () => {
    const io = memoryOutput();
    const reporter = consoleReporter({ io, color: false });
    await reporter.onProgress?.({ elapsedMs: 5000, totalMs: 60000, connected: 1000, sentPerSecond: 333.4, receivedPerSecond: 1000, p99Ms: 4.2, errors: 3 });
    await reporter.onProgress?.({ elapsedMs: 5000, totalMs: 60000, connected: 1000, sentPerSecond: 333.4, receivedPerSecond: 1000, p99Ms: 4.2, errors: 3 });
    expect(io.stdout).toEqual(['5s/1m · 1000 connected · 333 sent/s · 1000 received/s · p99 4.20ms · 3 errors']);
    await reporter.onRunEnd?.(redactReport(loadReport()));
    const text = io.stdout.slice(1).join('\n');
    expect(text).toMatch(/ {2}metric\s+count\s+p50\s+p90\s+p99\s+p99\.9\s+max\s+mean\n {2}auth\s+4,000\s+\d/);
    expect(text).toContain('  errors.ROOM_FULL           3');
    expect(text).toMatch(/ {2}FAIL delivery\.p99<5ms \(actual \d+\.\dms, scenario\)/);
    expect(text).toContain('  FAIL delivery.lost==0 (actual 1, flag)');
    expect(text.endsWith('thresholds 1/3 passed; 1m; exit 1')).toBe(true);
  });
});
