import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { capacityReport, conformanceReport, loadReport } from '../report/fixtures.js';
import { foldingReport, notAssessedReport, sourcesReport } from '../report/fixtures-sources.js';
import type { RunReport } from '../report/model.js';
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

const reports = { conformance: conformanceReport(), load: loadReport(), capacity: capacityReport(), sources: sourcesReport(), 'not-assessed': notAssessedReport(), folding: foldingReport() };
const strictSources = (() => {
  const r = sourcesReport();
  return { ...r, options: { ...r.options, strict: true } };
})();

function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

describe('JUnit XML', () => {
  describe.skipIf(!libxml2.ok)(`against the JUnit XSD with libxml2${libxml2.ok ? '' : ` (skipped: ${libxml2.reason})`}`, () => {
    for (const [kind, report] of Object.entries({ ...reports, 'strict sources': strictSources })) {
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
      const uncovered = report.cases.filter((c) => c.verdict === 'NOT-ASSESSED' && !(report.rootCauses ?? []).some((r) => r.cases.includes(c.id))).length;
      expect(cases.length, kind).toBe(report.cases.length + (report.thresholds?.length ?? 0) + (report.rootCauses?.length ?? 0) + uncovered + (report.shapes?.length ?? 0));
      expect(Number(root.attributes.tests), kind).toBe(cases.length);
      for (const s of suites) {
        const tc = children(s, 'testcase');
        expect(Number(s.attributes.tests)).toBe(tc.length);
        expect(Number(s.attributes.failures)).toBe(tc.filter((t) => children(t, 'failure').length === 1).length);
        expect(Number(s.attributes.errors)).toBe(tc.filter((t) => children(t, 'error').length === 1).length);
        expect(Number(s.attributes.skipped)).toBe(tc.filter((t) => children(t, 'skipped').length === 1).length);
        expect(s.attributes.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
        for (const t of tc) {
          expect(t.attributes.name).toBeTruthy();
          expect(t.attributes.classname).toBeTruthy();
          expect(t.attributes.time).toMatch(/^\d+\.\d{3}$/);
          expect(children(t, 'failure').length + children(t, 'error').length + children(t, 'skipped').length).toBeLessThanOrEqual(1);
          expect(children(t, 'system-out').length).toBeLessThanOrEqual(1);
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

  it('skips a NOT-ASSESSED case, saying where it was blocked, and fails its root cause in a preconditions suite', () => {
    const root = parseXml(renderJUnit(redactReport(reports['not-assessed'])));
    const [cases, preconditions, ...rest] = children(root, 'testsuite');
    expect(rest).toEqual([]);
    expect(cases?.attributes).toMatchObject({ tests: '65', failures: '3', errors: '0', skipped: '61' });
    const blocked = children(cases as XmlElement, 'testcase').find((t) => t.attributes.name?.startsWith('assa.rooms.case-01:')) as XmlElement;
    expect(children(blocked, 'skipped')[0]?.attributes).toEqual({ message: 'not assessed: blocked at CONNECT: no reply to CONNECT within 10s' });
    expect(children(blocked, 'skipped')[0]?.text).toContain('blocked at CONNECT (setup[1].expect, line 6); 1 connection, 0 bytes in, 180 bytes out');
    expect(preconditions?.attributes).toMatchObject({ name: 'chat-conform run assa preconditions', tests: '1', failures: '1', errors: '0' });
    const [cause] = children(preconditions as XmlElement, 'testcase');
    expect(cause?.attributes.name).toBe('CONNECT: 61 of 65 cases blocked');
    expect(children(cause as XmlElement, 'failure')[0]?.attributes).toEqual({
      message: '61 of 65 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 91 connections; it may not speak this profile (try `chat-conform probe tcp://127.0.0.1:12345`)',
      type: 'CC_CHECK_TIMEOUT',
    });
    expect(root.attributes).toMatchObject({ tests: '66', failures: '4', errors: '0' });
  });

  it('gives a blocked case no root cause covers its own precondition testcase, and each message shape one; NON-STRICT fails only under --strict', () => {
    const suitesOf = (r: RunReport): XmlElement[] => children(parseXml(renderJUnit(redactReport(r))), 'testsuite');
    const [, preconditions, shapes] = suitesOf(reports.sources);
    const [single] = children(preconditions as XmlElement, 'testcase');
    expect(single?.attributes.name).toBe('reply to JOIN_ROOM (assa.send.order)');
    expect(children(single as XmlElement, 'failure')[0]?.attributes).toEqual({ message: 'reply to JOIN_ROOM: no reply to JOIN_ROOM within 10s', type: 'CC_CHECK_TIMEOUT' });
    expect(shapes?.attributes).toMatchObject({ name: 'chat-conform run assa message shapes', tests: '4', failures: '1', errors: '0' });
    const tc = children(shapes as XmlElement, 'testcase');
    expect(tc.map((t) => [t.attributes.name, children(t, 'failure').length])).toEqual([
      ['ROOM_INFO_RESPONSE /data/participant_count (seed) CC_SCHEMA_INVALID', 1],
      ['SEND_MESSAGE_RESPONSE /data/client_message_id (lenient optional-null) CC_SCHEMA_INVALID', 0],
      ['CREATE_ROOM_RESPONSE /data/debug (lenient) CC_SCHEMA_EXTRA_FIELDS', 0],
      ['MEDIA_STATUS_RESPONSE /data (choice assa.D7.replies) CC_SCHEMA_INVALID', 0],
    ]);
    expect(children(tc[0] as XmlElement, 'failure')[0]?.attributes.message).toBe('ROOM_INFO_RESPONSE /data/participant_count: must be integer; ×4, seen in 2 cases');
    expect(children(tc[2] as XmlElement, 'system-out')[0]?.text).toContain('"debug":{"token":"[REDACTED]"}');
    const strictShapes = children(suitesOf(strictSources)[2] as XmlElement, 'testcase');
    expect(strictShapes.map((t) => children(t, 'failure').length)).toEqual([1, 1, 1, 0]);
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
