import { describe, expect, it } from 'vitest';
import { capacityReport, conformanceReport, loadReport } from '../report/fixtures.js';
import { foldingReport, notAssessedReport, sourcesReport } from '../report/fixtures-sources.js';
import { redactReport } from '../report/redact.js';
import { renderConsole } from './console.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJUnit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { blankVolatile } from './testing.js';

/**
 * Every format of every example report against a committed snapshot (in __snapshots__/), with
 * times, hosts, durations and the tool version blanked. Review a snapshot diff like code. The
 * 65-case NOT-ASSESSED run and the folding run are long in JSON and HTML: their text formats only.
 */
const reports = { conformance: conformanceReport(), load: loadReport(), capacity: capacityReport(), sources: sourcesReport() };
const textOnly = { 'not-assessed': notAssessedReport(), folding: foldingReport() };
const formats = {
  'report.json': renderJson,
  'junit.xml': renderJUnit,
  'report.html': renderHtml,
  'summary.md': (r: Parameters<typeof renderMarkdown>[0]) => renderMarkdown(r),
  'console.txt': (r: Parameters<typeof renderConsole>[0]) => `${renderConsole(r)}\n`,
} as const;

describe('reporter snapshots (volatile fields blanked)', () => {
  for (const [kind, report] of Object.entries(reports)) {
    for (const [file, render] of Object.entries(formats)) {
      it(`renders the ${kind} report as ${file}`, async () => {
        await expect(render(blankVolatile(redactReport(report)))).toMatchFileSnapshot(`__snapshots__/${kind}.${file}`);
      });
    }
  }

  for (const [kind, report] of Object.entries(textOnly)) {
    for (const file of ['junit.xml', 'summary.md', 'console.txt'] as const) {
      it(`renders the ${kind} report as ${file}`, async () => {
        await expect(formats[file](blankVolatile(redactReport(report)))).toMatchFileSnapshot(`__snapshots__/${kind}.${file}`);
      });
    }
  }

  it('blanks what changes between runs and nothing else', () => {
    const a = blankVolatile(conformanceReport());
    expect(a.startedAt).toBe('2000-01-01T00:00:00.000Z');
    expect(a.target.url.startsWith('ws://HOST:PORT/chat?token=')).toBe(true);
    expect(a.cases.every((c) => c.durationMs === 0 && c.transcript.every((t) => t.at === 0))).toBe(true);
    expect(a.cases.map((c) => c.verdict)).toEqual(conformanceReport().cases.map((c) => c.verdict));
  });
});
