/**
 * Every WebSocket fault of issue 3 item 4, committed by a raw-socket server, becomes its exact
 * wire diagnostic within a short deadline, in strict mode (ws) and in lenient mode (our reader).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCcError } from '../errors.js';
import { REQUIRED_UPGRADE_LINE, startBadWsServer, type BadWsServer, type WsFault } from '../testing/bad-ws-server.js';
import { connect } from './connect.js';
import { diagnosticOf } from './connect-errors.js';
import type { Connection, ConnectOptions, Diagnostic, InboundEvent } from './types.js';

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

async function handshakeFailure(fault: WsFault, lenient: boolean): Promise<Diagnostic | undefined> {
  server.fault = fault;
  const err: unknown = await connect({ url: server.url, codec: 'json', connectTimeout: DEADLINE, maxInboundBytes: 1 << 20, lenient }).then(
    (c) => {
      c.destroy();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(isCcError(err) && err.code).toBe('CC_ERR_HANDSHAKE');
  expect(isCcError(err) && err.exitCode).toBe(1);
  return diagnosticOf(err);
}

describe.each([false, true])('handshake faults (lenient: %s)', (lenient) => {
  it('reports a non-101 status with its status line and a body excerpt', async () => {
    const d = await handshakeFailure('status-403', lenient);
    expect(d?.code).toBe('CC_WIRE_HANDSHAKE_STATUS');
    expect(d?.section).toBe('RFC 6455 §4.1');
    expect(d?.detail?.statusLine).toBe('HTTP/1.1 403 Forbidden');
    expect(d?.detail?.bodyExcerpt).toBe('no token, no chat for you\n');
  });

  it('reports a missing Sec-WebSocket-Accept', async () => {
    expect((await handshakeFailure('accept-missing', lenient))?.code).toBe('CC_WIRE_HANDSHAKE_ACCEPT_MISSING');
  });

  it('reports a wrong Sec-WebSocket-Accept', async () => {
    expect((await handshakeFailure('accept-wrong', lenient))?.code).toBe('CC_WIRE_HANDSHAKE_ACCEPT_WRONG');
  });

  it('reports a non-101 status promptly when the server keeps the connection open', async () => {
    const d = await handshakeFailure('status-keep-open', lenient);
    expect(d?.code).toBe('CC_WIRE_HANDSHAKE_STATUS');
    expect(d?.detail?.bodyExcerpt).toBe('bad token');
  });

  it.each([
    ['malformed-reply', 'CC_WIRE_HANDSHAKE_MALFORMED'],
    ['close-before-reply', 'CC_WIRE_HANDSHAKE_CLOSED'],
    ['upgrade-missing', 'CC_WIRE_HANDSHAKE_UPGRADE'],
    ['wrong-subprotocol', 'CC_WIRE_HANDSHAKE_SUBPROTOCOL'],
    ['unexpected-extension', 'CC_WIRE_HANDSHAKE_EXTENSION'],
  ] as const)('reports %s as %s', async (fault, code) => {
    expect((await handshakeFailure(fault, lenient))?.code).toBe(code);
  });

  it('reports no handshake reply within the deadline', async () => {
    const d = await handshakeFailure('no-reply', lenient);
    expect(d?.code).toBe('CC_WIRE_HANDSHAKE_TIMEOUT');
    expect(d?.detail?.timeoutMs).toBe(DEADLINE);
  });
});

describe('header case', () => {
  it('strict: a server that needs a non-standard Upgrade spelling fails the handshake', async () => {
    const d = await handshakeFailure('header-case', false);
    expect(d?.code).toBe('CC_WIRE_HANDSHAKE_STATUS');
    expect(d?.detail?.status).toBe(400);
  });

  it('lenient: retries other spellings, says which worked, and carries on', async () => {
    const c = await open('header-case', { lenient: true });
    expect(c.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CC_WIRE_HEADER_CASE', 'non-strict']]);
    expect(c.diagnostics[0]?.detail?.worked).toBe('Upgrade: WebSocket / Connection: Upgrade');
    expect(server.requests.at(-1)?.split('\r\n')).toContain(REQUIRED_UPGRADE_LINE);
    const events = await drain(c);
    expect(events.find((e) => e.kind === 'message')).toMatchObject({ value: { action: 'HELLO' } });
  });
});

/** Faults after the handshake that end the connection, with the code expected in both modes. */
const FATAL: [WsFault, string, Partial<ConnectOptions>?][] = [
  ['reserved-opcode', 'CC_WIRE_RESERVED_OPCODE'],
  ['masked-frame', 'CC_WIRE_MASKED_FRAME'],
  ['invalid-utf8', 'CC_WIRE_INVALID_UTF8'],
  ['continuation-first', 'CC_WIRE_FRAGMENTATION'],
  ['new-message-inside-fragmented', 'CC_WIRE_FRAGMENTATION'],
  ['fragmented-control', 'CC_WIRE_FRAGMENTATION'],
  ['oversized', 'CC_WIRE_OVERSIZED'],
  ['reset-mid-message', 'CC_WIRE_RESET_MID_MESSAGE'],
  ['invalid-close-code', 'CC_WIRE_INVALID_CLOSE_CODE'],
];

describe.each([false, true])('frame faults (lenient: %s)', (lenient) => {
  it.each(FATAL)('%s yields %s and the connection closes', async (fault, code) => {
    const c = await open(fault, { lenient });
    const events = await drain(c);
    expect(codes(events)[0]).toBe(code);
    expect(codes(events)).not.toContain('CC_WIRE_TIMEOUT');
    expect(events.at(-1)?.kind).toBe('close');
    expect(c.closed).toBe(true);
  });

  it('close-without-frame delivers the message, then CC_WIRE_NO_CLOSE_FRAME and close 1006', async () => {
    const c = await open('close-without-frame', { lenient });
    const events = await drain(c);
    expect(events.map((e) => e.kind)).toEqual(['message', 'diagnostic', 'close']);
    expect(codes(events)).toEqual(['CC_WIRE_NO_CLOSE_FRAME']);
    expect(events.at(-1)).toMatchObject({ kind: 'close', code: 1006, clean: false });
  });

  it.each([
    ['not-json', 'CC_WIRE_NOT_JSON', 'json'],
    ['not-object', 'CC_WIRE_NOT_OBJECT', 'json'],
    ['not-msgpack', 'CC_WIRE_NOT_MSGPACK', 'msgpack'],
  ] as const)('%s yields %s and the connection stays open', async (fault, code, codec) => {
    const c = await open(fault, { lenient, codec });
    const first = await c.receive(DEADLINE, 'the first message');
    expect(first.kind === 'diagnostic' && first.diagnostic.code).toBe(code);
    expect(c.closed).toBe(false);
    expect(await c.close(1000, '', DEADLINE)).toMatchObject({ clean: true, code: 1000 });
  });
});

describe('recoverable frame faults', () => {
  it('strict: RSV bits fail the connection (ws WS_ERR_UNEXPECTED_RSV_1)', async () => {
    const c = await open('rsv-bits');
    const events = await drain(c);
    expect(codes(events)[0]).toBe('CC_WIRE_RSV_BITS');
    const d = events.find((e) => e.kind === 'diagnostic');
    expect(d?.kind === 'diagnostic' && d.diagnostic.detail?.wsCode).toBe('WS_ERR_UNEXPECTED_RSV_1');
    expect(events.some((e) => e.kind === 'message')).toBe(false);
  });

  it('lenient: RSV bits are non-strict and the message is delivered', async () => {
    const c = await open('rsv-bits', { lenient: true });
    const d = await c.receive(DEADLINE, 'the diagnostic');
    expect(d.kind === 'diagnostic' && [d.diagnostic.code, d.diagnostic.severity]).toEqual(['CC_WIRE_RSV_BITS', 'non-strict']);
    expect(await c.receive(DEADLINE, 'the message')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    expect(await c.close(1000, '', DEADLINE)).toMatchObject({ clean: true });
  });

  it.each([[false, 'fail'], [true, 'non-strict']] as const)('non-minimal length (lenient: %s) is %s, and the message is delivered', async (lenient, severity) => {
    const c = await open('non-minimal-length', { lenient });
    const d = await c.receive(DEADLINE, 'the diagnostic');
    expect(d.kind === 'diagnostic' && [d.diagnostic.code, d.diagnostic.severity]).toEqual(['CC_WIRE_NON_MINIMAL_LENGTH', severity]);
    expect(await c.receive(DEADLINE, 'the message')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
  });
});

it.each([false, true])('sees a frame that arrived in the same packet as the 101 reply (lenient: %s)', async (lenient) => {
  const c = await open('non-minimal-with-reply', { lenient });
  const d = await c.receive(DEADLINE, 'the diagnostic');
  expect(d.kind === 'diagnostic' && d.diagnostic.code).toBe('CC_WIRE_NON_MINIMAL_LENGTH');
  expect(await c.receive(DEADLINE, 'the message')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
  expect(await c.close(1000, '', DEADLINE)).toMatchObject({ clean: true });
});

describe.each([false, true])('ping and close (lenient: %s)', (lenient) => {
  it('a well-behaved server answers a ping and completes the close handshake', async () => {
    const c = await open('none', { lenient });
    expect(await c.ping?.(DEADLINE)).toBeTypeOf('number');
    expect(await c.close(1000, 'done', DEADLINE)).toEqual({ code: 1000, reason: 'done', clean: true });
    expect(c.diagnostics).toEqual([]);
  });

  it('no pong within the deadline resolves undefined', async () => {
    const c = await open('no-pong', { lenient });
    expect(await c.ping?.(100)).toBeUndefined();
  });

  it('a server that ignores our close frame gets CC_WIRE_CLOSE_TIMEOUT and is torn down', async () => {
    const c = await open('never-close', { lenient });
    expect(await c.close(1000, '', 150)).toMatchObject({ clean: false });
    expect(c.diagnostics.map((d) => d.code)).toEqual(['CC_WIRE_CLOSE_TIMEOUT']);
  });
});

/*
 * `observe: false` (the load engine's setting) skips the header observer on strict ws:// and
 * nothing else: messages, echoes, ping and close work, ws's own faults are still reported, and the
 * two faults only the observer sees are not. The default keeps reporting them.
 */
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
