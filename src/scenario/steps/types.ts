/**
 * The contract of a step kind: one module per kind (src/scenario/steps/<kind>.ts) holds its part of
 * the format's JSON Schema, its parse (YAML body → step) and its run (step → what happens in the
 * case), and joins the registry (./index.ts) with one line. The parser and the runner hand each
 * step the little of themselves it needs: ParseContext and StepContext.
 */
import type { Profile } from '../../profile/types.js';
import type { CaseEnvironment } from '../case-environment.js';
import type { ClientDef, DocPath, Duration, SourceRef, StepBase } from '../case-parts.js';
import type { Failure } from '../failure.js';
import type { Received, ScenarioClient } from '../mailbox.js';
import type { Template } from '../template.js';
import type { CaseTranscript } from '../transcript.js';

/** What a step's parse may ask of the case being built; every problem is reported at file:line:column. */
export interface ParseContext {
  readonly profile: Profile;
  fail(at: DocPath, reason: string, hint: string): never;
  compile(value: unknown, at: DocPath): Template;
  /** A fixed duration in ms, or a `${...}` template evaluated when the step runs. */
  duration(value: unknown, at: DocPath): Duration;
  /** The clients a step addresses: `client:` or `clients:`, else the case's only client. */
  targets(spec: Record<string, unknown>, at: DocPath): string[];
  /** A client the case declares. */
  client(name: string, at: DocPath): string;
  /** Names of messages the server sends (checked against the profile). */
  messageNames(value: unknown, at: DocPath): string[];
  checkMessage(name: string, direction: 'client' | 'server', at: DocPath): void;
  /** Steps held by a step (repeat, parallel). */
  steps(list: unknown[], at: DocPath): StepBase[];
  step(step: Record<string, unknown>, at: DocPath): StepBase;
}

/** What a step's run may do in its case. */
export interface StepContext {
  readonly env: CaseEnvironment;
  /** The case's default expect deadline (`within:` of the case), ms. */
  readonly caseWithin: number | undefined;
  readonly transcript: CaseTranscript;
  /** Milliseconds since the case started. */
  now(): number;
  /** True once the case is being stopped (its deadline passed). */
  aborted(): boolean;
  eval(template: Template, source: SourceRef): unknown;
  /** A step's duration in ms: fixed, or a template evaluated now. */
  ms(duration: Duration | undefined, source: SourceRef): number | undefined;
  setVar(name: string, value: unknown): void;
  client(name: string): ScenarioClient;
  /** A client that has a connection (even a closed one, when `allowClosed`: its inbox still counts). */
  connected(name: string, source: SourceRef, allowClosed?: boolean): ScenarioClient;
  /** A client made by a step (crowd), not declared by the case. */
  addClient(def: ClientDef): ScenarioClient;
  /** Records the failure as the case's finding and stops the case. */
  fail(source: SourceRef, failure: Failure): never;
  /** Records the failure as a finding and goes on (a step that reports several before it stops). */
  report(source: SourceRef, failure: Failure): void;
  /** Stops the case: its findings are recorded. */
  stop(): never;
  note(client: string, text: string): void;
  /** Marks now as the last thing the case did to the server (expect_none listens from there). */
  acted(): void;
  /** When the case last acted on the server. */
  lastActed(): number;
  sleep(ms: number): Promise<void>;
  /** Sends a message (recorded, validated); a closed connection fails the step. */
  transmit(client: ScenarioClient, message: unknown, source: SourceRef): Promise<void>;
  sendFailed(step: { client: string; source: SourceRef }, err: unknown): never;
  awaitMessage(client: ScenarioClient, criteria: { reply: boolean; messages: string[]; next: boolean }, spec: unknown, deadline: number, waited: number): Promise<Received | Failure>;
  /** Runs steps held by a step, in order. */
  runSteps(steps: readonly StepBase[]): Promise<void>;
  /** Aborted when the case ends, for requests still open. */
  readonly signal: AbortSignal;
  /** A fresh label for an HTTP exchange in the transcript (`http-1`, …). */
  httpLabel(): string;
}

export interface StepModule<S extends StepBase> {
  readonly kind: S['kind'];
  /** The step's body in the format's JSON Schema (under `definitions.step.properties.<kind>`). */
  readonly schema: object;
  /** The step from its YAML body; `at` is the path of the body, `source` where it stands. */
  parse(body: unknown, ctx: ParseContext, at: DocPath, source: SourceRef): S;
  /** Names the step defines for the rest of the case (captures, loop variables) wherever it stands; `visit` walks steps it holds. */
  declares?(body: unknown, visit: (steps: unknown[], at: DocPath) => void, at: DocPath): string[];
  run(step: S, ctx: StepContext): Promise<void> | void;
}

/** Declares a step module; the type ties its parse and its run to one step shape. */
export function defineStep<S extends StepBase>(module: StepModule<S>): StepModule<S> {
  return module;
}
