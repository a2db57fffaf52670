import { describe, expect, it } from 'vitest';
import { foldingReport, notAssessedReport, sourcesReport } from '../report/fixtures-sources.js';
import { redactReport } from '../report/redact.js';
import { renderMarkdown } from './markdown.js';

describe('the Markdown reporter: root causes, message shapes, sources', () => {
  it('opens with the root causes, then the cases, each with its source and where it was blocked', () => {
    const md = renderMarkdown(redactReport(notAssessedReport()));
    const lines = md.split('\n');
    expect(lines).toContain('- ❌ 61 of 65 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 91 connections; it may not speak this profile (try \\`chat-conform probe tcp://127.0.0.1:12345\\`) (<code>CC\\_CHECK\\_TIMEOUT</code>)');
    expect(md.indexOf('### Root causes')).toBeLessThan(md.indexOf('<summary>Cases (65)</summary>'));
    expect(md.indexOf('<summary>Cases (65)</summary>')).toBeLessThan(md.indexOf('### Failures (64)'));
    expect(lines).toContain('| 🚧 NOT-ASSESSED | <code>assa.rooms.case-01</code> | seed | blocked at CONNECT (setup\\[1\\].expect, line 6) |');
    expect(lines).toContain('| ℹ️ INFORMATIONAL | <code>assa.limits.connection-1001</code> | choice assa.D18.connections |  |');
    expect(lines).toContain('| 🚧 NOT-ASSESSED | 61 |');
    expect(lines).toContain('- ×61 **blocked at CONNECT (setup\\[1\\].expect, line 6)**; together 91 connections, 0 bytes in, 16,380 bytes out');
  });

  it('lists the message shapes in a table, worst first, with their source', () => {
    const lines = renderMarkdown(redactReport(sourcesReport())).split('\n');
    const at = lines.indexOf('### Message shapes (4)');
    expect(lines.slice(at + 2, at + 5)).toEqual([
      '| verdict | message | pointer | source | code | seen | cases | what |',
      '| --- | --- | --- | --- | --- | ---: | ---: | --- |',
      '| ❌ FAIL | ROOM\\_INFO\\_RESPONSE (from the server) | <code>/data/participant\\_count</code> | seed | <code>CC\\_SCHEMA\\_INVALID</code> | 4 | 2 | must be integer |',
    ]);
    expect(lines).toContain('| 🟡 NON-STRICT | <code>assa.rooms.closed-join</code> | reading assa.D12.closed-rooms; FAIL under --decisions enforce | JOIN\\_ROOM\\_RESPONSE to an uninvited user: expected success false, got success: true |');
    expect(lines).toContain('- **NON-STRICT (lenient optional-null; capped from FAIL)** <code>CC\\_SCHEMA\\_INVALID</code> (ASSA §5.1): SEND\\_MESSAGE\\_RESPONSE /data/client\\_message\\_id is null; the profile writes it as a string when present');
  });

  it('folds cases that failed alike into one block', () => {
    const md = renderMarkdown(redactReport(foldingReport()));
    expect(md).toContain('<details><summary>❌ ×40 <code>assa.rooms.{missing-01, missing-02, missing-03, missing-04, missing-05, missing-06, missing-07, missing-08, missing-09, missing-10} and 30 more</code></summary>');
    expect(md).toContain('- ×40 **FAIL** <code>CC\\_CHECK\\_MISMATCH</code> (ASSA §4.2): JOIN\\_ROOM room-mf3k9x2ab1-0-1 (never created)');
    expect(md.match(/<details><summary>❌/g)?.length).toBe(2);
  });
});
