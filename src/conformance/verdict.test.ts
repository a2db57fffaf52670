import { describe, expect, it } from 'vitest';
import type { Finding } from '../report/model.js';
import { caseVerdict, verdictForBrokenRule } from './verdict.js';

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
