import { describe, expect, it } from 'vitest';
import { decodeHistogram, MetricsStore } from '../metrics/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { conformanceReport, loadReport, loadStore } from './fixtures.js';
import { notAssessedReport, sourcesReport } from './fixtures-sources.js';
import type { HistogramSummary, RunReport } from './model.js';
import { mergeReports } from './merge.js';
import { summariseRun } from './run-summary.js';
import { ShapeCollector, type ShapeInput } from './shapes.js';
import { readReport, validateReport } from './validate.js';

const THRESHOLDS = ['reply.p99<26ms', 'errors.ROOM_FULL<6', 'delivery.lost==0', 'errors.rate<0.02%'];

/** A load report whose metrics come from `store`, with thresholds as the shard evaluated them. */
function shard(store: MetricsStore, index: number, count: number, delivery: NonNullable<RunReport['load']>['delivery']): RunReport {
  const base = loadReport();
  return {
    ...base,
    startedAt: `2026-11-22T04:10:0${index}.000Z`,
    finishedAt: `2026-11-22T04:11:0${index}.000Z`,
    load: { clients: 500, durationMs: 60000, histograms: store.summariseAll(), counters: store.counters(), delivery },
    thresholds: THRESHOLDS.map((expression) => ({ expression, metric: expression.split(/[<=]/)[0] as string, actual: 0, passed: true, source: 'flag' as const })),
    shards: [{ index, count }],
  };
}

function percentiles(s: HistogramSummary): number[] {
  const h = decodeHistogram(s.encoded);
  const out: number[] = [];
  for (let p = 0; p <= 100; p += 0.25) out.push(h.getValueAtPercentile(p));
  return out;
}

describe('mergeReports', () => {
  it('merges two load shards into what one run over the union records: histograms exactly, counters summed', () => {
    const a = loadStore(0);
    const b = loadStore(1);
    const union = MetricsStore.mergeAll([loadStore(0), loadStore(1)]);
    const merged = mergeReports([
      shard(a, 0, 2, [{ room: 'r1', expected: 250, delivered: 250, lost: 0, duplicated: 0, reordered: 0 }]),
      shard(b, 1, 2, [{ room: 'r1', expected: 250, delivered: 249, lost: 1, duplicated: 1, reordered: 0 }, { room: 'r2', expected: 10, delivered: 10, lost: 0, duplicated: 0, reordered: 3 }]),
    ]);
    const expected = union.summariseAll();
    expect(Object.keys(merged.load!.histograms)).toEqual(Object.keys(expected));
    for (const [name, summary] of Object.entries(expected)) {
      const { encoded: _e, ...fields } = summary;
      const got = merged.load!.histograms[name] as HistogramSummary;
      expect(got, name).toMatchObject(fields);
      expect(percentiles(got), name).toEqual(percentiles(summary));
    }
    expect(merged.load!.counters).toEqual(union.counters());
    expect(merged.load!.clients).toBe(1000);
    expect(merged.load!.delivery).toEqual([
      { room: 'r1', expected: 500, delivered: 499, lost: 1, duplicated: 1, reordered: 0 },
      { room: 'r2', expected: 10, delivered: 10, lost: 0, duplicated: 0, reordered: 3 },
    ]);
    expect(merged.shards).toEqual([{ index: 0, count: 2 }, { index: 1, count: 2 }]);
    expect(merged.startedAt).toBe('2026-11-22T04:10:00.000Z');
    expect(merged.finishedAt).toBe('2026-11-22T04:11:01.000Z');
    expect(validateReport(merged)).toEqual([]);
  });

  it('re-evaluates thresholds on the merged metrics (µs for latency, percent for rates)', () => {
    const union = MetricsStore.mergeAll([loadStore(0), loadStore(1)]);
    const merged = mergeReports([
      shard(loadStore(0), 0, 2, [{ room: 'r1', expected: 1, delivered: 1, lost: 0, duplicated: 0, reordered: 0 }]),
      shard(loadStore(1), 1, 2, [{ room: 'r1', expected: 1, delivered: 0, lost: 1, duplicated: 0, reordered: 0 }]),
    ]);
    const p99 = union.summarise('reply').p99;
    const errors = union.counter('errors.ROOM_FULL');
    expect(merged.thresholds).toEqual([
      { expression: 'reply.p99<26ms', metric: 'reply.p99', actual: p99, passed: p99 < 26000, source: 'flag', unit: 'ms' },
      { expression: 'errors.ROOM_FULL<6', metric: 'errors.ROOM_FULL', actual: errors, passed: errors < 6, source: 'flag', unit: '' },
      { expression: 'delivery.lost==0', metric: 'delivery.lost', actual: 1, passed: false, source: 'flag', unit: '' },
      { expression: 'errors.rate<0.02%', metric: 'errors.rate', actual: (100 * errors) / union.counter('messages.sent'), passed: (100 * errors) / union.counter('messages.sent') < 0.02, source: 'flag', unit: '%' },
    ]);
    // Each shard alone passed errors.ROOM_FULL<6 (3 and 4); the union (7) does not.
    expect(errors).toBe(7);
    expect(merged.summary).toEqual(summariseRun([], merged.thresholds));
    expect(merged.summary.exitCode).toBe(1);
  });

  it('concatenates conformance shards by id into the report of the whole run', () => {
    const whole = conformanceReport();
    const first = { ...whole, cases: whole.cases.filter((_, i) => i % 2 === 0), shards: [{ index: 0, count: 2 }] };
    const second = { ...whole, cases: whole.cases.filter((_, i) => i % 2 === 1), shards: [{ index: 1, count: 2 }] };
    const merged = mergeReports([second, first]);
    expect(merged.cases.map((c) => c.id)).toEqual([...whole.cases.map((c) => c.id)].sort());
    expect(merged.cases).toEqual([...whole.cases].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.coverage?.messages.find((m) => m.id === 'CONNECT')).toEqual({ id: 'CONNECT', sent: 6, received: 0 });
  });

  it('keeps the worst result of a case that ran in several shards', () => {
    const whole = conformanceReport();
    const pass = whole.cases[0]!;
    const failed = { ...pass, verdict: 'FAIL' as const };
    expect(mergeReports([{ ...whole, cases: [pass] }, { ...whole, cases: [failed] }]).cases).toEqual([failed]);
  });

  it('finds the root causes again in the merged cases: two shards of 33 and 32 make "61 of 65"', () => {
    const whole = notAssessedReport();
    const shards = [0, 1].map((k) => {
      const cases = whole.cases.filter((_, i) => i % 2 === k);
      return { ...whole, cases, summary: summariseRun(cases), shards: [{ index: k, count: 2 }] };
    });
    const merged = mergeReports(shards);
    // Merged cases are in id order, so the root cause lists them in that order.
    const cause = whole.rootCauses?.[0];
    expect(merged.rootCauses).toEqual([{ ...cause, cases: [...(cause?.cases ?? [])].sort() }]);
    expect(merged.rootCauses?.[0]?.message.startsWith('61 of 65 cases could not get past CONNECT: ')).toBe(true);
    expect(merged.summary).toEqual(whole.summary);
    expect(merged.summary.exitCode).toBe(1);
    expect(validateReport(merged)).toEqual([]);
  });

  it('adds message shapes up: counts, cases and the first sample, as one collector over both shards would', () => {
    const seen = (id: string, over: Partial<ShapeInput>): [string, ShapeInput] => [id, {
      profile: 'assa', direction: 'server', message: 'SEND_MESSAGE_RESPONSE', pointer: '/data/client_message_id', code: 'CC_SCHEMA_INVALID',
      source: { kind: 'lenient', rule: 'optional-null' }, verdict: 'NON-STRICT', raw: `{"case":"${id}"}`, ...over,
    }];
    const first = [seen('a', {}), seen('a', {}), seen('b', {}), seen('b', { message: 'ERROR', pointer: '/original_action' })];
    const second = [seen('c', {}), seen('c', { message: 'ROOM_INFO_RESPONSE', pointer: '/data/participant_count', source: { kind: 'seed' }, verdict: 'FAIL' })];
    const collect = (obs: [string, ShapeInput][]): ShapeCollector => {
      const c = new ShapeCollector();
      for (const [id, input] of obs) c.add(id, input);
      return c;
    };
    const shard = (obs: [string, ShapeInput][], index: number): RunReport => {
      const base = conformanceReport();
      const shapes = collect(obs).result();
      return { ...base, shapes, summary: summariseRun(base.cases, [], { shapes }), shards: [{ index, count: 2 }] };
    };
    const merged = mergeReports([shard(first, 0), shard(second, 1)]);
    expect(merged.shapes).toEqual(collect([...first, ...second]).result());
    expect(merged.shapes?.map((x) => [x.message, x.verdict, x.count, x.caseCount])).toEqual([
      ['ROOM_INFO_RESPONSE', 'FAIL', 1, 1], ['SEND_MESSAGE_RESPONSE', 'NON-STRICT', 4, 3], ['ERROR', 'NON-STRICT', 1, 1],
    ]);
    expect(merged.summary).toMatchObject({ shapes: 3, shapesFailed: 1 });
  });

  it('merges a version 1 report with a version 2 one into a version 2 report', () => {
    const v1 = readReport(join(packageRoot(), 'src', 'report', 'testdata', 'conformance.v1.report.json'));
    const v2 = sourcesReport();
    const merged = mergeReports([v1, v2]);
    expect(merged.reportVersion).toBe(2);
    // assa.send.too-long is in both (FAIL in both): once.
    expect(merged.cases).toHaveLength(v1.cases.length + v2.cases.length - 1);
    expect(merged.shapes).toEqual(v2.shapes);
    expect(merged.summary.byVerdict).toEqual({ PASS: 2, 'NON-STRICT': 2, INFORMATIONAL: 2, 'NOT-ASSESSED': 1, FAIL: 1, ERROR: 1 });
    expect(validateReport(merged)).toEqual([]);
    // Without shapes in any shard, the merged report has none either (a version 1 run knew none).
    expect(mergeReports([v1, v1]).shapes).toBeUndefined();
    expect(JSON.parse(readFileSync(join(packageRoot(), 'src', 'report', 'testdata', 'conformance.v1.report.json'), 'utf8')).reportVersion).toBe(1);
  });

  it('refuses reports of different commands or profiles, and an empty list', () => {
    expect(() => mergeReports([conformanceReport(), loadReport()])).toThrowError(expect.objectContaining({ code: 'CC_ERR_REPORT_MERGE', message: 'cannot merge the reports: commands differ (run and load)' }));
    expect(() => mergeReports([conformanceReport(), { ...conformanceReport(), profile: 'envelope' }])).toThrowError(/profiles differ \(assa and envelope\)/);
    expect(() => mergeReports([])).toThrowError(/no reports given/);
  });

  it('keeps a shard stopped by Ctrl-C visible: the merged run is incomplete and exits 130', () => {
    const cut = { ...shard(loadStore(1), 1, 2, []), summary: { ...loadReport().summary, exitCode: 130, incomplete: 'stopped by an interrupt (Ctrl-C) 4s into a run planned for 1m: the figures cover only the part that ran' } };
    const merged = mergeReports([shard(loadStore(0), 0, 2, []), cut]);
    expect(merged.summary.exitCode).toBe(130);
    expect(merged.summary.incomplete).toBe('1 of 2 shards incomplete: stopped by an interrupt (Ctrl-C) 4s into a run planned for 1m: the figures cover only the part that ran');
    expect(validateReport(merged)).toEqual([]);
  });
});
