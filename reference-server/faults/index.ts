/**
 * Fault injection, FOR TESTING THE CONFORMANCE SUITES ONLY. A conformant server runs with no
 * faults (the default); `startReferenceServer({ faults: [...] })` or `chat-conform serve --fault
 * NAME` switches on named deviations so a test can prove that the suites catch each of them
 * (docs/conformance.md, mutation table). The hook points are in hooks.ts; the faults, one file
 * per protocol. The order of FAULTS is the order of docs/conformance.md's fault table.
 */
import { ALL_PROTOCOL_FAULTS } from './all.js';
import { ASSA_FAULTS } from './assa.js';
import { ENVELOPE_FAULTS } from './envelope.js';
import { createFaultHooks, type FaultDef, type FaultHooks } from './hooks.js';
import { OPENIRC_FAULTS } from './openirc.js';

export const FAULTS: readonly FaultDef[] = [...ASSA_FAULTS, ...ALL_PROTOCOL_FAULTS, ...ENVELOPE_FAULTS, ...OPENIRC_FAULTS];

/** Fault names this build understands. */
export const KNOWN_FAULTS: ReadonlySet<string> = new Set(FAULTS.map((f) => f.name));

/** The hooks of the named faults (an unknown name is a usage error). */
export function faultHooks(names: ReadonlySet<string>): FaultHooks {
  return createFaultHooks(FAULTS, names);
}

export type { FaultDef, FaultHooks, Protocol as FaultProtocol } from './hooks.js';
