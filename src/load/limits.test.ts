import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { emptyTally, limitCases, type LimitContext, type LimitTally } from './limits.js';

const assa = loadProfile('assa');
const CTX: LimitContext = {
  pingIntervalMs: 1000, pongTimeoutMs: 2000, toleranceMs: 200, maxTextChars: 5000, maxMessageBytes: 1_048_576,
  clients: 100, profile: 'assa', decisions: assa.decisions, policy: 'cap',
};

/** A tally in which every check held, changed by `more`. */
function tally(more: Partial<LimitTally>): LimitTally {
  return {
    ...emptyTally(), clients: 100, authenticatedPeak: 100, pingChecked: 100, pingWorstGapMs: 1000, keepaliveChecked: 80,
    silentChecked: 5, silentDroppedInWindow: 5, silentWorstMs: 2100, textMaxSent: 2, textMaxAccepted: 2, textOverSent: 2, textOverRefused: 2,
    oversizeSent: 2, oversizeRefused: 2, ...more,
  };
}

const verdictOf = (cases: ReturnType<typeof limitCases>, id: string) => {
  const c = cases.find((k) => k.id === id)!;
  return [c.verdict, c.decidedBy?.code, c.decidedBy?.source?.rule];
};

describe('limits cases follow the source of each rule, as run does', () => {
  it('pass when every check held', () => {
    expect(limitCases(tally({}), CTX, 5000).map((c) => c.verdict)).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
  });

  it("fail a silent client dropped too late or too early for any reading of the seed; the reading's exact time is NON-STRICT", () => {
    expect(verdictOf(limitCases(tally({ silentDroppedInWindow: 4, silentNever: 1 }), CTX, 5000), 'load.limits.pong-drop')).toEqual(['FAIL', 'CC_LOAD_SILENT_NOT_DROPPED', undefined]);
    expect(verdictOf(limitCases(tally({ silentDroppedInWindow: 4, silentTooEarly: 1 }), CTX, 5000), 'load.limits.pong-drop')).toEqual(['FAIL', 'CC_LOAD_SILENT_NOT_DROPPED', undefined]);
    const off = limitCases(tally({ silentDroppedInWindow: 2, silentOffReading: 3, silentWorstMs: 2900 }), CTX, 5000);
    expect(verdictOf(off, 'load.limits.pong-drop')).toEqual(['NON-STRICT', 'CC_LOAD_SILENT_DROP_TIME', 'assa.D5.heartbeat']);
    expect(off.find((k) => k.id === 'load.limits.pong-drop')!.decidedBy).toMatchObject({
      source: { kind: 'reading', rule: 'assa.D5.heartbeat' }, cappedFrom: 'FAIL',
      message: "3 of 5 silent clients were dropped, within the seed's bounds, but not 2s (+200ms) after CONNECT as assa.D5.heartbeat counts it (latest after 2.9s)",
    });
  });

  it('makes a late first PING NON-STRICT (our reading), a late PING afterwards a FAIL (the seed)', () => {
    expect(verdictOf(limitCases(tally({ firstPingLate: 7 }), CTX, 5000), 'load.limits.ping-interval')).toEqual(['NON-STRICT', 'CC_LOAD_FIRST_PING_LATE', 'assa.D5.heartbeat']);
    expect(verdictOf(limitCases(tally({ pingLate: 1, firstPingLate: 7 }), CTX, 5000), 'load.limits.ping-interval')).toEqual(['FAIL', 'CC_LOAD_PING_LATE', undefined]);
  });

  it('makes a refusal of an oversize message in another form INFORMATIONAL (a choice); an unrefused one FAILs', () => {
    expect(verdictOf(limitCases(tally({ oversizeClosed: 2, oversizeOtherForm: 2 }), CTX, 5000), 'load.limits.message-size')).toEqual(['INFORMATIONAL', 'CC_LOAD_OVERSIZE_FORM', 'assa.D3.refusal']);
    expect(verdictOf(limitCases(tally({ oversizeRefused: 1, oversizeClosed: 1, oversizeOtherForm: 1 }), CTX, 5000), 'load.limits.message-size')).toEqual(['FAIL', 'CC_LOAD_OVERSIZE_NOT_REFUSED', undefined]);
  });

  it('makes both FAIL when the profile enforces its decisions', () => {
    const enforced = limitCases(tally({ silentDroppedInWindow: 2, silentOffReading: 3, oversizeClosed: 2, oversizeOtherForm: 2 }), { ...CTX, policy: 'enforce' }, 5000);
    expect(verdictOf(enforced, 'load.limits.pong-drop')).toEqual(['FAIL', 'CC_LOAD_SILENT_DROP_TIME', 'assa.D5.heartbeat']);
    expect(verdictOf(enforced, 'load.limits.message-size')).toEqual(['FAIL', 'CC_LOAD_OVERSIZE_FORM', 'assa.D3.refusal']);
  });
});
