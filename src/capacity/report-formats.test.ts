import { describe, expect, it } from 'vitest';
import { capacityReport } from '../report/fixtures.js';
import type { CapacityStep } from '../report/model.js';
import { validateReport } from '../report/validate.js';
import { renderConsole } from '../reporters/console.js';
import { renderHtml } from '../reporters/html.js';
import { renderMarkdown } from '../reporters/markdown.js';

function withBaseline() {
  const report = capacityReport();
  const c = report.capacity!;
  const baseline: CapacityStep[] = c.steps.slice(0, 4).map((s, i) => ({ ...s, throughput: s.load * 10, p99Ms: [2, 2.5, 3, 30][i] ?? 0, sloPassed: i < 3, broken: i < 3 ? [] : ['reply.p99<20ms'] }));
  c.steps[3] = { ...c.steps[3]!, generatorSaturated: true, saturation: 'generator CPU 97% > 90%' };
  c.baseline = baseline;
  c.baselineKnee = 400;
  c.slo = ['reply.p99<20ms'];
  c.stoppedBecause = 'an SLO broke at 800';
  return report;
}

describe('the capacity section of the HTML report', () => {
  it('puts the reference server beside the target: a second chart and its figures in the same rows', () => {
    const report = withBaseline();
    expect(validateReport(report)).toEqual([]);
    const html = renderHtml(report);
    const section = html.slice(html.indexOf('<section id="capacity">'), html.indexOf('</section>', html.indexOf('<section id="capacity">')));
    expect(section.match(/<svg class="chart" data-chart="capacity"/g)).toHaveLength(2);
    expect(section).toContain('<figure data-series="baseline"><figcaption>Reference server, same steps (<b>knee 400</b>)</figcaption>');
    expect(section).toContain('<th>reference throughput/s</th><th>reference p50</th><th>reference p99</th><th>reference SLO</th>');
    // 1600 clients ran on the target only.
    expect(section).toMatch(/<tr><td class="num">1600<\/td>.*<td colspan="4" class="muted">not run<\/td><\/tr>/);
    expect(section).toMatch(/<tr><td class="num">800<\/td>.*<td class="bad">generator saturated<\/td><td>reply\.p99&lt;20ms \(generator CPU 97% &gt; 90%\)<\/td>.*<td class="num">30\.0ms<\/td><td class="bad">missed<\/td><\/tr>/);
    expect(section).toContain('SLO: <code>reply.p99&lt;20ms</code>. Stopped: an SLO broke at 800.');
    const baselineSvg = section.slice(section.indexOf('<figure data-series="baseline">'));
    expect(baselineSvg.match(/<circle /g)).toHaveLength(4);
    expect(baselineSvg).toMatch(/class="marker knee"\/><text [^>]*>knee 400<\/text>/);
    expect(baselineSvg).toMatch(/class="marker broken"\/><text [^>]*>first broken 800<\/text>/);
  });
});

describe('the capacity section of the console and Markdown reports', () => {
  it('shows the reference server beside the target in the same rows, with its knee', () => {
    const text = renderConsole(withBaseline());
    const table = text.slice(text.indexOf('capacity: varying clients'), text.indexOf('knee:'));
    expect(table).toMatch(/load +throughput\/s +p50 +p99 +SLO +broken +ref throughput\/s +ref p99 +ref SLO/);
    expect(table).toMatch(/\n +400 +3,900 +1\.60ms +6\.00ms +met +4,000 +3\.00ms +met *\n/);
    expect(table).toMatch(/\n +800 +6,100 +4\.80ms +48\.0ms +saturated +reply\.p99<20ms +8,000 +30\.0ms +missed *\n/);
    expect(table).toMatch(/\n +1600 +5,800 .* +- +- +- *\n/);
    expect(text).toContain('\nknee: 400; first broken: 800; limited by reply latency (p99 48 ms at 800 clients); reference server: knee 400\n');
  });

  it('adds the reference columns to the Markdown table', () => {
    const md = renderMarkdown(withBaseline());
    expect(md).toContain('| load | throughput/s | p50 | p99 | SLO | reference throughput/s | reference p99 | reference SLO |');
    expect(md).toContain('| 800 | 6,100 | 4.80ms | 48.0ms | ❌ reply.p99&lt;20ms | 8,000 | 30.0ms | ❌ reply.p99&lt;20ms |');
    expect(md).toContain('| 1600 | 5,800 | 40.0ms | 900.0ms | ❌ reply.p99&lt;20ms | – | – | – |');
    expect(md).toContain('; reference server: **knee 400**');
  });

  it('leaves the reference columns out without a baseline', () => {
    const report = capacityReport();
    expect(renderConsole(report)).not.toContain('ref throughput');
    expect(renderMarkdown(report)).not.toContain('reference');
  });
});
