/**
 * Runs one case: its own clients and connections, every step under a deadline and the whole case
 * under its own, every message validated both ways, and a CaseResult whose verdict names the step
 * that decided it with its evidence. Each step does its own work (./steps/); this file is the
 * orchestration around them: the case deadline, variables, messages nobody expected, findings and
 * the transcript. A case whose `setup:` stops is NOT-ASSESSED, blocked by what stopped it; the
 * schema findings of a message count for the case only once a step of `steps:` takes that message
 * as its subject (./case-schema.ts).
 */
import { performance } from 'node:perf_hooks';
import { isCcError } from '../errors.js';
import type { BlockedBy, CaseResult, DecisionPolicy, Finding, Verdict } from '../report/model.js';
import { verdictRank } from '../report/verdicts.js';
import type { InboundEvent } from '../transport/types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import type { CaseEnvironment } from './case-environment.js';
import { BUILTIN_VARIABLES, RUN_VARIABLES, type ClientDef, type Duration, type SourceRef, type StepBase } from './case-parts.js';
import { CaseSchema } from './case-schema.js';
import { caseSourceOf, resolveSource, SEED, sourcedFinding, type CheckSource } from './check-source.js';
import { isFailure, Stop, type Failure } from './failure.js';
import { awaitMessage, ScenarioClient, type ClientHost, type Received } from './mailbox.js';
import type { ScenarioCase } from './model.js';
import { stepModule } from './steps/index.js';
import type { StepContext } from './steps/types.js';
import { evaluate, TemplateEvalError, type Template, type TemplateContext } from './template.js';
import { CaseTranscript } from './transcript.js';

export type { CaseEnvironment, CaseTarget } from './case-environment.js';

export async function runCase(scenario: ScenarioCase, env: CaseEnvironment): Promise<CaseResult> {
  return new CaseRun(scenario, env).run();
}

class CaseRun implements ClientHost, StepContext {
  private readonly started = performance.now();
  readonly transcript: CaseTranscript;
  private readonly findings: Finding[] = [];
  private readonly vars = new Map<string, unknown>();
  private readonly clients = new Map<string, ScenarioClient>();
  private stopping = false;
  private finished = false;
  private lastSendAt = 0;
  private uidCounter = 0;
  private readonly counts = new Map<string, number>();
  private readonly templateContext: TemplateContext;
  /** Cancels HTTP requests still open when the case ends. */
  private readonly httpAbort = new AbortController();
  private httpCount = 0;
  private readonly policy: DecisionPolicy;
  /** The case's own source: its checks rest on it unless a step names another. */
  private readonly caseSource: CheckSource;
  private readonly schema: CaseSchema;
  /** `setup` while the preconditions run: what stops the case then blocks it (NOT-ASSESSED). */
  private phase: 'setup' | 'steps' = 'setup';
  /** The setup step running, and the failures setup steps reported, worst first when blocked. */
  private setupStep: StepBase | undefined;
  private readonly setupFailures: { finding: Finding; label: string }[] = [];
  private blocked: BlockedBy | undefined;
  private bytesIn = 0;
  /** Messages received so far: each one's number (Received.seq). */
  private messages = 0;
  private bytesOut = 0;

  constructor(
    private readonly scenario: ScenarioCase,
    readonly env: CaseEnvironment,
  ) {
    this.policy = env.decisionPolicy ?? env.profile.decisionPolicy ?? 'cap';
    this.caseSource = resolveSource(scenario.source, env.profile);
    this.transcript = new CaseTranscript(() => this.now(), env.profile.namingField, env.transcriptTextLimit, env.transcriptMaxEntries);
    this.schema = new CaseSchema({
      caseId: scenario.id,
      profile: env.profile,
      checker: env.checker,
      judge: env.judge,
      policy: this.policy,
      shapes: env.shapes,
      add: (finding) => this.add(finding),
      allow: (kind, max) => this.allow(kind, max),
    });
    for (const def of scenario.clients.values()) this.addClient(def);
    this.templateContext = {
      lookup: (name) => this.lookup(name),
      has: (name) => this.vars.has(name) || this.clients.has(name) || BUILTIN_VARIABLES.has(name),
      uid: (prefix) => `${prefix ? `${prefix}-` : ''}${env.runId}-${++this.uidCounter}`,
      now: () => Date.now(),
    };
  }

  get caseWithin(): number | undefined {
    return this.scenario.within;
  }

  get signal(): AbortSignal {
    return this.httpAbort.signal;
  }

  async run(): Promise<CaseResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.scenario.timeout);
    });
    try {
      const outcome = await Promise.race([this.body().then(() => 'done' as const), deadline]);
      if (outcome === 'timeout') {
        this.stopping = true;
        const timeout: Finding = {
          verdict: 'ERROR',
          code: 'CC_CASE_TIMEOUT',
          message: `the case did not finish within its deadline of ${formatDuration(this.scenario.timeout)}`,
          step: { path: 'timeout', line: this.scenario.line, description: 'raise `timeout:` if the case needs longer' },
        };
        this.add(timeout);
        // The deadline stopped the setup step that was running: that step blocked the case.
        const step = this.setupStep?.source;
        if (this.phase === 'setup' && step) this.blocked ??= { path: step.path, line: step.line, label: labelOf(step), finding: timeout };
      }
    } finally {
      clearTimeout(timer);
      this.stopping = true;
      await this.shutdown();
    }
    // Steps still unwinding after a case deadline must not change a result already decided.
    this.finished = true;
    this.transcript.finish();
    const { verdict, decidedBy } = this.env.judge.caseVerdict(this.findings, this.scenario.strength, this.blocked?.finding);
    const connections = [...this.clients.values()].reduce((n, c) => n + c.connections, 0);
    return {
      id: this.scenario.id,
      title: this.scenario.title,
      ...(this.scenario.description === undefined ? {} : { description: this.scenario.description }),
      file: this.scenario.file,
      line: this.scenario.line,
      profile: this.scenario.profile,
      specSections: this.scenario.specSections,
      strength: this.scenario.strength,
      tags: this.scenario.tags,
      verdict,
      durationMs: Math.round((performance.now() - this.started) * 10) / 10,
      ...(decidedBy ? { decidedBy } : {}),
      findings: [...this.findings],
      transcript: this.transcript.entries(),
      source: caseSourceOf(this.caseSource),
      ...(this.blocked ? { blockedBy: this.blocked } : {}),
      traffic: { connections, bytesIn: this.bytesIn, bytesOut: this.bytesOut },
    };
  }

  private async body(): Promise<void> {
    if (this.missingRunVariables()) return;
    try {
      for (const [name, template] of Object.entries(this.scenario.variables)) {
        this.vars.set(name, this.eval(template, { path: `variables.${name}`, line: this.scenario.line, column: 1 }));
      }
      await this.runSetup();
      this.phase = 'steps';
      await this.runSteps(this.scenario.steps);
      if (!this.stopping) this.checkLeftovers();
    } catch (err) {
      if (err instanceof Stop || this.stopping) return;
      this.add({ verdict: 'ERROR', code: 'CC_CASE_INTERNAL', message: `the runner failed: ${(err as Error).message}` });
    }
  }

  /** The preconditions, step by step: one that stops the case blocks it, with its worst failure. */
  private async runSetup(): Promise<void> {
    for (const step of this.scenario.setup) {
      this.setupStep = step;
      try {
        await this.runSteps([step]);
      } catch (err) {
        if (!(err instanceof Stop)) throw err;
        const worst = this.setupFailures.reduce<{ finding: Finding; label: string } | undefined>((a, b) => (!a || verdictRank(b.finding.verdict) < verdictRank(a.finding.verdict) ? b : a), undefined);
        const at = worst?.finding.step;
        if (worst && !this.stopping) this.blocked ??= { path: at?.path ?? step.source.path, line: at?.line ?? step.source.line, label: worst.label, finding: worst.finding };
        throw err;
      }
    }
  }


  /** A case that requires what the run lacks is not run: INFORMATIONAL, saying what to pass. */
  private missingRunVariables(): boolean {
    const missing = this.scenario.requires.filter((name) => this.runVariable(name) === undefined);
    for (const name of missing) {
      const info = RUN_VARIABLES[name];
      this.add({
        verdict: 'INFORMATIONAL',
        code: 'CC_CASE_NOT_CHECKED',
        message: `not checked: this case needs \${${name}}, ${info.purpose}; pass ${info.flag} to run (the embedded reference server supplies its own)`,
        step: { path: 'requires', line: this.scenario.line },
        ...(this.scenario.specSections[0] ? { section: this.scenario.specSections[0] } : {}),
        evidence: { expected: `${name} (${info.flag.split(' ')[0]})`, actual: 'not given' },
      });
    }
    return missing.length > 0;
  }

  private runVariable(name: string): unknown {
    return name === 'admin_url' ? this.env.adminUrl : undefined;
  }

  async runSteps(steps: readonly StepBase[]): Promise<void> {
    for (const step of steps) {
      if (this.stopping) throw new Stop();
      const module = stepModule(step.kind);
      // The parser made the step from the same registry: a kind it knows has a run.
      if (!module) throw new Error(`no runner for step ${step.kind}`);
      await module.run(step as never, this);
    }
  }

  // ---- what steps may do (StepContext) ---------------------------------------------------------

  aborted(): boolean {
    return this.stopping;
  }

  setVar(name: string, value: unknown): void {
    this.vars.set(name, value);
  }

  client(name: string): ScenarioClient {
    const client = this.clients.get(name);
    if (!client) throw new Error(`unknown client ${name}`);
    return client;
  }

  /** A client that has a connection (even a closed one, when `allowClosed`: its inbox still counts). */
  connected(name: string, source: SourceRef, allowClosed = false): ScenarioClient {
    const client = this.client(name);
    if (!client.conn) {
      return this.fail(source, { code: 'CC_CASE_NOT_CONNECTED', message: `${name} is not connected: add a connect step before this one`, evidence: { client: name }, verdict: 'ERROR', label: 'connection' });
    }
    if (!allowClosed && client.closed) {
      return this.fail(source, {
        code: 'CC_CHECK_CLOSED',
        message: `${name}'s connection is closed (${client.closeText()})`,
        evidence: { client: name, expected: 'an open connection', actual: client.closeText(), transcriptIndex: client.closed.transcriptIndex },
        label: 'connection',
      });
    }
    return client;
  }

  addClient(def: ClientDef): ScenarioClient {
    const client = new ScenarioClient(def, this.env.profile, this, this.env.runId);
    this.clients.set(def.name, client);
    return client;
  }

  fail(source: SourceRef, f: Failure): never {
    this.report(source, f);
    throw new Stop();
  }

  report(source: SourceRef, f: Failure): void {
    this.add(this.finding(source, f));
  }

  stop(): never {
    throw new Stop();
  }

  note(client: string, text: string): void {
    this.transcript.note(client, text);
  }

  acted(): void {
    this.lastSendAt = this.now();
  }

  lastActed(): number {
    return this.lastSendAt;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
    });
  }

  async transmit(client: ScenarioClient, message: unknown, source: SourceRef): Promise<void> {
    try {
      await client.send(message);
    } catch (err) {
      this.sendFailed({ client: client.name, source }, err);
    }
    this.acted();
  }

  sendFailed(step: { client: string; source: SourceRef }, err: unknown): never {
    const message = isCcError(err) ? err.message : (err as Error).message;
    return this.fail(step.source, {
      code: 'CC_CHECK_CLOSED',
      message: `${step.client} could not send: ${message}`,
      evidence: { client: step.client, expected: 'an open connection', actual: this.clients.get(step.client)?.closeText() ?? 'open' },
      label: 'connection',
    });
  }

  async awaitMessage(client: ScenarioClient, criteria: { reply: boolean; messages: string[]; next: boolean }, spec: unknown, deadline: number, waited: number): Promise<Received | Failure> {
    const label = criteria.reply ? `reply to ${client.lastRequest?.name ?? 'a request'}` : criteria.messages.join(' or ');
    const got = await awaitMessage(client, criteria, spec, deadline, waited, () => this.stopping);
    // The message a step of `steps:` took, or the one it found wanting, is the case's subject.
    if (this.phase === 'steps') this.schema.adopt(isFailure(got) ? got.about : got.seq);
    return isFailure(got) ? { label, ...got } : got;
  }

  httpLabel(): string {
    return `http-${++this.httpCount}`;
  }

  eval(template: Template, source: SourceRef): unknown {
    try {
      return evaluate(template, this.templateContext);
    } catch (err) {
      if (err instanceof TemplateEvalError) {
        return this.fail(source, { code: 'CC_CASE_TEMPLATE', message: err.message, evidence: {}, verdict: 'ERROR' });
      }
      throw err;
    }
  }

  /** A step's duration in ms: fixed, or a template evaluated now (to ms or a duration text). */
  ms(duration: Duration | undefined, source: SourceRef): number | undefined {
    if (duration === undefined || typeof duration === 'number') return duration;
    const value = this.eval(duration, source);
    try {
      return parseDuration(value as string | number);
    } catch {
      return this.fail(source, { code: 'CC_CASE_TEMPLATE', message: `${JSON.stringify(value)} is not a duration`, evidence: {}, verdict: 'ERROR' });
    }
  }

  private lookup(name: string): unknown {
    if (this.vars.has(name)) return this.vars.get(name);
    const client = this.clients.get(name);
    if (client) return { name, user_id: client.def.userId, nickname: client.def.nickname };
    if (name === 'target') return this.env.target.url;
    if (name === 'limits') return this.env.profile.limits;
    if (name === 'timers') return this.env.profile.timers;
    if (name === 'targets') return this.env.target.urls;
    if (name in RUN_VARIABLES) return this.runVariable(name) ?? null;
    return undefined;
  }

  // ---- what clients report (ClientHost): the transcript and schema validation -------------------

  inbound(client: string, value: unknown, bytes: number, heartbeat: boolean): { index: number; name: string | undefined; seq: number } {
    const { entry, index, name } = this.transcript.inbound(client, value, bytes, heartbeat);
    const seq = ++this.messages;
    this.bytesIn += bytes;
    this.schema.check(client, 'server', value, entry, index, seq);
    return { index, name, seq };
  }

  outbound(client: string, value: unknown, raw: string | Uint8Array | undefined, heartbeat: boolean): number {
    if (raw !== undefined) {
      this.bytesOut += typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
      return this.transcript.raw(client, raw);
    }
    const { entry, index } = this.transcript.outbound(client, value, heartbeat);
    this.bytesOut += entry.bytes;
    this.schema.check(client, 'client', value, entry, index, 0);
    return index;
  }

  event(client: string, event: Exclude<InboundEvent, { kind: 'message' }>): number {
    const index = this.transcript.event(client, event);
    if (event.kind === 'close') return index;
    const d = event.diagnostic;
    const verdict: Verdict | undefined = d.severity === 'fail' ? 'FAIL' : d.severity === 'non-strict' ? 'NON-STRICT' : undefined;
    if (verdict && !this.stopping) {
      this.add({ verdict, code: d.code, message: `${client}: ${d.message}`, section: d.section, evidence: { client, transcriptIndex: index, ...(d.detail ? { actual: d.detail } : {}) } });
    }
    return index;
  }

  now(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  // ---- findings ------------------------------------------------------------------------------

  private checkLeftovers(): void {
    const verdict: Verdict = this.scenario.unexpected === 'fail' ? this.env.judge.brokenRule(this.scenario.strength) : 'PASS';
    for (const client of this.clients.values()) {
      for (const r of client.inbox) {
        if (r.consumed) continue;
        if (!this.allow('unexpected')) return;
        this.add(this.sourced({
          verdict,
          code: 'CC_CHECK_UNEXPECTED_MESSAGE',
          message: `${client.name} received ${r.name ?? 'a message'} that no step expected${verdict === 'PASS' ? ' (recorded)' : ''}`,
          evidence: { client: client.name, message: r.name, actual: r.value, transcriptIndex: r.transcriptIndex },
        }, undefined));
      }
    }
  }

  /** Counts findings of one kind and says whether one more may be added. */
  private allow(kind: string, max = this.env.maxRepeatedFindings ?? 20): boolean {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    return n <= max;
  }

  private add(finding: Finding): void {
    if (this.finished) return;
    // An entry past the transcript's cap has no index to point at.
    if (finding.evidence?.transcriptIndex !== undefined && finding.evidence.transcriptIndex < 0) {
      const { transcriptIndex: _dropped, ...evidence } = finding.evidence;
      finding = { ...finding, evidence };
    }
    this.findings.push(finding);
  }

  private finding(source: SourceRef, f: Failure): Finding {
    if (this.phase === 'steps') this.schema.adopt(f.about);
    const finding: Finding = {
      verdict: f.verdict ?? (f.code.startsWith('CC_CHECK_') ? this.env.judge.brokenRule(this.scenario.strength) : 'FAIL'),
      code: f.code,
      message: f.message,
      step: { path: source.path, line: source.line },
      ...(this.scenario.specSections[0] ? { section: this.scenario.specSections[0] } : {}),
      evidence: f.evidence,
    };
    const sourced = this.sourced(finding, source.verdictSource);
    if (this.phase === 'setup') this.setupFailures.push({ finding: sourced, label: f.label ?? labelOf(source) });
    return sourced;
  }

  /** A check's finding capped by its source: the step's when it names one, else the case's. */
  /**
   * A check's finding capped by its source: the step's when it names one, else the case's. The
   * case's source is that of its subject: a precondition in `setup:` rests on the seed (every
   * request gets its reply, a room once created can be joined) unless its step names another.
   */
  private sourced(finding: Finding, stepSource: string | undefined): Finding {
    const source = stepSource !== undefined ? resolveSource(stepSource, this.env.profile) : this.phase === 'setup' ? SEED : this.caseSource;
    return sourcedFinding(finding, source, this.env.judge, this.policy);
  }

  private async shutdown(): Promise<void> {
    this.httpAbort.abort();
    await Promise.all(
      [...this.clients.values()].map(async (client) => {
        const conn = client.conn;
        if (!conn) return;
        conn.setListener(null);
        try {
          if (!conn.closed) await conn.close(1000, 'case over', 500);
        } catch {
          // Closing is best effort; destroy below frees the socket either way.
        }
        conn.destroy();
        client.wake();
      }),
    );
  }
}

/** What a step needed, by its kind, when its failure does not say (`setup[2].check` → `check`). */
function labelOf(step: SourceRef): string {
  const kind = step.path.slice(step.path.lastIndexOf('.') + 1);
  const words: Record<string, string> = { connect: 'connection', crowd: 'connection', expect_close: 'close', expect_none: 'silence', http: 'HTTP request' };
  return words[kind] ?? kind;
}
