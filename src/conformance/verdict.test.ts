import { describe, expect, it } from 'vitest';
import type { Finding } from '../report/model.js';
import { capVerdict, caseVerdict, strongestVerdictFor, strongestVerdictForSources, verdictForBrokenRule } from './verdict.js';

const f = (verdict: Finding['verdict'], code: string): Finding => ({ verdict, code, message: code });

describe('verdicts', () => {
  it('weighs a broken rule by its strength', () => {
    expect(['MUST', 'SHOULD', 'MAY', 'UNSPECIFIED'].map((s) => verdictForBrokenRule(s as 'MUST'))).toEqual(['FAIL', 'NON-STRICT', 'INFORMATIONAL', 'INFORMATIONAL']);
  });

  it('takes the worst finding and names it as the decider', () => {
    const findings = [f('PASS', 'A'), f('NON-STRICT', 'B'), f('FAIL', 'C'), f('FAIL', 'D')];
    expect(caseVerdict(findings, 'MUST')).toEqual({ verdict: 'FAIL', decidedBy: findings[2] });
    expect(caseVerdict([f('FAIL', 'X'), f('ERROR', 'Y')], 'MUST').verdict).toBe('ERROR');
  });

  it('is PASS with nothing wrong, and INFORMATIONAL when the spec is silent', () => {
    expect(caseVerdict([f('PASS', 'note')], 'MUST')).toEqual({ verdict: 'PASS' });
    expect(caseVerdict([], 'UNSPECIFIED')).toEqual({ verdict: 'INFORMATIONAL' });
    expect(caseVerdict([f('FAIL', 'schema')], 'UNSPECIFIED').verdict).toBe('FAIL');
  });
});

describe('what a source lets a deviation conclude', () => {
  const SOURCES = ['seed', 'reading', 'lenient', 'choice'] as const;

  it('caps by source: the seed FAILs, a reading and a lenient deviation are NON-STRICT, a choice INFORMATIONAL', () => {
    expect(SOURCES.map((s) => strongestVerdictFor(s))).toEqual(['FAIL', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
    expect(SOURCES.map((s) => strongestVerdictFor(s, 'cap'))).toEqual(['FAIL', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
  });

  it('under enforce, readings and choices FAIL while lenient deviations never do', () => {
    expect(SOURCES.map((s) => strongestVerdictFor(s, 'enforce'))).toEqual(['FAIL', 'FAIL', 'NON-STRICT', 'FAIL']);
  });

  it('caps a stronger verdict and leaves a weaker one, PASS and ERROR alone', () => {
    expect(SOURCES.map((s) => capVerdict('FAIL', s))).toEqual(['FAIL', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
    expect(SOURCES.map((s) => capVerdict('FAIL', s, 'enforce'))).toEqual(['FAIL', 'FAIL', 'NON-STRICT', 'FAIL']);
    expect(SOURCES.map((s) => capVerdict('NON-STRICT', s))).toEqual(['NON-STRICT', 'NON-STRICT', 'NON-STRICT', 'INFORMATIONAL']);
    expect(SOURCES.map((s) => capVerdict('INFORMATIONAL', s, 'enforce'))).toEqual(['INFORMATIONAL', 'INFORMATIONAL', 'INFORMATIONAL', 'INFORMATIONAL']);
    expect(SOURCES.map((s) => capVerdict('PASS', s))).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
    expect(SOURCES.map((s) => capVerdict('ERROR', s))).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR']);
  });

  it('takes the strongest over several sources, PASS over none', () => {
    expect(strongestVerdictForSources([])).toBe('PASS');
    expect(strongestVerdictForSources(['choice', 'lenient'])).toBe('NON-STRICT');
    expect(strongestVerdictForSources(['choice', 'lenient'], 'enforce')).toBe('FAIL');
    expect(strongestVerdictForSources(['choice'])).toBe('INFORMATIONAL');
    expect(strongestVerdictForSources(['reading', 'seed'])).toBe('FAIL');
  });

  it('makes a case stopped in its setup NOT-ASSESSED, decided by what blocked it, whatever else it found', () => {
    const blocked: Finding = { verdict: 'FAIL', code: 'CC_CHECK_TIMEOUT', message: 'no reply to CONNECT within 2s' };
    const other: Finding = { verdict: 'ERROR', code: 'CC_WIRE_RESET', message: 'reset' };
    expect(caseVerdict([other, blocked], 'MUST', blocked)).toEqual({ verdict: 'NOT-ASSESSED', decidedBy: blocked });
    expect(caseVerdict([other, blocked], 'MUST')).toEqual({ verdict: 'ERROR', decidedBy: other });
  });
});
