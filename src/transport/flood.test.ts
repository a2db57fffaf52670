/**
 * Bounded memory: a server that floods 100 MB (one endless line, one huge frame, one huge
 * length-prefixed block) is cut off with CC_WIRE_OVERSIZED, and memory does not grow with the flood.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FLOOD_BYTES, startBadWsServer } from '../testing/bad-ws-server.js';
import { startBadTcpServer } from '../testing/bad-tcp-server.js';
import { connect } from './connect.js';
import type { InboundEvent } from './types.js';

const LIMIT = 1024 * 1024 + 64 * 1024;
let cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function floodedBy(url: string, lenient: boolean): Promise<{ events: InboundEvent[]; growth: number }> {
  const before = memory();
  const c = await connect({ url, codec: 'json', connectTimeout: 2000, maxInboundBytes: LIMIT, lenient, closeTimeout: 500 });
  cleanups.push(() => c.destroy());
  const events: InboundEvent[] = [];
  for (;;) {
    const ev = await c.receive(5000, 'the flood to be cut off');
    events.push(ev);
    if (ev.kind === 'close' || (ev.kind === 'diagnostic' && ev.diagnostic.code === 'CC_WIRE_TIMEOUT')) break;
  }
  return { events, growth: memory() - before };
}

const codes = (evs: InboundEvent[]): string[] => evs.flatMap((e) => (e.kind === 'diagnostic' ? [e.diagnostic.code] : []));

describe('a 100 MB flood', () => {
  it.each([
    ['tcp:// (one endless line)', 'flood', false],
    ['tcp+lp:// (one 100 MB block)', 'lp-flood', false],
  ] as const)('over %s is cut with CC_WIRE_OVERSIZED and memory stays bounded', async (_n, fault, lenient) => {
    const server = await startBadTcpServer(fault);
    cleanups.push(() => server.close());
    const { events, growth } = await floodedBy(server.url, lenient);
    expect(codes(events)).toEqual(['CC_WIRE_OVERSIZED']);
    expect(events.at(-1)?.kind).toBe('close');
    // Generous: far below the 100 MB the server tried to push.
    expect(growth).toBeLessThan(FLOOD_BYTES / 3);
  });

  it.each([false, true])('over ws:// (one 100 MB frame, lenient: %s) is cut with CC_WIRE_OVERSIZED and memory stays bounded', async (lenient) => {
    const server = await startBadWsServer('flood');
    cleanups.push(() => server.close());
    const { events, growth } = await floodedBy(server.url, lenient);
    expect(codes(events)[0]).toBe('CC_WIRE_OVERSIZED');
    expect(events.at(-1)?.kind).toBe('close');
    expect(growth).toBeLessThan(FLOOD_BYTES / 3);
  });
});
