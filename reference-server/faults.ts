/**
 * Fault injection points. A conformant server runs with no faults; a later piece of work names
 * faults here (e.g. dropping a reply, skipping PINGs) so the suites can be tested against a server
 * that breaks rules on purpose. Protocol code never checks a fault itself: faults act at these
 * points only — on every connection's Peer (outbound messages and closes) and on the timer sweep.
 */
import { ccError } from '../src/errors.js';
import type { Peer } from './transport/peer.js';

/** Fault names this build understands (none yet). */
export const KNOWN_FAULTS: ReadonlySet<string> = new Set<string>();

export interface FaultHooks {
  /** Wraps a new connection's Peer; identity when no fault touches the wire. */
  wrapPeer(peer: Peer, protocol: string): Peer;
  /** False to skip one timer sweep (heartbeats, connect timeouts). */
  sweep(now: number): boolean;
}

export function faultHooks(names: ReadonlySet<string>): FaultHooks {
  for (const name of names) {
    if (!KNOWN_FAULTS.has(name)) throw ccError('CC_ERR_USAGE', { detail: `unknown fault ${JSON.stringify(name)} (known: ${[...KNOWN_FAULTS].join(', ') || 'none'})` });
  }
  return { wrapPeer: (peer) => peer, sweep: () => true };
}
