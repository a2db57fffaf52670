/**
 * The schema side of a case (docs/scenarios.md, "Validation"; sources-spec §3). Every message is
 * validated as it arrives. Each schema finding of a server message is capped by its source (the
 * validator's), counted in the run's message shapes (every issue, once per shape), and held by its
 * message until a checking step of `steps:` takes that message as its subject: only then is it a
 * finding of the case. The findings of messages that set the case up, or that no step looked at,
 * are the shapes' alone.
 */
import type { Profile } from '../profile/types.js';
import type { DecisionPolicy, Evidence, Finding, RuleSource, TranscriptEntry } from '../report/model.js';
import type { ShapeCollector } from '../report/shapes.js';
import { verdictRank } from '../report/verdicts.js';
import { schemaFinding } from './check-source.js';
import type { MessageChecker, SchemaIssue } from './checker.js';
import type { CaseJudge } from './judge.js';

export interface CaseSchemaHost {
  readonly caseId: string;
  readonly profile: Profile;
  readonly checker: MessageChecker | undefined;
  readonly judge: CaseJudge;
  readonly policy: DecisionPolicy;
  readonly shapes: ShapeCollector | undefined;
  /** Records a finding of the case. */
  add(finding: Finding): void;
  /** Counts findings of one kind and says whether one more may be added. */
  allow(kind: string, max?: number): boolean;
}

/** A finding held by its message, and the kind its case counts it under. */
interface Held {
  finding: Finding;
  kind: string;
  max?: number;
}

export class CaseSchema {
  /** A received message's number (Received.seq) → its findings, until a step takes it as its subject. */
  private readonly held = new Map<number, Held[]>();

  constructor(private readonly host: CaseSchemaHost) {}

  /** Validates a message; `seq` numbers a received one (Received.seq). */
  check(client: string, direction: 'client' | 'server', value: unknown, entry: TranscriptEntry, index: number, seq: number): void {
    const checker = this.host.checker;
    if (!checker) return;
    const check = checker.check(direction, value);
    const evidence: Evidence = { client, transcriptIndex: index };
    if (check.kind === 'invalid') {
      entry.schemaErrors = check.issues.map((i) => ({ pointer: i.pointer, message: i.message, ...(i.expected === undefined ? {} : { expected: i.expected }), ...(i.actual === undefined ? {} : { actual: i.actual }) }));
    }
    if (direction === 'client') {
      const first = check.kind === 'invalid' ? check.issues[0] : undefined;
      // A negative case may send invalid messages on purpose: recorded, not a verdict, and no shape of the server's.
      if (check.kind === 'invalid') this.host.add({ verdict: 'PASS', code: 'CC_SCHEMA_SENT_INVALID', message: `${client} sent ${check.name} that fails its schema at ${first?.pointer || '/'}: ${first?.message ?? ''} (recorded)`, evidence: { ...evidence, message: check.name, pointer: first?.pointer ?? '' } });
      return;
    }
    const found: Held[] = [];
    switch (check.kind) {
      case 'valid':
        break;
      case 'invalid': {
        // Every issue is a shape; the case keeps the message's most serious one (the seed's before a decision's before a lenient one).
        const issues = check.issues.map((issue) => this.finding(entry, issue.pointer, {
          code: 'CC_SCHEMA_INVALID',
          message: `${check.name} from the server fails its schema at ${issue.pointer || '/'}: ${issue.message}`,
          evidence: { ...evidence, message: check.name, pointer: issue.pointer, expected: issue.expected, actual: issue.actual },
        }, issue.source, issue.rule, issue));
        found.push({ finding: issues.reduce((a, b) => (verdictRank(b.verdict) < verdictRank(a.verdict) ? b : a)), kind: 'schema' });
        break;
      }
      case 'not-object':
      case 'no-name':
      case 'unknown': {
        const naming = this.host.profile.namingField;
        const message =
          check.kind === 'not-object' ? 'the server sent a message that is not an object'
            : check.kind === 'no-name' ? `the server sent a message without ${naming}`
              : `the server sent ${check.name}, which the spec does not define${check.source === 'choice' ? ' (the spec leaves server messages open: a choice)' : ''}`;
        const pointer = check.kind === 'not-object' ? '' : `/${naming}`;
        // A message that is not an object or has no name breaks every seed; an undefined name is the validator's call.
        found.push({
          finding: this.finding(entry, pointer, {
            code: check.kind === 'not-object' ? 'CC_SCHEMA_NOT_OBJECT' : check.kind === 'no-name' ? 'CC_SCHEMA_NO_NAME' : 'CC_SCHEMA_UNKNOWN_MESSAGE',
            message,
            evidence: { ...evidence, pointer, ...(check.kind === 'unknown' ? { message: check.name, actual: check.name } : { actual: value }) },
          }, check.kind === 'unknown' ? check.source : 'seed', undefined),
          kind: 'schema',
        });
        break;
      }
    }
    if ((check.kind === 'valid' || check.kind === 'invalid') && check.extras.length > 0) {
      const extras = check.extras.map((pointer) => this.finding(entry, pointer, {
        code: 'CC_SCHEMA_EXTRA_FIELDS',
        message: `${check.name} from the server carries fields the spec does not define: ${check.extras.join(', ')}`,
        evidence: { ...evidence, message: check.name, pointer, expected: 'no such field' },
      }, check.extrasSource, undefined));
      // Once per message name in a case: the same extra fields on every reply say nothing new.
      found.push({ finding: extras[0] as Finding, kind: `extras:${check.name}`, max: 1 });
    }
    if (found.length > 0) this.held.set(seq, found);
  }

  /** The received message `seq` is a subject of the case: its schema findings become the case's (once). */
  adopt(seq: number | undefined): void {
    if (seq === undefined) return;
    const found = this.held.get(seq);
    if (!found) return;
    this.held.delete(seq);
    for (const { finding, kind, max } of found) if (this.host.allow(kind, max)) this.host.add(finding);
  }

  /** A schema finding, capped by its source, counted in the message shapes. */
  private finding(entry: TranscriptEntry, pointer: string, finding: Omit<Finding, 'verdict'>, source: RuleSource, rule: string | undefined, issue?: SchemaIssue): Finding {
    const h = this.host;
    const capped = schemaFinding(finding, source, rule, h.profile, h.judge, h.policy);
    h.shapes?.add(h.caseId, {
      profile: h.profile.name,
      direction: 'server',
      message: entry.message ?? (pointer === '' ? '(not an object)' : '(unnamed)'),
      pointer,
      code: capped.code,
      source: capped.source ?? { kind: 'seed' },
      verdict: capped.verdict,
      ...(issue ? { detail: issue.message } : {}),
      ...(issue?.expected === undefined ? {} : { expected: issue.expected }),
      ...(issue?.actual === undefined ? {} : { actual: issue.actual }),
      raw: entry.text,
    });
    return capped;
  }
}
