import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityReport, conformanceReport, loadReport } from '../report/fixtures.js';
import { redactReport } from '../report/redact.js';
import { renderJUnit } from './junit.js';
import { parseXml, type XmlElement } from './junit-schema/xml-check.js';

const here = dirname(fileURLToPath(import.meta.url));
const XSD = join(here, 'junit-schema', 'junit.xsd');
const VALIDATOR = join(here, 'junit-schema', 'validate-xsd.py');
const tmp = mkdtempSync(join(tmpdir(), 'cc-junit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** libxml2 (Debian's libxml2 package) reached from python3's ctypes; null when either is missing. */
const libxml2 = (() => {
  const probe = spawnSync('python3', ['-c', 'import ctypes.util,sys; sys.exit(0 if ctypes.util.find_library("xml2") else 3)'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: 'python3 is not installed' };
  if (probe.status !== 0) return { ok: false, reason: 'libxml2 is not installed (apt-get install libxml2)' };
  return { ok: true, reason: '' };
})();

function validateWithLibxml2(xml: string, name: string): { status: number | null; stderr: string } {
  const file = join(tmp, name);
  writeFileSync(file, xml);
  const r = spawnSync('python3', [VALIDATOR, XSD, file], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const reports = { conformance: conformanceReport(), load: loadReport(), capacity: capacityReport() };

function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

describe('JUnit XML', () => {
  describe.skipIf(!libxml2.ok)(`against the JUnit XSD with libxml2${libxml2.ok ? '' : ` (skipped: ${libxml2.reason})`}`, () => {
    for (const [kind, report] of Object.entries(reports)) {
      it(`validates the ${kind} report`, () => {
        const r = validateWithLibxml2(renderJUnit(redactReport(report)), `${kind}.xml`);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      });
    }

    it('rejects what the schema forbids: a negative time, a missing name, a file attribute', () => {
      const xml = renderJUnit(redactReport(reports.conformance));
      for (const [label, broken] of [
        ['negative time', xml.replace('time="0.012"', 'time="-0.012"')],
        ['missing name', xml.replace(/<testcase name="[^"]*"/, '<testcase')],
        ['unknown attribute', xml.replace('<testcase name=', '<testcase file="x.yaml" name=')],
        ['not well-formed', xml.replace('</testsuites>', '')],
      ] as const) {
        expect(broken, label).not.toBe(xml);
        expect(validateWithLibxml2(broken, 'broken.xml').status, label).toBe(1);
      }
    });
  });

  it('is well-formed XML with hostile wire text (markup, control characters, "]]>")', () => {
    const xml = renderJUnit(redactReport(reports.conformance));
    const root = parseXml(xml);
    expect(root.name).toBe('testsuites');
    const failing = children(children(root, 'testsuite')[0] as XmlElement, 'testcase').find((t) => t.attributes.name?.startsWith('assa.send.too-long'));
    const out = children(failing as XmlElement, 'system-out')[0]?.text ?? '';
    // Decoded back, the server's text is intact but for the control characters, shown as \uXXXX.
    expect(out).toContain('"debug":"<script>alert(1)</script> \\u0001\\u001B[31m & ]]>"');
  });

  it('has one testcase per case and per threshold, with counts that add up', () => {
    for (const [kind, report] of Object.entries(reports)) {
      const root = parseXml(renderJUnit(redactReport(report)));
      const suites = children(root, 'testsuite');
      const cases = suites.flatMap((s) => children(s, 'testcase'));
      expect(cases.length, kind).toBe(report.cases.length + (report.thresholds?.length ?? 0));
      expect(Number(root.attributes.tests), kind).toBe(cases.length);
      for (const s of suites) {
        const tc = children(s, 'testcase');
        expect(Number(s.attributes.tests)).toBe(tc.length);
        expect(Number(s.attributes.failures)).toBe(tc.filter((t) => children(t, 'failure').length === 1).length);
        expect(Number(s.attributes.errors)).toBe(tc.filter((t) => children(t, 'error').length === 1).length);
        expect(s.attributes.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
        for (const t of tc) {
          expect(t.attributes.name).toBeTruthy();
          expect(t.attributes.classname).toBeTruthy();
          expect(t.attributes.time).toMatch(/^\d+\.\d{3}$/);
          expect(children(t, 'failure').length + children(t, 'error').length).toBeLessThanOrEqual(1);
        }
      }
      expect(Number(root.attributes.failures), kind).toBe(suites.reduce((n, s) => n + Number(s.attributes.failures), 0));
    }
  });

  it('puts the spec section, the scenario location and the evidence in the failure', () => {
    const root = parseXml(renderJUnit(redactReport(reports.conformance)));
    const tc = children(children(root, 'testsuite')[0] as XmlElement, 'testcase');
    const failure = children(tc[1] as XmlElement, 'failure')[0] as XmlElement;
    expect(failure.attributes).toEqual({
      message: 'ASSA §7.2: expected error_code MESSAGE_TOO_LONG, got success: true [SEND_MESSAGE_RESPONSE /data/error_code: expected "MESSAGE_TOO_LONG", actual null]',
      type: 'CC_CHECK_FIELD',
    });
    expect(failure.text).toContain('scenario: scenarios/conformance/assa/limits.yaml:41');
    expect(failure.text).toContain('spec: ASSA §7.2, ASSA §12 (MUST)');
    expect(failure.text).toContain('evidence: alice SEND_MESSAGE_RESPONSE /data/error_code: expected "MESSAGE_TOO_LONG", actual null');
    const error = children(tc[4] as XmlElement, 'error')[0] as XmlElement;
    expect(error.attributes.type).toBe('CC_ERR_CONNECT');
    // NON-STRICT passes unless the run was strict.
    expect(children(tc[2] as XmlElement, 'failure')).toEqual([]);
    const strict = redactReport({ ...reports.conformance, options: { ...reports.conformance.options, strict: true } });
    const strictCases = children(children(parseXml(renderJUnit(strict)), 'testsuite')[0] as XmlElement, 'testcase');
    expect(children(strictCases[2] as XmlElement, 'failure')[0]?.attributes.type).toBe('CC_SCHEMA_ADDITIONAL');
  });

  it('lists each threshold as a testcase, failing ones with the actual value in ms', () => {
    const root = parseXml(renderJUnit(redactReport(reports.load)));
    const suite = children(root, 'testsuite')[1] as XmlElement;
    expect(suite.attributes.name).toBe('chat-conform load assa thresholds');
    const tc = children(suite, 'testcase');
    expect(tc.map((t) => t.attributes.name)).toEqual(['reply.p99<100ms', 'delivery.p99<5ms', 'delivery.lost==0']);
    expect(children(tc[0] as XmlElement, 'failure')).toEqual([]);
    expect(children(tc[1] as XmlElement, 'failure')[0]?.attributes.message).toMatch(/^threshold delivery\.p99<5ms breached: actual \d+\.\dms$/);
    expect(children(tc[2] as XmlElement, 'failure')[0]?.attributes.message).toBe('threshold delivery.lost==0 breached: actual 1');
  });

  it('the hand-written checker rejects what it claims to reject', () => {
    for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a>\u0001</a>', '<a/><b/>', '<a>&#1;</a>', '<a x="<"/>', '<a>]]></a>', '<a>', 'text<a/>', '<a><![CDATA[x]]></a>']) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a k="&lt;&amp;&#x41;">t&gt;<!-- c --><b/></a>\n')).toEqual({
      name: 'a', attributes: { k: '<&A' }, text: 't>', children: [{ name: 'b', attributes: {}, children: [], text: '' }],
    });
  });
});
