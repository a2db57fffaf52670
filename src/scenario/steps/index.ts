/**
 * The step registry: kind → module. A new step kind is one new file (./types.ts says what it
 * holds) and one line here; the format's schema, the parser and the runner take it from here.
 */
import { capture } from './capture.js';
import { check } from './check.js';
import { close } from './close.js';
import { connect } from './connect.js';
import { crowd } from './crowd.js';
import { expect } from './expect.js';
import { expectClose } from './expect-close.js';
import { expectNone } from './expect-none.js';
import { http } from './http.js';
import { parallel } from './parallel.js';
import { repeat } from './repeat.js';
import { send } from './send.js';
import type { StepModule } from './types.js';
import { wait } from './wait.js';

/** In the order `allowed:` hints list them. */
const MODULES = [connect, send, expect, expectNone, expectClose, close, wait, capture, check, crowd, http, repeat, parallel] as const;

/** Every step a case can hold. */
export type Step = Parameters<(typeof MODULES)[number]['run']>[0];

export type StepKind = Step['kind'];

/** Each kind's module: a kind without one is a compile error here, and a module's kind must be its key (checked below). */
export const STEPS: { readonly [K in StepKind]: StepModule<Extract<Step, { kind: K }>> } = Object.fromEntries(MODULES.map((m) => [m.kind, m])) as never;

export const STEP_KINDS = MODULES.map((m) => m.kind) as readonly StepKind[];

for (const [kind, module] of Object.entries(STEPS) as [string, StepModule<Step>][]) {
  // Caught at load: a step the parser accepts but the runner cannot run would make a case that cannot fail.
  if (module.kind !== kind || typeof module.parse !== 'function' || typeof module.run !== 'function') throw new Error(`step module ${kind} is incomplete`);
}

/** The module of a kind, for the parser and the runner. */
export function stepModule(kind: string): StepModule<Step> | undefined {
  return Object.hasOwn(STEPS, kind) ? (STEPS[kind as StepKind] as StepModule<Step>) : undefined;
}

export type { CaptureStep } from './capture.js';
export type { CheckStep } from './check.js';
export type { CloseStep } from './close.js';
export type { ConnectExpectation, ConnectStep } from './connect.js';
export type { CrowdStep } from './crowd.js';
export type { ExpectStep } from './expect.js';
export type { ExpectCloseStep } from './expect-close.js';
export type { ExpectNoneStep } from './expect-none.js';
export type { HttpMethod, HttpStep } from './http.js';
export type { ParallelStep } from './parallel.js';
export type { RepeatStep } from './repeat.js';
export type { SendStep } from './send.js';
export type { WaitStep } from './wait.js';
