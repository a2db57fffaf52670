/** What a case runs with: the run's choices, handed to runCase (src/scenario/run-case.ts) for every case. */
import type { JwtSigningKey } from '../auth/tokens.js';
import type { Profile } from '../profile/types.js';
import type { ShapeCollector } from '../report/shapes.js';
import type { DecisionPolicy } from '../spec/source.js';
import type { MessageChecker } from './checker.js';
import type { CaseJudge } from './judge.js';

export interface CaseEnvironment {
  profile: Profile;
  /** Where the case's clients connect, and every URL the target serves the profile on. */
  target: CaseTarget;
  signingKey: JwtSigningKey;
  /** The verdict rules (src/conformance/verdict.ts). */
  judge: CaseJudge;
  /** How a decision's source caps a broken check (`run --decisions`); absent: the profile's `decisionPolicy`. */
  decisionPolicy?: DecisionPolicy;
  /** Validates every message; omitted, messages are not validated. */
  checker?: MessageChecker;
  /** The run's message shapes: every schema finding of the server's messages is counted there. */
  shapes?: ShapeCollector;
  /** Default deadline of expect steps and auth replies, ms. */
  responseTimeout: number;
  /** Deadline to open a connection, ms. */
  connectTimeout: number;
  maxInboundBytes: number;
  insecure?: boolean;
  lenient?: boolean;
  /** Unique per run: prefixes uids and correlation ids. */
  runId: string;
  /** `${admin_url}`: an HTTP endpoint that makes the server act (`run --admin-url`, or the embedded server's). */
  adminUrl?: string;
  /** How long after a broadcast reached its members a `none_for` client is still watched, ms (default 50). */
  noneForGrace?: number;
  /** Characters kept per transcript entry (default 4096). */
  transcriptTextLimit?: number;
  /** Entries kept per case transcript (default 20,000; a note marks the cut). */
  transcriptMaxEntries?: number;
  /** Max findings of one kind (schema, unexpected) per case, to keep reports readable (default 20). */
  maxRepeatedFindings?: number;
}

export interface CaseTarget {
  /** `${target}`: where clients connect unless a step says otherwise (ws://, tcp://, or the HTTP base of a login). */
  url: string;
  /** `${targets.<scheme>}`: every URL of the profile by scheme (the embedded server offers ASSA on tcp and ws). */
  urls: Readonly<Record<string, string>>;
}
