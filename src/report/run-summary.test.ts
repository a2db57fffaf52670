import { describe, expect, it } from 'vitest';
import type { CaseResult, Finding, ShapeFinding, Verdict } from './model.js';
import { effectiveVerdict, summariseRun } from './run-summary.js';

function finding(verdict: Verdict, code = 'CC_CHECK_TIMEOUT'): Finding {
  return { verdict, code, message: `${verdict} finding` };
}

function done(id: string, verdict: Verdict): CaseResult {
  return { id, title: id, profile: 'assa', specSections: [], strength: 'MUST', tags: [], verdict, durationMs: 1, findings: verdict === 'PASS' ? [] : [finding(verdict)], transcript: [] };
}

function blocked(id: string, by: Verdict | undefined): CaseResult {
  const c = done(id, 'NOT-ASSESSED');
  if (by) c.blockedBy = { path: 'setup[0].expect', line: 4, label: 'CONNECT', finding: finding(by) };
  return c;
}

function shape(verdict: Verdict): ShapeFinding {
  return {
    profile: 'assa', direction: 'server', message: 'ROOM_INFO_RESPONSE', pointer: '/data/participant_count', code: 'CC_SCHEMA_INVALID',
    source: { kind: verdict === 'FAIL' ? 'seed' : 'lenient' }, verdict, count: 3, cases: ['a'], caseCount: 1,
    sample: { case: 'a', pointer: '/data/participant_count', raw: '{}', truncated: false },
  };
}

describe('summariseRun', () => {
  it('counts NOT-ASSESSED cases by their own verdict, and lets their blocking finding decide the exit code', () => {
    const s = summariseRun([done('a', 'PASS'), blocked('b', 'FAIL'), blocked('c', 'FAIL')]);
    expect(s).toEqual({
      total: 3,
      byVerdict: { PASS: 1, 'NON-STRICT': 0, INFORMATIONAL: 0, 'NOT-ASSESSED': 2, FAIL: 0, ERROR: 0 },
      thresholdsFailed: 0,
      rootCauses: 1,
      shapes: 0,
      shapesFailed: 0,
      exitCode: 1,
    });
  });

  it('gives exit 2 for a case blocked by an ERROR, and for one that does not say what blocked it', () => {
    expect(summariseRun([done('a', 'PASS'), blocked('b', 'ERROR')]).exitCode).toBe(2);
    expect(summariseRun([blocked('b', 'FAIL'), blocked('c', 'ERROR')]).exitCode).toBe(2);
    expect(summariseRun([blocked('b', undefined)]).exitCode).toBe(2);
  });

  it('counts a NON-STRICT precondition only under --strict, and an INFORMATIONAL one never', () => {
    expect(summariseRun([blocked('b', 'NON-STRICT')]).exitCode).toBe(0);
    expect(summariseRun([blocked('b', 'NON-STRICT')], [], { strict: true }).exitCode).toBe(1);
    expect(summariseRun([blocked('b', 'INFORMATIONAL')], [], { strict: true }).exitCode).toBe(0);
  });

  it('fails the run on a FAIL message shape even when every case passed', () => {
    const s = summariseRun([done('a', 'PASS')], [], { shapes: [shape('FAIL'), shape('NON-STRICT'), shape('INFORMATIONAL')] });
    expect(s).toMatchObject({ shapes: 3, shapesFailed: 1, exitCode: 1 });
    expect(s.byVerdict.PASS).toBe(1);
  });

  it('counts NON-STRICT shapes only under --strict, INFORMATIONAL ones never', () => {
    const shapes = [shape('NON-STRICT'), shape('INFORMATIONAL')];
    expect(summariseRun([done('a', 'PASS')], [], { shapes })).toMatchObject({ shapesFailed: 0, exitCode: 0 });
    expect(summariseRun([done('a', 'PASS')], [], { shapes, strict: true })).toMatchObject({ shapesFailed: 1, exitCode: 1 });
  });

  it('keeps exit 2 for an ERROR case whatever fails besides it, and exit 1 for a breached threshold', () => {
    expect(summariseRun([done('a', 'ERROR'), done('b', 'FAIL')], [], { shapes: [shape('FAIL')] }).exitCode).toBe(2);
    expect(summariseRun([done('a', 'NON-STRICT')]).exitCode).toBe(0);
    expect(summariseRun([done('a', 'NON-STRICT')], [], { strict: true }).exitCode).toBe(1);
    expect(summariseRun([], [{ expression: 'reply.p99<1ms', metric: 'reply.p99', actual: 5000, passed: false, source: 'flag' }])).toMatchObject({ thresholdsFailed: 1, exitCode: 1 });
  });

  it('effectiveVerdict: the case verdict, or for a NOT-ASSESSED case the blocking finding verdict', () => {
    expect(effectiveVerdict(done('a', 'FAIL'))).toBe('FAIL');
    expect(effectiveVerdict(blocked('b', 'NON-STRICT'))).toBe('NON-STRICT');
    expect(effectiveVerdict(blocked('c', undefined))).toBe('ERROR');
  });
});
