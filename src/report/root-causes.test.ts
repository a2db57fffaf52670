import { describe, expect, it } from 'vitest';
import { notAssessedReport } from './fixtures-sources.js';
import type { CaseResult, CaseTraffic, TranscriptEntry, Verdict } from './model.js';
import { rootCausesOf } from './root-causes.js';

function blocked(id: string, label: string, code: string, message: string, traffic?: CaseTraffic, transcript: TranscriptEntry[] = [], verdict: Verdict = 'FAIL'): CaseResult {
  const finding = { verdict, code, message };
  return {
    id, title: id, profile: 'assa', specSections: [], strength: 'MUST', tags: [], verdict: 'NOT-ASSESSED', durationMs: 1, findings: [finding], transcript,
    blockedBy: { path: 'setup[0].connect', line: 3, label, finding },
    ...(traffic ? { traffic } : {}),
  };
}

function passed(id: string): CaseResult {
  return { id, title: id, profile: 'assa', specSections: [], strength: 'MUST', tags: [], verdict: 'PASS', durationMs: 1, findings: [], transcript: [] };
}

const silent = (connections: number): CaseTraffic => ({ connections, bytesIn: 0, bytesOut: 180 * connections });
const wire = (text: string, message?: string): TranscriptEntry => ({ client: 'alice', direction: 'in', at: 1, bytes: text.length, text, truncated: false, ...(message ? { message } : {}) });

describe('rootCausesOf', () => {
  it('says once that 61 of 65 cases could not get past CONNECT, with the wire evidence and the probe hint', () => {
    const report = notAssessedReport();
    const causes = rootCausesOf(report.cases, { target: 'tcp://127.0.0.1:12345' });
    expect(causes).toHaveLength(1);
    const [cause] = causes;
    expect(cause?.message).toBe('61 of 65 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 0 bytes on any of 91 connections; it may not speak this profile (try `chat-conform probe tcp://127.0.0.1:12345`)');
    expect(cause).toMatchObject({ label: 'CONNECT', code: 'CC_CHECK_TIMEOUT', verdict: 'FAIL', total: 65, evidence: { connections: 91, bytesIn: 0 } });
    expect(cause?.cases).toHaveLength(61);
    expect(cause?.cases[0]).toBe('assa.rooms.case-01');
    expect(report.rootCauses).toEqual(causes);
  });

  it('keeps only groups of two or more, unless one group is every case of the run', () => {
    const one = blocked('a', 'login', 'CC_CHECK_AUTH_REFUSED', 'the login was refused: 401');
    expect(rootCausesOf([one, passed('b'), passed('c')])).toEqual([]);
    expect(rootCausesOf([one]).map((c) => c.message)).toEqual(['1 of 1 case could not get past login: the login was refused: 401']);
    // Same label, different codes: two groups of one each.
    expect(rootCausesOf([one, blocked('b', 'login', 'CC_CHECK_TIMEOUT', 'no reply'), passed('c')])).toEqual([]);
  });

  it('says so when bytes came but none of them was a message of the profile', () => {
    const junk = [wire('HTTP/1.1 400 Bad Request')];
    const causes = rootCausesOf([blocked('a', 'CONNECT', 'CC_CHECK_TIMEOUT', 'no reply to CONNECT within 10s', { connections: 1, bytesIn: 1000, bytesOut: 180 }, junk), blocked('b', 'CONNECT', 'CC_CHECK_TIMEOUT', 'no reply to CONNECT within 10s', { connections: 1, bytesIn: 234, bytesOut: 180 }, junk)]);
    expect(causes.map((c) => c.message)).toEqual(['2 of 2 cases could not get past CONNECT: no reply to CONNECT within 10s; the server sent 1,234 bytes, none of it a message of this profile; it may not speak this profile (try `chat-conform probe <target>`)']);
  });

  it('says so when messages of the profile came but not the awaited one', () => {
    const pinged = [wire('{"action":"PING","seq_id":1}', 'PING')];
    const causes = rootCausesOf([blocked('a', 'reply to JOIN_ROOM', 'CC_CHECK_TIMEOUT', 'no reply to JOIN_ROOM within 10s', { connections: 2, bytesIn: 60, bytesOut: 400 }, pinged), blocked('b', 'reply to JOIN_ROOM', 'CC_CHECK_TIMEOUT', 'no reply to JOIN_ROOM within 10s', { connections: 2, bytesIn: 60, bytesOut: 400 }, pinged), passed('c')]);
    expect(causes.map((c) => c.message)).toEqual(['2 of 3 cases could not get past reply to JOIN_ROOM: no reply to JOIN_ROOM within 10s; the server sent 120 bytes, none of it what the step waited for']);
  });

  it('says that no connection was established, or that the server refused it', () => {
    const refused = 'cannot connect to tcp://127.0.0.1:1: ECONNREFUSED';
    const none = rootCausesOf([blocked('a', 'connection', 'CC_CASE_CONNECT', refused, silent(0), [], 'ERROR'), blocked('b', 'connection', 'CC_CASE_CONNECT', refused, silent(0), [], 'ERROR')]);
    expect(none.map((c) => [c.verdict, c.message])).toEqual([['ERROR', `2 of 2 cases could not get past connection: ${refused}; no connection was established`]]);
    const upgrade = 'the WebSocket upgrade was refused with 401';
    const refusedUpgrade = rootCausesOf([blocked('a', 'connection', 'CC_CHECK_CONNECT_REFUSED', upgrade, silent(1)), blocked('b', 'connection', 'CC_CHECK_CONNECT_REFUSED', upgrade, silent(1))]);
    expect(refusedUpgrade.map((c) => c.message)).toEqual([`2 of 2 cases could not get past connection: ${upgrade}; the server refused the connection`]);
  });

  it('adds no wire clause without traffic figures, or when the reply came and differed', () => {
    const a = blocked('a', 'login', 'CC_CHECK_MISMATCH', 'CONNECT_RESPONSE: expected success true, got false', { connections: 1, bytesIn: 80, bytesOut: 180 });
    const b = blocked('b', 'login', 'CC_CHECK_MISMATCH', 'CONNECT_RESPONSE: expected success true, got false');
    expect(rootCausesOf([a, { ...a, id: 'c' }]).map((c) => c.message)).toEqual(['2 of 2 cases could not get past login: CONNECT_RESPONSE: expected success true, got false']);
    expect(rootCausesOf([a, b]).map((c) => c.message)).toEqual(['2 of 2 cases could not get past login: CONNECT_RESPONSE: expected success true, got false']);
  });

  it('quotes one wording for findings that differ only in the names each case made, and counts the others', () => {
    const causes = rootCausesOf([
      blocked('a', 'reply to CREATE_ROOM', 'CC_CHECK_MISMATCH', 'room room-mf3k9x2ab1-0-1: expected success true, got false'),
      blocked('b', 'reply to CREATE_ROOM', 'CC_CHECK_MISMATCH', 'room room-mf3k9x2ab1-1-1: expected success true, got false'),
      blocked('c', 'reply to CREATE_ROOM', 'CC_CHECK_MISMATCH', 'room room-mf3k9x2ab1-2-1: expected success true, got false'),
      blocked('d', 'reply to CREATE_ROOM', 'CC_CHECK_MISMATCH', 'CREATE_ROOM_RESPONSE: expected success true, got an ERROR'),
    ]);
    expect(causes.map((c) => c.message)).toEqual(['4 of 4 cases could not get past reply to CREATE_ROOM: room room-mf3k9x2ab1-0-1: expected success true, got false (1 of them worded otherwise)']);
  });

  it('orders root causes worst first, then largest', () => {
    const causes = rootCausesOf([
      blocked('a', 'login', 'CC_CHECK_TIMEOUT', 'no reply'), blocked('b', 'login', 'CC_CHECK_TIMEOUT', 'no reply'), blocked('c', 'login', 'CC_CHECK_TIMEOUT', 'no reply'),
      blocked('d', 'USER_JOINED', 'CC_CHECK_TIMEOUT', 'no USER_JOINED'), blocked('e', 'USER_JOINED', 'CC_CHECK_TIMEOUT', 'no USER_JOINED'),
      blocked('f', 'connection', 'CC_CASE_CONNECT', 'refused', undefined, [], 'ERROR'), blocked('g', 'connection', 'CC_CASE_CONNECT', 'refused', undefined, [], 'ERROR'),
    ]);
    expect(causes.map((c) => [c.label, c.cases.length, c.verdict])).toEqual([['connection', 2, 'ERROR'], ['login', 3, 'FAIL'], ['USER_JOINED', 2, 'FAIL']]);
  });
});
