import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../util/paths.js';
import { capacityReport, conformanceReport, loadReport, loadReportWithReply } from './fixtures.js';
import { sourcesReport } from './fixtures-sources.js';
import { readReport } from './validate.js';
import type { RunReport } from './model.js';
import { compareReports, formatComparison } from './compare.js';

/** 20,000 reply latencies from 0.01 to 200 ms, times `factor`: every statistic but max has values enough above it. */
const withReplyScaled = (factor: number): RunReport => loadReportWithReply(factor, 20_000, 10);

/** Two reports of the same build, recorded back to back on loopback (200 clients, 8 s, embedded server). */
const loopback = (n: 1 | 2): RunReport => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', `loopback-same-build-${n}.json`), 'utf8')) as RunReport;

describe('compareReports', () => {
  it('finds no regression between a report and itself', () => {
    const c = compareReports(loadReport(), loadReport());
    expect(c.regressions).toBe(0);
    expect(c.metrics.length).toBe(4 * 5);
    expect(c.metrics.every((m) => m.change === 0 && !m.regression)).toBe(true);
    expect(formatComparison(c).endsWith('No regressions.')).toBe(true);
  });

  it('flags a percentile that grew beyond the band and the floor, and not one within the band', () => {
    const base = withReplyScaled(1);
    const slower = withReplyScaled(1.2);
    const c = compareReports(base, slower, { maxRegression: 0.1 });
    const reply = c.metrics.filter((m) => m.metric === 'reply');
    expect(reply.map((m) => [m.stat, m.regression, m.judged])).toEqual([['p50', true, true], ['p90', true, true], ['p99', true, true], ['p999', true, true], ['max', false, false]]);
    expect(reply.every((m) => m.change !== null && Math.abs(m.change - 0.2) < 0.002)).toBe(true);
    expect(c.regressions).toBe(4);
    expect(compareReports(base, slower, { maxRegression: 0.25 }).regressions).toBe(0);
    // Faster is never a regression.
    expect(compareReports(slower, base, { maxRegression: 0 }).regressions).toBe(0);
  });

  it('finds no regression between two runs of the same build on loopback, either way round', () => {
    for (const [a, b] of [[1, 2], [2, 1]] as const) {
      const c = compareReports(loopback(a), loopback(b));
      expect(c.regressions, formatComparison(c)).toBe(0);
      expect(c.metrics.length).toBe(5 * 5);
    }
    // The band alone (the old rule) calls their noise regressions: sub-millisecond latencies move
    // 20% and more, and a p99 of 200 values is the second largest of them.
    const bandOnly = compareReports(loopback(2), loopback(1), { minChangeMs: 0, minTailSamples: 0 });
    expect(bandOnly.regressions).toBeGreaterThan(3);
  });

  it('counts growth below the absolute floor as noise: 0.57 -> 0.66 ms is +16%, not a regression', () => {
    const fast = (factor: number) => loadReportWithReply(factor, 20_000, 0.057);
    const c = compareReports(fast(1), fast(1.16), { metrics: ['reply.p50'] });
    expect(c.metrics).toHaveLength(1);
    expect(c.metrics[0]).toMatchObject({ judged: true, regression: false, base: 0.57 });
    expect(c.metrics[0]!.head).toBeCloseTo(0.66, 2);
    expect(c.regressions).toBe(0);
    // Settable: with no floor it counts.
    expect(compareReports(fast(1), fast(1.16), { metrics: ['reply.p50'], minChangeMs: 0 }).regressions).toBe(1);
  });

  it('does not judge a statistic with fewer than 10 values above it in either run', () => {
    const few = (factor: number) => loadReportWithReply(factor, 1000, 20);
    const c = compareReports(few(1), few(1.5), { metrics: ['reply'] });
    expect(c.metrics.map((m) => [m.stat, m.judged, m.regression])).toEqual([['p50', true, true], ['p90', true, true], ['p99', true, true], ['p999', false, false], ['max', false, false]]);
    expect(formatComparison(c)).toMatch(/reply\s+max\s+20\.0\s+30\.0\s+\+50\.0%\s+not judged: too few values above it/);
  });

  it('compares only the chosen metrics with --metric', () => {
    const c = compareReports(withReplyScaled(1), withReplyScaled(1.5), { metrics: ['reply.p99', 'connect'] });
    expect(c.metrics.map((m) => `${m.metric}.${m.stat}`)).toEqual(['connect.p50', 'connect.p90', 'connect.p99', 'connect.p999', 'connect.max', 'reply.p99']);
    expect(c.regressions).toBe(1);
  });

  it('reports verdict changes per case: worse, better, new failing, removed', () => {
    const base = conformanceReport();
    const head = conformanceReport();
    head.cases[0]!.verdict = 'FAIL';
    head.cases[1]!.verdict = 'PASS';
    head.cases.push({ ...head.cases[0]!, id: 'assa.new', verdict: 'ERROR' });
    head.cases.splice(3, 1);
    const c = compareReports(base, head);
    expect(c.verdicts).toEqual([
      { id: 'assa.connect.1001', title: 'The 1,001st connection', base: 'INFORMATIONAL', head: null, worse: false },
      { id: 'assa.connect.ok', title: 'CONNECT with a valid JWT gets CONNECT_RESPONSE success', base: 'PASS', head: 'FAIL', worse: true },
      { id: 'assa.new', title: 'CONNECT with a valid JWT gets CONNECT_RESPONSE success', base: null, head: 'ERROR', worse: true },
      { id: 'assa.send.too-long', title: 'A 5,001-character message is refused with MESSAGE_TOO_LONG', base: 'FAIL', head: 'PASS', worse: false },
    ]);
    expect(c.regressions).toBe(2);
    const text = formatComparison(c);
    expect(text).toContain('assa.connect.ok');
    expect(text).toMatch(/assa\.connect\.ok\s+CONNECT with a valid JWT gets CONNECT_RESPONS\.\.\.\s+PASS\s+FAIL\s+WORSE/);
    expect(text.endsWith('2 regressions.')).toBe(true);
  });

  it('counts a message shape that got worse, or a new failing one, as a regression', () => {
    const base = sourcesReport();
    const head = sourcesReport();
    const [failing, nullEcho] = head.shapes!;
    head.shapes = head.shapes!.filter((x) => x !== failing);
    nullEcho!.verdict = 'FAIL';
    head.shapes.push({ ...nullEcho!, message: 'ERROR', pointer: '/original_action', verdict: 'NON-STRICT' });
    const c = compareReports(base, head);
    expect(c.shapes).toEqual([
      { shape: 'assa server ERROR /original_action CC_SCHEMA_INVALID (lenient optional-null)', base: null, head: 'NON-STRICT', worse: false },
      { shape: 'assa server ROOM_INFO_RESPONSE /data/participant_count CC_SCHEMA_INVALID (seed)', base: 'FAIL', head: null, worse: false },
      { shape: 'assa server SEND_MESSAGE_RESPONSE /data/client_message_id CC_SCHEMA_INVALID (lenient optional-null)', base: 'NON-STRICT', head: 'FAIL', worse: true },
    ]);
    expect(c.regressions).toBe(1);
    expect(formatComparison(c)).toContain('Message-shape changes:\n  assa server ERROR /original_action CC_SCHEMA_INVALID (lenient optional-null): (absent) -> NON-STRICT\n');
    const added = compareReports({ ...base, shapes: [] }, base);
    expect(added.shapes.filter((x) => x.worse).map((x) => x.shape)).toEqual(['assa server ROOM_INFO_RESPONSE /data/participant_count CC_SCHEMA_INVALID (seed)']);
  });

  it('compares a version 1 report with a version 2 one: NOT-ASSESSED is worse than PASS, better than FAIL', () => {
    const v1 = readReport(join(packageRoot(), 'src', 'report', 'testdata', 'conformance.v1.report.json'));
    const head = conformanceReport();
    head.cases[0]!.verdict = 'NOT-ASSESSED';
    head.cases[1]!.verdict = 'NOT-ASSESSED';
    const c = compareReports(v1, head);
    expect(c.verdicts.map((v) => [v.id, v.base, v.head, v.worse])).toEqual([
      ['assa.connect.ok', 'PASS', 'NOT-ASSESSED', true],
      ['assa.send.too-long', 'FAIL', 'NOT-ASSESSED', false],
    ]);
    expect(c.shapes).toEqual([]);
  });

  it('counts a threshold that stopped passing and a knee that moved down beyond the bound', () => {
    const base = loadReport();
    const head = loadReport();
    head.thresholds![0]!.passed = false;
    expect(compareReports(base, head).thresholds).toEqual([{ expression: 'reply.p99<100ms', base: true, head: false, worse: true }]);
    const cb = capacityReport();
    const ch = capacityReport();
    ch.capacity!.knee = 200;
    expect(compareReports(cb, ch).knee).toEqual({ base: 400, head: 200, regression: true });
    ch.capacity!.knee = 380;
    expect(compareReports(cb, ch, { maxRegression: 0.1 }).knee).toEqual({ base: 400, head: 380, regression: false });
    // A run where nothing broke is compared by how far it held; one step down is within the grain.
    const held = (n: number): RunReport => ({ ...capacityReport(), options: { ...capacityReport().options, step: 100 }, capacity: { ...capacityReport().capacity!, knee: null, heldUpTo: n } });
    expect(compareReports(held(1000), held(900), { maxRegression: 0 }).knee).toEqual({ base: 1000, head: 900, regression: false });
    expect(compareReports(held(1000), held(800), { maxRegression: 0.1 }).knee).toEqual({ base: 1000, head: 800, regression: true });
  });
});
