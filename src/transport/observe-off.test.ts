/**
 * `observe: false` (the load engine's setting) skips the header observer on strict ws:// and
 * nothing else: messages, echoes, ping and close work, ws's own faults are still reported, and the
 * two faults only the observer sees are not. The default keeps reporting them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBadWsServer, type BadWsServer, type WsFault } from '../testing/bad-ws-server.js';
import { connect } from './connect.js';
import type { Connection, ConnectOptions, InboundEvent } from './types.js';

const DEADLINE = 400;
let server: BadWsServer;
let conns: Connection[] = [];

beforeAll(async () => {
  server = await startBadWsServer('none');
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  for (const c of conns) c.destroy();
  conns = [];
});

async function open(fault: WsFault, extra: Partial<ConnectOptions> = {}): Promise<Connection> {
  server.fault = fault;
  const c = await connect({ url: server.url, codec: 'json', connectTimeout: DEADLINE, maxInboundBytes: 1 << 20, closeTimeout: DEADLINE, ...extra });
  conns.push(c);
  return c;
}

/** Reads events until the connection closes or a wait passes its deadline. */
async function drain(c: Connection): Promise<InboundEvent[]> {
  const events: InboundEvent[] = [];
  for (;;) {
    const ev = await c.receive(DEADLINE, 'the next event');
    events.push(ev);
    if (ev.kind === 'close' || (ev.kind === 'diagnostic' && ev.diagnostic.code === 'CC_WIRE_TIMEOUT')) return events;
  }
}

function codes(events: InboundEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'diagnostic' ? [e.diagnostic.code] : []));
}

describe('observe: false', () => {
  it('a well-behaved server: greeting, echo, ping and a clean close, no diagnostics', async () => {
    const c = await open('none', { observe: false });
    expect(await c.receive(DEADLINE, 'the greeting')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    await c.send({ action: 'ECHO', n: 1 });
    expect(await c.receive(DEADLINE, 'the echo')).toMatchObject({ kind: 'message', value: { action: 'ECHO', n: 1 } });
    expect(await c.ping?.(DEADLINE)).toBeTypeOf('number');
    expect(await c.close(1000, '', DEADLINE)).toMatchObject({ clean: true, code: 1000 });
    expect(c.diagnostics).toEqual([]);
  });

  it('a non-minimal length is not reported; the message is delivered', async () => {
    const c = await open('non-minimal-length', { observe: false });
    expect(await c.receive(DEADLINE, 'the message')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    expect(await c.close(1000, '', DEADLINE)).toMatchObject({ clean: true });
    expect(c.diagnostics).toEqual([]);
  });

  it('a reset mid-message reads as a missing close frame (the observer alone knows the frame was cut)', async () => {
    const c = await open('reset-mid-message', { observe: false });
    const events = await drain(c);
    expect(codes(events)).toEqual(['CC_WIRE_NO_CLOSE_FRAME']);
    expect(events.at(-1)).toMatchObject({ kind: 'close', code: 1006, clean: false });
  });

  it('faults ws detects itself are still reported', async () => {
    const c = await open('reserved-opcode', { observe: false });
    expect(codes(await drain(c))[0]).toBe('CC_WIRE_RESERVED_OPCODE');
  });
});

describe('default (observe on)', () => {
  it.each([undefined, true])('observe: %s reports a non-minimal length before its message', async (observe) => {
    const c = await open('non-minimal-length', observe === undefined ? {} : { observe });
    const d = await c.receive(DEADLINE, 'the diagnostic');
    expect(d.kind === 'diagnostic' && d.diagnostic.code).toBe('CC_WIRE_NON_MINIMAL_LENGTH');
    expect(await c.receive(DEADLINE, 'the message')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    expect(c.diagnostics.map((x) => x.code)).toEqual(['CC_WIRE_NON_MINIMAL_LENGTH']);
  });

  it('reports a reset mid-message as such', async () => {
    const c = await open('reset-mid-message');
    expect(codes(await drain(c))).toEqual(['CC_WIRE_RESET_MID_MESSAGE']);
  });
});
