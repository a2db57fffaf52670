/** What a step reports when its expectation does not hold, and how it stops its case. */
import type { FindingCode } from '../findings.js';
import type { Evidence, Verdict } from '../report/model.js';

/**
 * A step's failure, before the case turns it into a finding: a CC_CHECK_* code weighs as a broken
 * rule of the case's strength unless it names its verdict; anything else is a FAIL unless it does.
 */
export interface Failure {
  code: FindingCode;
  message: string;
  evidence: Evidence;
  verdict?: Verdict;
  /**
   * What the step needed, in the user's words (`CONNECT`, `login`, `connection`, `reply to
   * JOIN_ROOM`, `USER_JOINED`): the name of what blocked a case whose `setup:` stopped here.
   * Absent: the step's kind.
   */
  label?: string;
  /** The received message the failure is about (Received.seq): a subject of the case when its step is one of `steps:`. */
  about?: number;
}

/** Thrown to stop a case once a step has recorded the finding that decides it. */
export class Stop extends Error {}

export function isFailure(value: object): value is Failure {
  return 'code' in value;
}
