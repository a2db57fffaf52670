import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../report/model.js';
import { capacityReport, conformanceReport, loadReport } from '../report/fixtures.js';
import { notAssessedReport, sourcesReport } from '../report/fixtures-sources.js';
import { redactReport } from '../report/redact.js';
import { packageRoot } from '../util/paths.js';
import { renderHtml } from './html.js';

const reports: Record<string, RunReport> = { conformance: conformanceReport(), load: loadReport(), capacity: capacityReport(), sources: sourcesReport(), 'not-assessed': notAssessedReport() };
const html = Object.fromEntries(Object.entries(reports).map(([k, r]) => [k, renderHtml(redactReport(r))])) as Record<string, string>;

describe('the HTML report (static checks)', () => {
  it('fetches nothing: a CSP that forbids it, and no src, link, import or url() anywhere', () => {
    for (const [kind, text] of Object.entries(html)) {
      expect(text, kind).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`);
      expect(text, kind).not.toMatch(/\ssrc=|<link\b|@import|url\(|<iframe|<object|<embed/i);
      // The only URL is the SVG namespace name, which is never fetched.
      expect([...text.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]).filter((u) => u !== 'http://www.w3.org/2000/svg'), kind).toEqual([]);
    }
  });

  it('has a case table with one filterable row per case and its transcript', () => {
    const text = html.conformance as string;
    expect(text.match(/<tr class="case" data-verdict="/g)?.length).toBe(5);
    expect(text).toContain('<input id="case-filter"');
    expect(text).toContain('<option value="FAIL">FAIL (1)</option>');
    expect(text).toContain('data-verdict="FAIL" data-search="assa.send.too-long ');
  });

  it('escapes wire text and highlights the message with schema errors and the failing entry', () => {
    const text = html.conformance as string;
    expect(text).not.toContain('<script>alert(1)</script>');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; \\u0001\\u001B[31m &amp; ]]&gt;');
    expect(text).toMatch(/<tr class="schema-error failing"><td class="num">3<\/td>/);
    expect(text).toContain('<ul class="schema-errors"><li><code>/data/debug</code> must NOT have additional properties');
  });

  it('shows spec coverage: exercised and unexercised messages, operations and unmatched traffic', () => {
    const text = html.conformance as string;
    expect(text).toContain('<h3>Messages: 5 of 6 exercised</h3>');
    expect(text).toContain('<tr class="unexercised"><td><code>JOIN_ROOM</code>');
    expect(text).toContain('<h3>Operations: 2 of 3 exercised</h3>');
    expect(text).toContain('<h3>Traffic that matched no message: 1</h3>');
  });

  it('draws the latency percentile plot, a histogram and the time series for a load run', () => {
    const text = html.load as string;
    expect(text).toContain('<svg class="chart" data-chart="latency-percentiles"');
    expect(text.match(/data-chart="latency-histogram"/g)?.length).toBe(4);
    expect(text).toContain('data-chart="series"');
    expect(text).toContain('<table id="percentile-table">');
    // One polyline per latency histogram in the percentile plot.
    const plot = /<svg class="chart" data-chart="latency-percentiles"[\s\S]*?<\/svg>/.exec(text)?.[0] ?? '';
    expect(plot.match(/<polyline /g)?.length).toBe(4);
  });

  it('draws the capacity chart with the knee and the first broken step when capacity is present', () => {
    const text = html.capacity as string;
    const chart = /<svg class="chart" data-chart="capacity"[\s\S]*?<\/svg>/.exec(text)?.[0] ?? '';
    expect(chart).toContain('>knee 400</text>');
    expect(chart).toContain('>first broken 800</text>');
    expect(chart.match(/<circle /g)?.length).toBe(5);
    expect(html.conformance).not.toContain('data-chart="capacity"');
  });

  it('puts the root causes first, then the message shapes, then the cases', () => {
    const text = html['not-assessed'] as string;
    expect(text).toContain('<section id="root-causes"><h2>Root causes</h2><ul class="root-causes"><li><span class="v v-FAIL">FAIL</span> 61 of 65 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 91 connections; it may not speak this profile (try `chat-conform probe tcp://127.0.0.1:12345`) <code>CC_CHECK_TIMEOUT</code>');
    const sources = html.sources as string;
    expect(sources.indexOf('<section id="shapes">')).toBeGreaterThan(0);
    expect(sources.indexOf('<section id="shapes">')).toBeLessThan(sources.indexOf('<section id="cases">'));
    expect(text.indexOf('<section id="root-causes">')).toBeLessThan(text.indexOf('<section id="cases">'));
    expect(sources.match(/<tr class="shape" data-verdict="/g)?.length).toBe(4);
    expect(sources).toContain('<tr class="shape" data-verdict="FAIL"><td><span class="v v-FAIL">FAIL</span></td><td><code>ROOM_INFO_RESPONSE</code> <span class="muted">from the server</span></td><td><code>/data/participant_count</code></td><td>seed</td><td><code>CC_SCHEMA_INVALID</code></td><td class="num">4</td><td class="num">2</td>');
    expect(sources).toContain('&quot;debug&quot;:{&quot;token&quot;:&quot;[REDACTED]&quot;}');
  });

  it('shows each case\'s source, and where a NOT-ASSESSED case was blocked with its evidence', () => {
    const text = html.sources as string;
    expect(text).toContain('<td>reading assa.D12.closed-rooms; FAIL under --decisions enforce</td>');
    expect(text).toContain('<span class="v v-NON-STRICT">NON-STRICT</span> <span class="source">(reading assa.D12.closed-rooms; FAIL under --decisions enforce)</span> <code>CC_CHECK_MISMATCH</code>');
    expect(text).toContain('<summary>Messages reach every other member in send order (blocked at reply to JOIN_ROOM (setup[3].expect, line 77))</summary>');
    expect(text).toContain('<div class="blocked"><b>Not assessed:</b> blocked at reply to JOIN_ROOM (setup[3].expect, line 77); 2 connections, 412 bytes in, 530 bytes out<ul class="findings"><li><span class="v v-FAIL">FAIL</span> <code>CC_CHECK_TIMEOUT</code>');
    expect(text).toContain('<option value="NOT-ASSESSED">NOT-ASSESSED (1)</option>');
    expect(text).toMatch(/data-verdict="NOT-ASSESSED" data-search="assa\.send\.order [^"]*reply to join_room"/);
  });

  it('carries an inline script that parses', () => {
    const script = /<script>([\s\S]*?)<\/script>/.exec(html.conformance as string)?.[1] ?? '';
    expect(script.length).toBeGreaterThan(100);
    expect(() => new Function(script)).not.toThrow();
  });
});

/**
 * In a real browser: Debian's chromium driven by playwright-core. Both are optional here; CI
 * installs them (see docs/reports.md). Loaded by a computed name so the type check does not need them.
 */
interface PwPage {
  on(event: 'console', cb: (msg: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', cb: (err: Error) => void): void;
  on(event: 'request', cb: (req: { url(): string }) => void): void;
  goto(url: string): Promise<unknown>;
  locator(selector: string): { count(): Promise<number>; fill(v: string): Promise<void>; selectOption(v: string): Promise<unknown> };
  screenshot(opts: { path: string; fullPage: boolean }): Promise<unknown>;
  close(): Promise<void>;
}
interface PwBrowser {
  newPage(): Promise<PwPage>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(opts: { executablePath: string; args: string[]; headless: boolean }): Promise<PwBrowser> };
}

const CHROMIUM = '/usr/bin/chromium';
const playwright: { mod: Playwright | null; reason: string } = await (async () => {
  if (!existsSync(CHROMIUM)) return { mod: null, reason: `${CHROMIUM} is not installed (apt-get install chromium)` };
  const name = 'playwright-core';
  try {
    return { mod: (await import(name)) as Playwright, reason: '' };
  } catch {
    return { mod: null, reason: 'playwright-core is not installed (a devDependency)' };
  }
})();

describe.skipIf(playwright.mod === null)(`the HTML report in headless Chromium${playwright.mod ? '' : ` (skipped: ${playwright.reason})`}`, () => {
  let browser: PwBrowser;
  const dir = mkdtempSync(join(tmpdir(), 'cc-html-'));
  const artifacts = join(packageRoot(), 'reports', 'artifacts');

  beforeAll(async () => {
    browser = await (playwright.mod as Playwright).chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(kind: string): Promise<{ page: PwPage; errors: string[]; requests: string[] }> {
    const file = join(dir, `${kind}.html`);
    writeFileSync(file, html[kind] as string);
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    return { page, errors, requests };
  }

  it('opens the conformance report without console errors, with a working case filter', async () => {
    const { page, errors, requests } = await open('conformance');
    expect(await page.locator('#case-table tbody tr.case').count()).toBe(5);
    await page.locator('#case-filter').fill('too-long');
    expect(await page.locator('#case-table tbody tr.case:not([hidden])').count()).toBe(1);
    await page.locator('#case-filter').fill('');
    await page.locator('#verdict-filter').selectOption('PASS');
    expect(await page.locator('#case-table tbody tr.case:not([hidden])').count()).toBe(1);
    await page.locator('#verdict-filter').selectOption('');
    await page.screenshot({ path: join(artifacts, 'report-conformance.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('opens the NOT-ASSESSED and sources reports without console errors; the verdict filter finds the blocked cases', async () => {
    for (const [kind, blocked] of [['not-assessed', 61], ['sources', 1]] as const) {
      const { page, errors, requests } = await open(kind);
      await page.locator('#verdict-filter').selectOption('NOT-ASSESSED');
      expect(await page.locator('#case-table tbody tr.case:not([hidden])').count()).toBe(blocked);
      await page.locator('#verdict-filter').selectOption('');
      await page.locator('#case-filter').fill('join_room');
      expect(await page.locator('#case-table tbody tr.case:not([hidden])').count()).toBe(kind === 'sources' ? 1 : 0);
      await page.screenshot({ path: join(artifacts, `report-${kind}.png`), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.close();
    }
  });

  it('opens the load report with its latency charts, and the capacity report with its chart', async () => {
    for (const [kind, chart] of [['load', 'latency-percentiles'], ['capacity', 'capacity']] as const) {
      const { page, errors, requests } = await open(kind);
      expect(await page.locator(`svg[data-chart="${chart}"] polyline`).count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(artifacts, `report-${kind}.png`), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(existsSync(join(artifacts, `report-${kind}.png`))).toBe(true);
      await page.close();
    }
  });
});
