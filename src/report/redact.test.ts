import { describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { memoryIO } from '../cli/io.js';
import { renderConsole } from '../reporters/console.js';
import { renderHtml } from '../reporters/html.js';
import { renderJson } from '../reporters/json.js';
import { renderJUnit } from '../reporters/junit.js';
import { renderMarkdown } from '../reporters/markdown.js';
import { fanOut } from '../reporters/registry.js';
import { capacityReport, conformanceReport, FIXTURE_JWT, FIXTURE_SECRETS, loadReport } from './fixtures.js';
import { notAssessedReport, sourcesReport } from './fixtures-sources.js';
import { REDACTED, redact, redactReport, redactText } from './redact.js';

describe('redactText', () => {
  it('replaces a JWT anywhere in text', () => {
    const token = jwt.sign({ sub: 'u' }, 'k');
    expect(redactText(`connect with ${token} now`)).toBe(`connect with ${REDACTED} now`);
  });

  it('replaces Authorization header values and keeps the scheme', () => {
    expect(redactText('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('proxy-authorization=Basic dXNlcjpwYXNz;')).toBe(`proxy-authorization=Basic ${REDACTED};`);
    expect(redactText('authorization: rawvalue')).toBe(`authorization: ${REDACTED}`);
  });

  it('replaces values of secret-named fields inside JSON text, strings and numbers', () => {
    expect(redactText('{"user":"ada","password":"p\\"w","jwt_token":"x","pin":1234,"api_key":99,"room_id":"r1"}')).toBe(
      `{"user":"ada","password":"${REDACTED}","jwt_token":"${REDACTED}","pin":1234,"api_key":"${REDACTED}","room_id":"r1"}`,
    );
  });

  it('replaces secret query parameters in URLs', () => {
    expect(redactText('wss://h/chat?room=1&token=abc&x=2')).toBe(`wss://h/chat?room=1&token=${REDACTED}&x=2`);
  });

  it('leaves ordinary text alone, and is idempotent', () => {
    const plain = '{"action":"SEND_MESSAGE","seq_id":3,"data":{"content":"keys and tokens are words"}}';
    expect(redactText(plain)).toBe(plain);
    const once = redactText(`Authorization: Bearer ${jwt.sign({ a: 1 }, 'k')}`);
    expect(redactText(once)).toBe(once);
  });
});

describe('redact (values)', () => {
  it('hides values under secret-looking keys at any depth and scrubs every string', () => {
    const token = jwt.sign({ sub: 'u' }, 'k');
    expect(redact({ secret: 's', nested: { Password: 'p', jwtSecret: 'j', key: 'k', signingKey: 'x', monkey: 'ok', keyboard: 'ok' }, list: [`t=${token}`], token: '', flag: true, n: 1 })).toEqual({
      secret: REDACTED,
      nested: { Password: REDACTED, jwtSecret: REDACTED, key: REDACTED, signingKey: REDACTED, monkey: 'ok', keyboard: 'ok' },
      list: [`t=${REDACTED}`],
      token: '',
      flag: true,
      n: 1,
    });
  });
});

describe('redactReport', () => {
  const reports = { conformance: conformanceReport(), load: loadReport(), capacity: capacityReport(), sources: sourcesReport(), 'not-assessed': notAssessedReport() };

  it('the fixtures really carry the secrets (so the checks below can fail)', () => {
    const raw = JSON.stringify(reports);
    for (const secret of FIXTURE_SECRETS) expect(raw).toContain(secret);
    // In a message-shape sample and in blocked cases' transcripts too.
    expect(JSON.stringify(sourcesReport().shapes)).toContain(FIXTURE_JWT);
    expect(JSON.stringify(notAssessedReport().cases.filter((c) => c.blockedBy))).toContain(FIXTURE_JWT);
  });

  it('redacts message-shape samples, blocking findings and root causes', () => {
    const report = sourcesReport();
    const blocked = report.cases.find((c) => c.blockedBy) as NonNullable<typeof report.cases[number]>;
    blocked.blockedBy!.finding = { ...blocked.blockedBy!.finding, message: `login with ${FIXTURE_JWT} timed out` };
    report.rootCauses = [{ label: 'login', code: 'CC_CHECK_TIMEOUT', verdict: 'FAIL', message: `2 of 2 cases could not get past login (try \`chat-conform probe ws://h/chat?token=${FIXTURE_JWT}\`)`, cases: ['a', 'b'], total: 2, evidence: { connections: 2, bytesIn: 0 } }];
    const safe = redactReport(report);
    expect(safe.shapes?.find((x) => x.message === 'CREATE_ROOM_RESPONSE')?.sample.raw).toBe(`{"action":"CREATE_ROOM_RESPONSE","seq_id":2,"data":{"success":true,"room_id":9,"debug":{"token":"${REDACTED}"}}}`);
    expect(safe.cases.find((c) => c.blockedBy)?.blockedBy?.finding.message).toBe(`login with ${REDACTED} timed out`);
    expect(safe.rootCauses?.[0]?.message).toBe(`2 of 2 cases could not get past login (try \`chat-conform probe ws://h/chat?token=${REDACTED}\`)`);
  });

  for (const [kind, report] of Object.entries(reports)) {
    it(`keeps every secret out of every reporter's output (${kind} report)`, () => {
      const safe = redactReport(report);
      const outputs = {
        json: renderJson(safe),
        junit: renderJUnit(safe),
        html: renderHtml(safe),
        markdown: renderMarkdown(safe),
        console: renderConsole(safe),
        consoleColour: renderConsole(safe, { color: true }),
      };
      for (const [format, text] of Object.entries(outputs)) {
        for (const secret of FIXTURE_SECRETS) expect(text.includes(secret), `${format} contains ${secret.slice(0, 12)}…`).toBe(false);
      }
      expect(outputs.json).toContain(REDACTED);
    });
  }

  it('keeps metric names and encodings as they are', () => {
    const report = loadReport();
    report.load!.counters['errors.INVALID_TOKEN'] = 2;
    const safe = redactReport(report);
    expect(safe.load).toEqual(report.load);
    expect(safe.options).toMatchObject({ clients: 1000, password: REDACTED });
  });

  it('redacts what a live run hands its reporters (fanOut) before they see it', async () => {
    const seen: string[] = [];
    const spy = {
      name: 'spy',
      onRunStart: (info: unknown) => void seen.push(JSON.stringify(info)),
      onCaseEnd: (c: unknown) => void seen.push(JSON.stringify(c)),
      onRunEnd: (r: unknown) => void seen.push(JSON.stringify(r)),
    };
    const io = memoryIO();
    const hub = fanOut([spy]);
    const report = conformanceReport();
    await hub.onRunStart?.({ command: 'run', profile: 'assa', target: report.target, startedAt: report.startedAt, totalCases: 5, options: report.options });
    for (const c of report.cases) await hub.onCaseEnd?.(c);
    await hub.onRunEnd?.(report);
    expect(seen.length).toBe(7);
    for (const text of [...seen, ...io.stdout]) for (const secret of FIXTURE_SECRETS) expect(text.includes(secret)).toBe(false);
  });
});
