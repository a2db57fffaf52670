import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsStore } from '../../metrics/store.js';
import { capacityReport, conformanceReport, FIXTURE_SECRETS, loadReport, loadReportWithReply, loadStore } from '../../report/fixtures.js';
import { notAssessedReport, sourcesReport } from '../../report/fixtures-sources.js';
import { redactReport } from '../../report/redact.js';
import { formatCapacitySummary } from '../../reporters/capacity-summary.js';
import { formatLoadSummary } from '../../reporters/load-summary.js';
import { packageRoot } from '../../util/paths.js';
import type { RunReport } from '../../report/model.js';
import { main } from '../main.js';
import { memoryIO } from '../io.js';
import { regressionArg } from './report.js';

const dir = mkdtempSync(join(tmpdir(), 'cc-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, report: RunReport): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(report));
  return path;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO();
  const code = await main(['node', 'chat-conform', 'report', ...args], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

const slowerReply = (factor: number): RunReport => loadReportWithReply(factor, 1000, 20);

describe('chat-conform report compare', () => {
  const base = save('base.json', slowerReply(1));

  it('exits 1 on a crafted regression beyond --max-regression, with a readable table', async () => {
    const head = save('head-slow.json', slowerReply(1.3));
    const r = await cli('compare', base, head, '--max-regression', '10%');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Latency \(ms\):\n {2}metric\s+stat\s+base\s+head\s+change/);
    expect(r.out).toMatch(/reply\s+p99\s+19\.8\d?\s+25\.\d+\s+\+30\.\d%\s+REGRESSION \(> 10\.0% and > 2ms\)/);
    // 1,000 values: p99.9 has one above it and max is one value: shown, not judged.
    expect(r.out).toMatch(/reply\s+max\s+[\d.]+\s+[\d.]+\s+\+30\.\d%\s+not judged: too few values above it/);
    expect(r.out.endsWith('3 regressions.')).toBe(true);
    // Both settable: a floor above the growth, and no floor with no tail rule.
    expect((await cli('compare', base, head, '--min-change', '10ms')).code).toBe(0);
    expect((await cli('compare', base, head, '--min-change', '0', '--min-tail-samples', '0')).out.endsWith('5 regressions.')).toBe(true);
  });

  it('exits 0 when the growth is within the bound, or for another metric', async () => {
    const head = save('head-slightly.json', slowerReply(1.05));
    expect((await cli('compare', base, head, '--max-regression', '10%')).code).toBe(0);
    const slow = save('head-slow2.json', slowerReply(1.3));
    expect((await cli('compare', base, slow, '--metric', 'connect')).code).toBe(0);
    expect((await cli('compare', base, slow, '--metric', 'reply.p50')).code).toBe(1);
  });

  it('exits 1 when a verdict got worse', async () => {
    const head = conformanceReport();
    head.cases[0]!.verdict = 'NON-STRICT';
    const r = await cli('compare', save('c-base.json', conformanceReport()), save('c-head.json', head));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/assa\.connect\.ok .*PASS\s+NON-STRICT\s+WORSE/);
  });

  it('exits 2 with one line for a file that is not a report, and for a bad --max-regression', async () => {
    const bogus = join(dir, 'bogus.json');
    writeFileSync(bogus, '{"hello":1}');
    const r = await cli('compare', base, bogus);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`chat-conform: CC_ERR_REPORT_INVALID ${bogus} is not a chat-conform report: / must have required property 'reportVersion'; / must have required property 'tool'; / must have required property 'command' (and 9 more) (pass a report.json written by \`chat-conform run\`, \`load\` or \`capacity\`)`);
    const bad = await cli('compare', base, base, '--max-regression', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`CC_ERR_USAGE option '--max-regression <percent>' argument 'lots' is invalid. expected a percentage such as 10% or 2.5%, got "lots"`);
    const typo = await cli('compare', base, base, '--metric', 'replies');
    expect(typo.code).toBe(2);
    expect(typo.err).toBe('chat-conform: CC_ERR_BAD_FLAG invalid value replies for --metric: no histogram of that name in both reports (they share: auth, connect, delivery, reply) (see `chat-conform report compare --help`)');
    expect(regressionArg('2.5%')).toBe(0.025);
    expect(regressionArg('10')).toBe(0.1);
  });
});

describe('chat-conform report render', () => {
  it('prints a format, or writes it into --out, always redacted', async () => {
    const file = save('render.json', conformanceReport());
    const printed = await cli('render', file, '--reporter', 'junit');
    expect(printed.code).toBe(0);
    expect(printed.out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="chat-conform" tests="5"')).toBe(true);
    const out = join(dir, 'rendered');
    const written = await cli('render', file, '--reporter', 'html', '--out', out);
    expect(written.code).toBe(0);
    expect(written.err).toBe(`wrote ${join(out, 'report.html')}`);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const consoleText = (await cli('render', file, '--reporter', 'console')).out;
    for (const text of [printed.out, html, consoleText]) for (const secret of FIXTURE_SECRETS) expect(text.includes(secret)).toBe(false);
    expect(consoleText.split('\n')[0]).toBe('PASS          assa.connect.ok  CONNECT with a valid JWT gets CONNECT_RESPONSE success (12.4ms)');
  });

  it('renders a load or capacity report on the console as the command ended it: its summary', async () => {
    const load = loadReport();
    const r = await cli('render', save('load-console.json', load), '--reporter', 'console');
    expect(r.code).toBe(0);
    expect(r.out).toBe(formatLoadSummary(redactReport(load)).join('\n'));
    const capacity = capacityReport();
    const c = await cli('render', save('capacity-console.json', capacity), '--reporter', 'console');
    expect(c.out).toBe(formatCapacitySummary(redactReport(capacity)).join('\n'));
  });

  it('renders a capacity report as markdown', async () => {
    const r = await cli('render', save('cap.json', capacityReport()), '--reporter', 'markdown');
    expect(r.code).toBe(0);
    expect(r.out).toContain('| 800 | 6,100 | 4.80ms | 48.0ms | ❌ reply.p99&lt;20ms |');
  });

  it('exits 2 for an unknown reporter and for a missing --reporter', async () => {
    const file = save('render2.json', conformanceReport());
    const r = await cli('render', file, '--reporter', 'pdf');
    expect(r.code).toBe(2);
    expect(r.err).toBe('chat-conform: CC_ERR_UNKNOWN_REPORTER unknown reporter pdf (known reporters: console, json, junit, html, markdown; or pass the path of a reporter module)');
    expect((await cli('render', file)).code).toBe(2);
  });
});

describe('chat-conform report merge', () => {
  it('merges shard files exactly and exits with the merged verdict', async () => {
    const shard = (i: number): RunReport => {
      const r = loadReport();
      const store = loadStore(i);
      r.load = { ...r.load!, histograms: store.summariseAll(), counters: store.counters() };
      r.shards = [{ index: i, count: 2 }];
      return r;
    };
    const out = join(dir, 'merged', 'report.json');
    const r = await cli('merge', save('s0.json', shard(0)), save('s1.json', shard(1)), '--out', out);
    expect(r.err).toBe(`wrote ${out}: 0 cases from 2 reports`);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunReport;
    const union = MetricsStore.mergeAll([loadStore(0), loadStore(1)]);
    expect(merged.load!.histograms.reply!.count).toBe(union.summarise('reply').count);
    expect(merged.load!.histograms.reply!.p99).toBe(union.summarise('reply').p99);
    expect(merged.load!.counters).toEqual(union.counters());
    expect(r.code).toBe(merged.summary.exitCode);
    expect(r.code).toBe(1);
  });
});

describe('chat-conform report, version 1 and version 2 reports', () => {
  const v1 = join(packageRoot(), 'src', 'report', 'testdata', 'conformance.v1.report.json');

  it('renders a version 1 report in every format, and a version 2 one with its root causes and shapes', async () => {
    for (const reporter of ['console', 'junit', 'markdown', 'html', 'json']) {
      const r = await cli('render', v1, '--reporter', reporter);
      expect(r.code, reporter).toBe(0);
      expect(r.err, reporter).toBe('');
    }
    const old = await cli('render', v1, '--reporter', 'console');
    expect(old.out.split('\n').at(-1)).toBe('5 cases: 1 PASS, 1 NON-STRICT, 1 INFORMATIONAL, 1 FAIL, 1 ERROR; 0ms; exit 2');
    const blocked = await cli('render', save('na.json', notAssessedReport()), '--reporter', 'console');
    expect(blocked.code).toBe(0);
    expect(blocked.out).toContain('\nRoot causes:\n  61 of 65 cases could not get past CONNECT: ');
    const shapes = await cli('render', save('src.json', sourcesReport()), '--reporter', 'console');
    expect(shapes.out).toContain('\nMessage shapes (4):\n  FAIL          <- ROOM_INFO_RESPONSE /data/participant_count');
    for (const secret of FIXTURE_SECRETS) expect(shapes.out.includes(secret)).toBe(false);
  });

  it('compares a version 1 report with a version 2 one', async () => {
    const head = conformanceReport();
    head.cases[0]!.verdict = 'NOT-ASSESSED';
    head.cases[0]!.blockedBy = { path: 'setup[0].expect', line: 4, label: 'CONNECT', finding: { verdict: 'FAIL', code: 'CC_CHECK_TIMEOUT', message: 'no reply to CONNECT within 10s' } };
    const r = await cli('compare', v1, save('v2-head.json', head));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/assa\.connect\.ok .*PASS\s+NOT-ASSESSED\s+WORSE/);
  });

  it('merges a version 1 report with a version 2 one, and exits 1 through a FAIL shape no case had', async () => {
    const out = join(dir, 'merged-v1-v2.json');
    const v2 = sourcesReport();
    v2.cases = v2.cases.filter((c) => c.verdict === 'PASS');
    const r = await cli('merge', v1, save('v2-pass.json', v2), '--out', out);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunReport;
    expect(merged.reportVersion).toBe(2);
    expect(merged.shapes?.map((x) => x.verdict)).toEqual(['FAIL', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
    expect(merged.summary).toMatchObject({ shapes: 4, shapesFailed: 1, exitCode: 2 });
    expect(r.code).toBe(2);
    const onlyShapes = join(dir, 'merged-shapes.json');
    const r2 = await cli('merge', save('v2-pass-a.json', v2), save('v2-pass-b.json', { ...v2, shapes: [] }), '--out', onlyShapes);
    expect(JSON.parse(readFileSync(onlyShapes, 'utf8')).summary).toMatchObject({ byVerdict: { PASS: 1 }, shapesFailed: 1, exitCode: 1 });
    expect(r2.code).toBe(1);
  });
});
