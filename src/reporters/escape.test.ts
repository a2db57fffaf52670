import { describe, expect, it } from 'vitest';
import { conformanceReport } from '../report/fixtures.js';
import type { CaseResult } from '../report/model.js';
import { summariseRun } from '../report/run-summary.js';
import { escapeControl, escapeHtml, escapeMarkdownCell, escapeXml, escapeXmlAttr } from './escape.js';
import { parseXml } from './junit-schema/xml-check.js';
import { renderMarkdown } from './markdown.js';

describe('escaping', () => {
  it('XML: markup escaped, characters XML 1.0 forbids shown as \\uXXXX (C0, lone surrogates, U+FFFE/U+FFFF)', () => {
    const hostile = `a<b>&"'\u0000\u0008\u000B\u001F\uD800x\uDFFF\uFFFE\uFFFF\t\n\r😀`;
    expect(escapeXml(hostile)).toBe('a&lt;b&gt;&amp;&quot;&apos;\\u0000\\u0008\\u000B\\u001F\\uD800x\\uDFFF\\uFFFE\\uFFFF\t\n\r😀');
    expect(escapeXmlAttr('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
    // What comes out parses, and the attribute keeps its line breaks.
    expect(parseXml(`<a v="${escapeXmlAttr(hostile)}">${escapeXml(hostile)}</a>`).attributes.v).toBe('a<b>&"\'\\u0000\\u0008\\u000B\\u001F\\uD800x\\uDFFF\\uFFFE\\uFFFF\t\n\r😀');
  });

  it('HTML and terminal: control characters (C0 but tab and newline, DEL, C1) shown, markup escaped', () => {
    expect(escapeControl('ok\tline\n\u001b[2J\u007f\u0085')).toBe('ok\tline\n\\u001B[2J\\u007F\\u0085');
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });

  it('Markdown table cells: pipes, markup, emphasis and newlines cannot break the table', () => {
    expect(escapeMarkdownCell('a|b <i>*x*</i> `c` _d_\nnext')).toBe('a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; \\`c\\` \\_d\\_<br>next');
  });
});

describe('the Markdown reporter', () => {
  it('stays under the step-summary budget and says how many failures it left out', () => {
    const base = conformanceReport();
    const failing = base.cases[1] as CaseResult;
    // Each fails in its own words, so none folds into another.
    const cases = Array.from({ length: 400 }, (_, i) => ({
      ...failing, id: `bulk.${i}`, findings: failing.findings.map((f) => ({ ...f, message: `${f.message} (limit ${i})` })), transcript: failing.transcript.map((t) => ({ ...t, text: 'x'.repeat(2000) })),
    }));
    const report = { ...base, cases, summary: summariseRun(cases) };
    const md = renderMarkdown(report, { maxBytes: 100_000 });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(100_000);
    const shown = md.match(/<details><summary>❌ <code>bulk\.\d+<\/code>/g)?.length ?? 0;
    expect(shown).toBeGreaterThan(0);
    expect(md).toContain(`*${400 - shown} more failures left out to fit the step summary; see the HTML report.*`);
    expect(Buffer.byteLength(renderMarkdown(report))).toBeLessThanOrEqual(900 * 1024);
  });
});
