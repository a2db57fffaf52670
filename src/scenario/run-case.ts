/**
 * Runs one case: its own clients and connections, every step under a deadline and the whole case
 * under its own, every message validated both ways, and a CaseResult whose verdict names the step
 * that decided it with its evidence.
 */
import { performance } from 'node:perf_hooks';
import { isCcError } from '../errors.js';
import type { FindingCode } from '../findings.js';
import type { Profile } from '../profile/types.js';
import type { CaseResult, Evidence, Finding, TranscriptEntry, Verdict } from '../report/model.js';
import type { InboundEvent } from '../transport/types.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { openClient } from '../auth/open-client.js';
import { mintVariant, type JwtSigningKey } from '../auth/tokens.js';
import { httpRequest, responseBody } from '../http/request.js';
import type { MessageChecker } from './checker.js';
import type { CaseJudge } from './judge.js';
import { readPath, setPath } from '../util/dotted-path.js';
import { applyByteFill, composeMessage } from './compose.js';
import { deepEqual, match, type Mismatch } from './match.js';
import type {
  CaptureStep, ClientDef, CloseStep, ConnectStep, CrowdStep, Duration, ExpectCloseStep, ExpectNoneStep, ExpectStep, HttpStep, RepeatStep, ScenarioCase, SendStep, SourceRef, Step,
} from './model.js';
import { BUILTIN_VARIABLES, RUN_VARIABLES } from './model.js';
import { ScenarioClient, type Received, type SessionHost } from './session.js';
import { evaluate, TemplateEvalError, type Template, type TemplateContext } from './template.js';

export interface CaseEnvironment {
  profile: Profile;
  /** Where the case's clients connect, and every URL the target serves the profile on. */
  target: CaseTarget;
  signingKey: JwtSigningKey;
  /** The verdict rules (src/conformance/verdict.ts). */
  judge: CaseJudge;
  /** Validates every message; omitted, messages are not validated. */
  checker?: MessageChecker;
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

/** Thrown to stop a case once a step has recorded the finding that decides it. */
class Stop extends Error {}

const DEFAULT_TEXT_LIMIT = 4096;
const DEFAULT_MAX_ENTRIES = 20_000;

export async function runCase(scenario: ScenarioCase, env: CaseEnvironment): Promise<CaseResult> {
  return new CaseRun(scenario, env).run();
}

type Failure = { code: FindingCode; message: string; evidence: Evidence; verdict?: Verdict };

class CaseRun implements SessionHost {
  private readonly started = performance.now();
  private readonly transcript: TranscriptEntry[] = [];
  private readonly findings: Finding[] = [];
  private readonly vars = new Map<string, unknown>();
  private readonly clients = new Map<string, ScenarioClient>();
  private aborted = false;
  private finished = false;
  private lastSendAt = 0;
  private uidCounter = 0;
  private readonly counts = new Map<string, number>();
  private readonly textLimit: number;
  private readonly templateContext: TemplateContext;
  /** Cancels HTTP requests still open when the case ends. */
  private readonly httpAbort = new AbortController();
  private httpCount = 0;

  constructor(
    private readonly scenario: ScenarioCase,
    private readonly env: CaseEnvironment,
  ) {
    this.textLimit = env.transcriptTextLimit ?? DEFAULT_TEXT_LIMIT;
    for (const def of scenario.clients.values()) this.clients.set(def.name, new ScenarioClient(def, env.profile, this, env.runId));
    this.templateContext = {
      lookup: (name) => this.lookup(name),
      has: (name) => this.vars.has(name) || this.clients.has(name) || BUILTIN_VARIABLES.has(name),
      uid: (prefix) => `${prefix ? `${prefix}-` : ''}${env.runId}-${++this.uidCounter}`,
      now: () => Date.now(),
    };
  }

  async run(): Promise<CaseResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.scenario.timeout);
    });
    try {
      const outcome = await Promise.race([this.body().then(() => 'done' as const), deadline]);
      if (outcome === 'timeout') {
        this.aborted = true;
        this.add({
          verdict: 'ERROR',
          code: 'CC_CASE_TIMEOUT',
          message: `the case did not finish within its deadline of ${formatDuration(this.scenario.timeout)}`,
          step: { path: 'timeout', line: this.scenario.line, description: 'raise `timeout:` if the case needs longer' },
        });
      }
    } finally {
      clearTimeout(timer);
      this.aborted = true;
      await this.shutdown();
    }
    // Steps still unwinding after a case deadline must not change a result already decided.
    this.finished = true;
    const { verdict, decidedBy } = this.env.judge.caseVerdict(this.findings, this.scenario.strength);
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
      transcript: [...this.transcript],
    };
  }

  private async body(): Promise<void> {
    if (this.missingRunVariables()) return;
    try {
      for (const [name, template] of Object.entries(this.scenario.variables)) {
        this.vars.set(name, this.eval(template, { path: `variables.${name}`, line: this.scenario.line, column: 1 }));
      }
      await this.steps(this.scenario.steps);
      if (!this.aborted) this.checkLeftovers();
    } catch (err) {
      if (err instanceof Stop || this.aborted) return;
      this.add({ verdict: 'ERROR', code: 'CC_CASE_INTERNAL', message: `the runner failed: ${(err as Error).message}` });
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

  private async steps(steps: Step[]): Promise<void> {
    for (const step of steps) {
      if (this.aborted) throw new Stop();
      await this.step(step);
    }
  }

  private async step(step: Step): Promise<void> {
    switch (step.kind) {
      case 'connect':
        return this.connect(step);
      case 'send':
        return this.send(step);
      case 'expect':
        return this.expect(step);
      case 'expect_none':
        return this.expectNone(step);
      case 'expect_close':
        return this.expectClose(step);
      case 'close':
        return this.close(step);
      case 'wait':
        return this.sleep(this.ms(step.ms, step.source) ?? 0);
      case 'capture':
        return this.capture(step);
      case 'repeat':
        return this.repeat(step);
      case 'crowd':
        return this.crowd(step);
      case 'http':
        return this.http(step);
      case 'check': {
        const m = match(this.eval(step.match, step.source), this.eval(step.value, step.source));
        if (m) this.fail(step.source, { code: 'CC_CHECK_MISMATCH', message: `checked value: ${m.pointer || '/'} ${m.reason}`, evidence: { pointer: m.pointer, expected: m.expected, actual: m.actual } });
        return;
      }
      case 'parallel': {
        const results = await Promise.allSettled(step.branches.map((branch) => this.steps(branch)));
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
        return;
      }
      default: {
        // Exhaustive: a step kind the parser accepts but the runner does not run is a compile error,
        // never a step silently skipped (a case that cannot fail).
        const unknown: never = step;
        throw new Error(`no runner for step ${(unknown as { kind: string }).kind}`);
      }
    }
  }

  // ---- steps -------------------------------------------------------------------------------

  /**
   * `crowd`: count authenticated clients (user ids from userIdFrom up) connect at once, must all
   * stay open for `hold`, then are closed so the server's capacity is free for what follows.
   */
  private async crowd(step: CrowdStep): Promise<void> {
    const count = Number(typeof step.count === 'number' ? step.count : this.eval(step.count, step.source));
    if (!Number.isSafeInteger(count) || count < 1) {
      this.fail(step.source, { code: 'CC_CASE_TEMPLATE', message: `crowd count must be a positive whole number, got ${count}`, evidence: {}, verdict: 'ERROR' });
    }
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `crowd-${i}`;
      const def: ClientDef = { name, userId: step.userIdFrom + i, nickname: name, claims: { t: 'lit', value: {} }, token: 'valid', heartbeat: 'auto', source: step.source };
      this.clients.set(name, new ScenarioClient(def, this.env.profile, this, this.env.runId));
      names.push(name);
    }
    this.note(names[0] as string, `crowd of ${count} connecting`);
    try {
      await this.connect({ kind: 'connect', clients: names, auth: true, await: true, expect: 'ok', ...(step.within === undefined ? {} : { within: step.within }), source: step.source });
      await this.sleep(this.ms(step.hold, step.source) ?? 0);
      const dropped = names.filter((name) => this.clients.get(name)?.closed);
      if (dropped.length > 0) {
        this.fail(step.source, {
          code: 'CC_CHECK_CLOSED',
          message: `${dropped.length} of the ${count} crowd connections closed while they were held (first: ${dropped[0]})`,
          evidence: { client: dropped[0] as string, expected: `${count} open`, actual: `${count - dropped.length} open` },
        });
      }
      this.note(names[0] as string, `crowd of ${count} held`);
    } finally {
      await Promise.all(names.map((name) => this.clients.get(name)?.close()));
    }
  }

  /**
   * `http`: one request under the step's deadline. It drives the case (an admin's announcement), it
   * does not check the server: no answer, or a status not asked for, is an ERROR with the exchange
   * as evidence.
   */
  private async http(step: HttpStep): Promise<void> {
    const label = `http-${++this.httpCount}`;
    const url = this.eval(step.url, step.source);
    const headers: Record<string, string> = {};
    for (const [name, t] of Object.entries(step.headers)) headers[name] = String(this.eval(t, step.source));
    let body: string | undefined;
    if (step.json !== undefined) {
      body = JSON.stringify(this.eval(step.json, step.source));
      headers['content-type'] ??= 'application/json';
    } else if (step.body !== undefined) {
      body = String(this.eval(step.body, step.source));
    }
    const within = this.ms(step.within, step.source) ?? this.env.responseTimeout;
    const request = `${step.method} ${String(url)}`;
    this.push({ client: label, direction: 'out', at: this.now(), bytes: body === undefined ? 0 : Buffer.byteLength(body), ...this.clip(body === undefined ? request : `${request} ${body}`), event: 'http' });
    // expect_none listens from the last thing the case did to the server: this request counts.
    this.lastSendAt = this.now();
    const outcome = typeof url === 'string'
      ? await httpRequest({ method: step.method, url, headers, ...(body === undefined ? {} : { body }), timeoutMs: within, insecure: this.env.insecure ?? false, signal: this.httpAbort.signal })
      : { kind: 'failed' as const, reason: 'bad-url' as const, message: `the url is ${JSON.stringify(url)}, not a string`, ms: 0 };
    if (outcome.kind === 'failed') {
      if (outcome.reason === 'aborted') throw new Stop();
      const index = this.push({ client: label, direction: 'in', at: this.now(), bytes: 0, text: `${outcome.reason}: ${outcome.message}`, truncated: false, event: 'http' });
      const what = outcome.reason === 'timeout' ? `no answer within ${formatDuration(within)}` : outcome.message;
      this.fail(step.source, {
        code: 'CC_CASE_HTTP_FAILED',
        message: `${request} failed: ${what}`,
        evidence: { client: label, expected: { status: expectedStatus(step.status) }, actual: { method: step.method, url, error: outcome.message }, transcriptIndex: index },
        verdict: 'ERROR',
      });
    }
    const index = this.push({ client: label, direction: 'in', at: this.now(), bytes: Buffer.byteLength(outcome.text), ...this.clip(`${outcome.status} ${outcome.text}`), event: 'http' });
    const statusOk = step.status.length === 0 ? outcome.status >= 200 && outcome.status < 300 : step.status.includes(outcome.status);
    if (!statusOk) {
      const excerpt = outcome.text.length > EXCERPT ? `${outcome.text.slice(0, EXCERPT)}…` : outcome.text;
      this.fail(step.source, {
        code: 'CC_CASE_HTTP_STATUS',
        message: `${request} answered ${outcome.status}, expected ${expectedStatus(step.status)}${excerpt ? `: ${excerpt}` : ''}`,
        evidence: { client: label, pointer: '/status', expected: { status: expectedStatus(step.status) }, actual: { method: step.method, url, status: outcome.status, body: excerpt }, transcriptIndex: index },
        verdict: 'ERROR',
      });
    }
    const response = { status: outcome.status, headers: outcome.headers, body: responseBody(outcome.text, outcome.headers) };
    for (const [name, path] of Object.entries(step.capture)) {
      const got = readPath(response, path);
      if (!got.found) {
        this.fail(step.source, { code: 'CC_CASE_HTTP_CAPTURE', message: `cannot capture ${name}: the answer to ${request} has no ${path}`, evidence: { client: label, pointer: toPointerPath(path), expected: 'present', actual: response.body, transcriptIndex: index }, verdict: 'ERROR' });
      }
      this.vars.set(name, got.value);
    }
  }

  private async connect(step: ConnectStep): Promise<void> {
    const results = await Promise.allSettled(step.clients.map((name) => this.connectOne(step, name)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async connectOne(step: ConnectStep, name: string): Promise<void> {
    const client = this.client(name);
    const profile = this.env.profile;
    const variant = step.token ?? client.def.token;
    const claims = { sub: client.def.userId, nickname: client.def.nickname, ...(this.eval(client.def.claims, client.def.source) as Record<string, unknown>) };
    const token = profile.auth.kind === 'none' ? '' : mintVariant(variant, claims, this.env.signingKey);
    const url = step.url ? String(this.eval(step.url, step.source)) : this.env.target.url;
    let opened;
    try {
      opened = await openClient(profile, {
        url,
        token,
        connectTimeout: this.ms(step.within, step.source) ?? this.env.connectTimeout,
        maxInboundBytes: this.env.maxInboundBytes,
        insecure: this.env.insecure ?? false,
        lenient: this.env.lenient ?? false,
      });
    } catch (err) {
      const message = isCcError(err) ? `${err.code} ${err.message}` : (err as Error).message;
      this.fail(step.source, { code: 'CC_CASE_CONNECT', message: `${name} could not connect: ${message}`, evidence: { client: name }, verdict: 'ERROR' });
    }
    if (opened.kind === 'refused') {
      this.note(name, `refused: ${opened.reason}`);
      if (step.expect === 'refused') return;
      this.fail(step.source, {
        code: 'CC_CHECK_CONNECT_REFUSED',
        message: `the server refused ${name}'s connection: ${opened.reason}`,
        evidence: { client: name, expected: 'accepted', actual: opened.status ?? opened.reason },
      });
    }
    client.attach(opened.conn);
    if (step.login !== undefined && opened.login !== undefined) this.vars.set(step.login, opened.login);
    this.note(name, `connected to ${opened.conn.url}${opened.loginStatus ? ` (login ${opened.loginStatus})` : ''}`);
    const auth = profile.auth;
    if (auth.kind !== 'message') {
      if (step.expect === 'refused') {
        this.fail(step.source, {
          code: 'CC_CHECK_CONNECT_ACCEPTED',
          message: `the server accepted ${name}'s connection with a ${variant} token`,
          evidence: { client: name, expected: 'refused', actual: 'accepted' },
        });
      }
      return;
    }
    if (!step.auth) return;
    const { message, correlation } = composeMessage(profile, auth.message, {}, client.ids, true);
    setPath(message, auth.tokenPath, token);
    await this.transmit(client, message, step.source);
    client.lastRequest = { correlation, name: auth.message, at: this.now() };
    if (!step.await) return;
    const within = this.ms(step.within, step.source) ?? this.env.responseTimeout;
    // Any correlated reply: a refusal may come as the error message (ASSA's ERROR) rather than the auth reply.
    const got = await this.awaitMessage(client, { reply: true, messages: [], next: false }, undefined, this.now() + within, within);
    if ('code' in got) this.fail(step.source, got);
    const reply = got.value as Record<string, unknown>;
    const refused = got.name !== auth.reply || reply.success === false;
    if (refused && step.expect === 'ok') {
      this.fail(step.source, {
        code: 'CC_CHECK_AUTH_REFUSED',
        message: `${auth.message} of ${name} was refused: ${got.name}${reply.error_code ? ` ${String(reply.error_code)}` : ''}`,
        evidence: { client: name, message: got.name, pointer: '/success', expected: true, actual: reply.success, transcriptIndex: got.transcriptIndex },
      });
    }
    if (!refused && step.expect === 'refused') {
      this.fail(step.source, {
        code: 'CC_CHECK_AUTH_ACCEPTED',
        message: `${auth.message} of ${name} with a ${variant} token was accepted`,
        evidence: { client: name, message: got.name, pointer: '/success', expected: false, actual: reply.success, transcriptIndex: got.transcriptIndex },
      });
    }
  }

  private async send(step: SendStep): Promise<void> {
    const client = this.connected(step.client, step.source);
    if (step.raw) {
      const data = step.raw.text !== undefined ? String(this.eval(step.raw.text, step.source)) : Buffer.from(step.raw.base64 ?? '', 'base64');
      try {
        await client.sendRaw(data);
      } catch (err) {
        this.sendFailed(step, err);
      }
      this.lastSendAt = this.now();
      return;
    }
    const name = step.message as string;
    const data = step.data === undefined ? undefined : this.eval(step.data, step.source);
    const fields = step.fields === undefined ? undefined : this.eval(step.fields, step.source);
    const { message, correlation } = composeMessage(this.env.profile, name, { data, fields }, client.ids, step.autofill);
    const fillError = applyByteFill(message, this.env.profile.codec);
    if (fillError) this.fail(step.source, { code: 'CC_CASE_TEMPLATE', message: `cannot size the message: ${fillError}`, evidence: { client: step.client, message: name }, verdict: 'ERROR' });
    await this.transmit(client, message, step.source);
    client.lastRequest = { correlation, name, at: this.now() };
  }

  private async transmit(client: ScenarioClient, message: unknown, source: SourceRef): Promise<void> {
    try {
      await client.send(message);
    } catch (err) {
      this.sendFailed({ client: client.name, source }, err);
    }
    this.lastSendAt = this.now();
  }

  private sendFailed(step: { client: string; source: SourceRef }, err: unknown): never {
    const message = isCcError(err) ? err.message : (err as Error).message;
    return this.fail(step.source, {
      code: 'CC_CHECK_CLOSED',
      message: `${step.client} could not send: ${message}`,
      evidence: { client: step.client, expected: 'an open connection', actual: this.closeText(step.client) },
    });
  }

  private async expect(step: ExpectStep): Promise<void> {
    const spec = step.match === undefined ? undefined : this.eval(step.match, step.source);
    const within = this.ms(step.within, step.source) ?? this.scenario.within ?? this.env.responseTimeout;
    const deadline = this.now() + within;
    const results = await Promise.all(step.clients.map((name) => this.awaitMessage(this.connected(name, step.source, true), step, spec, deadline, within)));
    const failures = results.filter((r): r is Failure => 'code' in r);
    for (const f of failures) this.add(this.finding(step.source, f));
    if (failures.length > 0) throw new Stop();
    const first = results[0] as Received;
    for (const [name, path] of Object.entries(step.capture)) {
      const got = readPath(first.value, path);
      if (!got.found) {
        this.fail(step.source, {
          code: 'CC_CHECK_CAPTURE',
          message: `cannot capture ${name}: ${first.name ?? 'the message'} has no ${path}`,
          evidence: { client: step.clients[0], message: first.name, pointer: toPointerPath(path), expected: 'present', transcriptIndex: first.transcriptIndex },
        });
      }
      this.vars.set(name, got.value);
    }
    if (step.noneFor.length > 0) await this.checkNoneFor(step, spec);
  }

  /** A client outside the audience must not get the message: watched for a short grace after the others got theirs. */
  private async checkNoneFor(step: ExpectStep, spec: unknown): Promise<void> {
    await this.sleep(this.env.noneForGrace ?? 50);
    let failed = false;
    for (const name of step.noneFor) {
      const client = this.client(name);
      const hit = client.inbox.find((r) => !r.consumed && r.name !== undefined && step.messages.includes(r.name) && (spec === undefined || !match(spec, r.value)));
      if (!hit) continue;
      hit.consumed = true;
      failed = true;
      this.add(this.finding(step.source, {
        code: 'CC_CHECK_DELIVERED_TO_NON_MEMBER',
        message: `${name} received ${hit.name} but must not`,
        evidence: { client: name, message: hit.name, expected: 'no message', actual: hit.value, transcriptIndex: hit.transcriptIndex },
      }));
    }
    if (failed) throw new Stop();
  }

  private async expectNone(step: ExpectNoneStep): Promise<void> {
    const since = this.lastSendAt;
    const period = this.ms(step.for, step.source) ?? 0;
    const end = this.now() + period;
    const offending = (client: ScenarioClient): Received | undefined =>
      client.inbox.find((r) => !r.consumed && r.at >= since && (step.messages.length === 0 || (r.name !== undefined && step.messages.includes(r.name))));
    const results = await Promise.all(step.clients.map(async (name) => {
      const client = this.client(name);
      for (;;) {
        const hit = offending(client);
        if (hit) return { name, hit };
        const left = end - this.now();
        if (left <= 0 || this.aborted) return undefined;
        await client.waitForEvent(left);
      }
    }));
    let failed = false;
    for (const r of results) {
      if (!r) continue;
      failed = true;
      r.hit.consumed = true;
      this.add(this.finding(step.source, {
        code: 'CC_CHECK_NOT_SILENT',
        message: `${r.name} received ${r.hit.name ?? 'a message'} during ${formatDuration(period)} of expected silence`,
        evidence: { client: r.name, message: r.hit.name, expected: 'no message', actual: r.hit.value, transcriptIndex: r.hit.transcriptIndex },
      }));
    }
    if (failed) throw new Stop();
  }

  private async expectClose(step: ExpectCloseStep): Promise<void> {
    const within = this.ms(step.within, step.source) ?? this.env.responseTimeout;
    const end = this.now() + within;
    const failures: Failure[] = [];
    await Promise.all(step.clients.map(async (name) => {
      const client = this.client(name);
      while (!client.closed && !this.aborted) {
        const left = end - this.now();
        if (left <= 0) break;
        await client.waitForEvent(left);
      }
      const closed = client.closed;
      if (!closed) {
        failures.push({
          code: 'CC_CHECK_NO_CLOSE',
          message: `the server did not close ${name}'s connection within ${formatDuration(within)}`,
          evidence: { client: name, expected: step.code ? { closeCode: step.code } : 'close', actual: 'open' },
        });
        return;
      }
      // A raw TCP stream has no close code: `code:` is checked on WebSocket connections only.
      const streamOnly = client.conn !== undefined && !client.conn.scheme.startsWith('ws');
      if (step.code && !streamOnly && (closed.code === undefined || !step.code.includes(closed.code))) {
        failures.push({
          code: 'CC_CHECK_CLOSE_CODE',
          message: `${name}'s connection closed with ${closed.code ?? 'no close code'}${closed.reason ? ` (${closed.reason})` : ''}, expected ${step.code.join(' or ')}`,
          evidence: { client: name, expected: step.code.length === 1 ? step.code[0] : step.code, actual: closed.code ?? null, transcriptIndex: closed.transcriptIndex },
        });
      }
    }));
    for (const f of failures) this.add(this.finding(step.source, f));
    if (failures.length > 0) throw new Stop();
  }

  private async close(step: CloseStep): Promise<void> {
    await Promise.all(step.clients.map(async (name) => {
      const client = this.client(name);
      this.note(name, `closing${step.code ? ` with ${step.code}` : ''}`);
      await client.close(step.code);
    }));
  }

  private capture(step: CaptureStep): void {
    for (const [name, template] of Object.entries(step.values)) this.vars.set(name, this.eval(template, step.source));
  }

  private async repeat(step: RepeatStep): Promise<void> {
    for (let i = 0; i < step.times; i++) {
      if (step.as) this.vars.set(step.as, i);
      await this.steps(step.steps);
    }
  }

  // ---- waiting for messages ----------------------------------------------------------------

  /**
   * Waits for a message that satisfies `criteria` and `spec`. A reply (correlated) or a `next`
   * message is unique: if it does not match, that is the verdict at once. A named message may
   * come after others of the same name, so the first one that does not match is kept as the
   * evidence in case nothing better arrives before the deadline.
   */
  private async awaitMessage(
    client: ScenarioClient,
    criteria: { reply: boolean; messages: string[]; next: boolean },
    spec: unknown,
    deadline: number,
    /** The step's deadline as written, for messages. */
    waited: number,
  ): Promise<Received | Failure> {
    const name = client.name;
    const request = client.lastRequest;
    const correlation = this.env.profile.correlation;
    if (criteria.reply && !request) {
      return { code: 'CC_CASE_NO_REQUEST', message: `${name} has sent no request to expect a reply to`, evidence: { client: name }, verdict: 'ERROR' };
    }
    const awaited = criteria.reply
      ? `reply to ${request?.name} (${correlation.replyField} ${JSON.stringify(request?.correlation)})${criteria.messages.length ? ` as ${criteria.messages.join(' or ')}` : ''}`
      : criteria.messages.join(' or ');
    let closest: { r: Received; m: Mismatch } | undefined;
    const nameOk = (r: Received): boolean => criteria.messages.length === 0 || (r.name !== undefined && criteria.messages.includes(r.name));
    const correlates = (r: Received): boolean => {
      const echoed = readPath(r.value, correlation.replyField);
      return echoed.found && deepEqual(echoed.value, request?.correlation);
    };
    for (;;) {
      for (const r of client.inbox) {
        if (r.consumed) continue;
        const candidate = criteria.reply ? correlates(r) : nameOk(r);
        if (!candidate) {
          if (criteria.next) {
            r.consumed = true;
            return {
              code: 'CC_CHECK_NOT_NEXT',
              message: `${name} expected ${awaited} next, got ${r.name ?? 'an unnamed message'}`,
              evidence: { client: name, message: r.name, expected: awaited, actual: r.value, transcriptIndex: r.transcriptIndex },
            };
          }
          continue;
        }
        if (criteria.reply && !nameOk(r)) {
          r.consumed = true;
          return {
            code: 'CC_CHECK_WRONG_MESSAGE',
            message: `${name} expected ${awaited}, got ${r.name ?? 'an unnamed message'}`,
            evidence: { client: name, message: r.name, pointer: `/${this.env.profile.namingField}`, expected: criteria.messages.length === 1 ? criteria.messages[0] : criteria.messages, actual: r.name, transcriptIndex: r.transcriptIndex },
          };
        }
        const m = spec === undefined ? undefined : match(spec, r.value);
        if (!m) {
          r.consumed = true;
          return r;
        }
        if (criteria.reply || criteria.next) {
          r.consumed = true;
          return mismatchFailure(name, r, m);
        }
        closest ??= { r, m };
      }
      const left = deadline - this.now();
      if (this.aborted) return { code: 'CC_CASE_ABORTED', message: 'the case was stopped', evidence: { client: name }, verdict: 'ERROR' };
      if (left <= 0) break;
      if (client.closed) {
        if (closest) break;
        return {
          code: 'CC_CHECK_CLOSED',
          message: `${name}'s connection closed (${this.closeText(name)}) while awaiting ${awaited}`,
          evidence: { client: name, expected: awaited, actual: this.closeText(name), transcriptIndex: client.closed.transcriptIndex },
        };
      }
      await client.waitForEvent(left);
    }
    if (closest) {
      closest.r.consumed = true;
      return mismatchFailure(name, closest.r, closest.m);
    }
    return {
      code: 'CC_CHECK_TIMEOUT',
      message: `${name} received no ${awaited} within ${formatDuration(waited)}`,
      evidence: { client: name, ...(criteria.messages[0] ? { message: criteria.messages[0] } : {}), expected: awaited, actual: 'nothing' },
    };
  }

  // ---- leftovers, findings, transcript -----------------------------------------------------

  private checkLeftovers(): void {
    const verdict: Verdict = this.scenario.unexpected === 'fail' ? this.env.judge.brokenRule(this.scenario.strength) : 'PASS';
    for (const client of this.clients.values()) {
      for (const r of client.inbox) {
        if (r.consumed) continue;
        if (!this.allow('unexpected')) return;
        this.add({
          verdict,
          code: 'CC_CHECK_UNEXPECTED_MESSAGE',
          message: `${client.name} received ${r.name ?? 'a message'} that no step expected${verdict === 'PASS' ? ' (recorded)' : ''}`,
          evidence: { client: client.name, message: r.name, actual: r.value, transcriptIndex: r.transcriptIndex },
        });
      }
    }
  }

  inbound(client: string, value: unknown, bytes: number, heartbeat: boolean): { index: number; name: string | undefined } {
    const naming = this.env.profile.namingField;
    const rawName = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[naming] : undefined;
    const name = typeof rawName === 'string' ? rawName : undefined;
    const { text, truncated } = this.render(value);
    const entry: TranscriptEntry = { client, direction: 'in', at: this.now(), bytes, text, truncated, ...(name ? { message: name } : {}) };
    if (heartbeat) entry.event = 'heartbeat';
    const index = this.push(entry);
    this.validate(client, 'server', value, entry, index);
    return { index, name };
  }

  outbound(client: string, value: unknown, raw: string | Uint8Array | undefined, heartbeat: boolean): number {
    if (raw !== undefined) {
      const text = typeof raw === 'string' ? raw : `base64:${Buffer.from(raw).toString('base64')}`;
      const bytes = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
      return this.push({ client, direction: 'out', at: this.now(), bytes, ...this.clip(text), event: 'raw' });
    }
    const name = (value as Record<string, unknown>)[this.env.profile.namingField];
    const rendered = this.render(value);
    const entry: TranscriptEntry = { client, direction: 'out', at: this.now(), bytes: rendered.bytes, text: rendered.text, truncated: rendered.truncated, ...(typeof name === 'string' ? { message: name } : {}) };
    if (heartbeat) entry.event = 'heartbeat';
    const index = this.push(entry);
    this.validate(client, 'client', value, entry, index);
    return index;
  }

  event(client: string, event: Exclude<InboundEvent, { kind: 'message' }>): number {
    if (event.kind === 'close') {
      const text = `close${event.code === undefined ? '' : ` ${event.code}`}${event.reason ? ` ${event.reason}` : ''}${event.clean ? '' : ' (not clean)'}`;
      return this.push({ client, direction: 'in', at: this.now(), bytes: 0, text, truncated: false, event: 'close' });
    }
    const d = event.diagnostic;
    const index = this.push({ client, direction: 'in', at: this.now(), bytes: 0, text: `${d.code} ${d.message}`, truncated: false, event: 'diagnostic' });
    const verdict: Verdict | undefined = d.severity === 'fail' ? 'FAIL' : d.severity === 'non-strict' ? 'NON-STRICT' : undefined;
    if (verdict && !this.aborted) {
      this.add({ verdict, code: d.code, message: `${client}: ${d.message}`, section: d.section, evidence: { client, transcriptIndex: index, ...(d.detail ? { actual: d.detail } : {}) } });
    }
    return index;
  }

  now(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  private validate(client: string, direction: 'client' | 'server', value: unknown, entry: TranscriptEntry, index: number): void {
    const checker = this.env.checker;
    if (!checker) return;
    const check = checker.check(direction, value);
    const from = direction === 'server' ? 'the server' : client;
    const evidence: Evidence = { client, transcriptIndex: index };
    switch (check.kind) {
      case 'valid':
        break;
      case 'invalid': {
        entry.schemaErrors = check.issues.map((i) => ({ pointer: i.pointer, message: i.message, ...(i.expected === undefined ? {} : { expected: i.expected }), ...(i.actual === undefined ? {} : { actual: i.actual }) }));
        const first = check.issues[0];
        if (direction === 'client') {
          // A negative case may send invalid messages on purpose: recorded, not a verdict.
          this.add({ verdict: 'PASS', code: 'CC_SCHEMA_SENT_INVALID', message: `${client} sent ${check.name} that fails its schema at ${first?.pointer || '/'}: ${first?.message ?? ''} (recorded)`, evidence: { ...evidence, message: check.name, pointer: first?.pointer ?? '' } });
          break;
        }
        if (!this.allow('schema')) break;
        this.add({
          verdict: 'FAIL',
          code: 'CC_SCHEMA_INVALID',
          message: `${check.name} from ${from} fails its schema at ${first?.pointer || '/'}: ${first?.message ?? 'invalid'}`,
          evidence: { ...evidence, message: check.name, pointer: first?.pointer ?? '', expected: first?.expected, actual: first?.actual },
        });
        break;
      }
      case 'not-object':
      case 'no-name':
      case 'unknown': {
        if (direction === 'client' || !this.allow('schema')) break;
        const naming = this.env.profile.namingField;
        const message =
          check.kind === 'not-object' ? `${from} sent a message that is not an object`
            : check.kind === 'no-name' ? `${from} sent a message without ${naming}`
              : `${from} sent ${check.name}, which the spec does not define`;
        this.add({
          verdict: 'FAIL',
          code: check.kind === 'not-object' ? 'CC_SCHEMA_NOT_OBJECT' : check.kind === 'no-name' ? 'CC_SCHEMA_NO_NAME' : 'CC_SCHEMA_UNKNOWN_MESSAGE',
          message,
          evidence: { ...evidence, pointer: check.kind === 'not-object' ? '' : `/${naming}`, ...(check.kind === 'unknown' ? { message: check.name, actual: check.name } : { actual: value }) },
        });
        break;
      }
    }
    if ((check.kind === 'valid' || check.kind === 'invalid') && check.extras.length > 0 && direction === 'server' && this.allow(`extras:${check.name}`, 1)) {
      this.add({
        verdict: 'NON-STRICT',
        code: 'CC_SCHEMA_EXTRA_FIELDS',
        message: `${check.name} from the server carries fields the spec does not define: ${check.extras.join(', ')}`,
        evidence: { ...evidence, message: check.name, pointer: check.extras[0], expected: 'no such field' },
      });
    }
  }

  /** Counts findings of one kind and says whether one more may be added. */
  private allow(kind: string, max = this.env.maxRepeatedFindings ?? 20): boolean {
    const n = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, n);
    return n <= max;
  }

  private render(value: unknown): { text: string; truncated: boolean; bytes: number } {
    let text: string;
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
    return { ...this.clip(text), bytes: Buffer.byteLength(text) };
  }

  private clip(text: string): { text: string; truncated: boolean } {
    return text.length > this.textLimit ? { text: text.slice(0, this.textLimit), truncated: true } : { text, truncated: false };
  }

  private push(entry: TranscriptEntry): number {
    if (this.finished) return -1;
    const max = this.env.transcriptMaxEntries ?? DEFAULT_MAX_ENTRIES;
    if (this.transcript.length >= max) {
      // Long cases keep their first entries (the evidence of early failures stays addressable).
      if (this.transcript.length === max) this.transcript.push({ ...entry, text: `transcript truncated after ${max} entries`, truncated: true, event: 'note' });
      return -1;
    }
    this.transcript.push(entry);
    return this.transcript.length - 1;
  }

  private note(client: string, text: string): void {
    this.push({ client, direction: 'out', at: this.now(), bytes: 0, text, truncated: false, event: 'note' });
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
    return {
      verdict: f.verdict ?? (f.code.startsWith('CC_CHECK_') ? this.env.judge.brokenRule(this.scenario.strength) : 'FAIL'),
      code: f.code,
      message: f.message,
      step: { path: source.path, line: source.line },
      ...(this.scenario.specSections[0] ? { section: this.scenario.specSections[0] } : {}),
      evidence: f.evidence,
    };
  }

  private fail(source: SourceRef, f: Failure): never {
    this.add(this.finding(source, f));
    throw new Stop();
  }

  private eval(template: Template, source: SourceRef): unknown {
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
  private ms(duration: Duration | undefined, source: SourceRef): number | undefined {
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

  private client(name: string): ScenarioClient {
    const client = this.clients.get(name);
    if (!client) throw new Error(`unknown client ${name}`);
    return client;
  }

  /** A client that has a connection (even a closed one, when `allowClosed`: its inbox still counts). */
  private connected(name: string, source: SourceRef, allowClosed = false): ScenarioClient {
    const client = this.client(name);
    if (!client.conn) {
      return this.fail(source, { code: 'CC_CASE_NOT_CONNECTED', message: `${name} is not connected: add a connect step before this one`, evidence: { client: name }, verdict: 'ERROR' });
    }
    if (!allowClosed && client.closed) {
      return this.fail(source, {
        code: 'CC_CHECK_CLOSED',
        message: `${name}'s connection is closed (${this.closeText(name)})`,
        evidence: { client: name, expected: 'an open connection', actual: this.closeText(name), transcriptIndex: client.closed.transcriptIndex },
      });
    }
    return client;
  }

  private closeText(name: string): string {
    const closed = this.clients.get(name)?.closed;
    if (!closed) return 'open';
    return `closed${closed.code === undefined ? '' : ` with ${closed.code}`}${closed.reason ? ` ${closed.reason}` : ''}`;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
    });
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

function mismatchFailure(client: string, r: Received, m: Mismatch): Failure {
  return {
    code: 'CC_CHECK_MISMATCH',
    message: `${r.name ?? 'the message'} to ${client}: ${m.pointer || '/'} ${m.reason}`,
    evidence: { client, message: r.name, pointer: m.pointer, expected: m.expected, actual: m.actual, transcriptIndex: r.transcriptIndex },
  };
}

/** Characters of an HTTP answer quoted in a finding. */
const EXCERPT = 300;

function expectedStatus(status: number[]): string {
  return status.length === 0 ? '2xx' : status.join(' or ');
}

function toPointerPath(path: string): string {
  return `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}
