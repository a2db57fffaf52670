/** Byte-stream faults (tcp://, tcp+lp://) become their wire diagnostics within short deadlines. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBadTcpServer, type BadTcpServer, type TcpFault } from '../testing/bad-tcp-server.js';
import { connect } from './connect.js';
import type { CodecName } from '../profile/types.js';
import type { Connection, InboundEvent } from './types.js';

const DEADLINE = 400;
let server: BadTcpServer;
let conns: Connection[] = [];

beforeAll(async () => {
  server = await startBadTcpServer('none');
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  for (const c of conns) c.destroy();
  conns = [];
});

async function open(fault: TcpFault, opts: { lenient?: boolean; codec?: CodecName } = {}): Promise<Connection> {
  server.fault = fault;
  const c = await connect({ url: server.url, codec: opts.codec ?? 'json', connectTimeout: DEADLINE, maxInboundBytes: 1 << 20, lenient: opts.lenient ?? false, closeTimeout: DEADLINE });
  conns.push(c);
  return c;
}

async function events(c: Connection, until: (e: InboundEvent) => boolean): Promise<InboundEvent[]> {
  const out: InboundEvent[] = [];
  for (;;) {
    const ev = await c.receive(DEADLINE, 'the next event');
    out.push(ev);
    if (until(ev) || ev.kind === 'close' || (ev.kind === 'diagnostic' && ev.diagnostic.code === 'CC_WIRE_TIMEOUT')) return out;
  }
}

const summary = (evs: InboundEvent[]): unknown[] => evs.map((e) => (e.kind === 'diagnostic' ? [e.diagnostic.code, e.diagnostic.severity] : e.kind === 'message' ? e.value : `close:${e.clean}`));

describe('tcp:// faults', () => {
  it('a line that is not UTF-8 yields CC_WIRE_LINE_INVALID_UTF8', async () => {
    const c = await open('invalid-utf8');
    expect(summary(await events(c, (e) => e.kind === 'diagnostic'))).toEqual([['CC_WIRE_LINE_INVALID_UTF8', 'fail']]);
  });

  it('a line that is not JSON yields CC_WIRE_NOT_JSON; a JSON string yields CC_WIRE_NOT_OBJECT', async () => {
    expect(summary(await events(await open('not-json'), (e) => e.kind === 'diagnostic'))).toEqual([['CC_WIRE_NOT_JSON', 'fail']]);
    const c = await open('not-object');
    expect(summary(await events(c, (e) => e.kind === 'message'))).toEqual([['CC_WIRE_NOT_OBJECT', 'fail'], 'just a string']);
  });

  it('strict: a line holding a bare \\r that then fails to parse yields CC_WIRE_BARE_CR', async () => {
    const c = await open('bare-cr-then-lf');
    expect(summary(await events(c, (e) => e.kind === 'diagnostic'))).toEqual([['CC_WIRE_BARE_CR', 'fail']]);
  });

  it('strict: lines ended only by a bare \\r never complete, and the wait ends with CC_WIRE_TIMEOUT', async () => {
    const c = await open('bare-cr');
    const [ev] = await events(c, () => true);
    expect(ev?.kind === 'diagnostic' && ev.diagnostic.code).toBe('CC_WIRE_TIMEOUT');
  });

  it('lenient: lines ended by a bare \\r are delivered, with a non-strict CC_WIRE_BARE_CR', async () => {
    const c = await open('bare-cr', { lenient: true });
    const evs = await events(c, (e) => e.kind === 'message' && (e.value as { action: string }).action === 'SECOND');
    expect(summary(evs)).toEqual([{ action: 'HELLO' }, ['CC_WIRE_BARE_CR', 'non-strict'], { action: 'SECOND' }]);
  });

  it('a reset in the middle of a line yields CC_WIRE_RESET_MID_MESSAGE', async () => {
    const c = await open('reset-mid-message');
    expect(summary(await events(c, () => false))).toEqual([['CC_WIRE_RESET_MID_MESSAGE', 'fail'], 'close:false']);
  });

  it('a reset between lines yields CC_WIRE_CONNECTION_RESET', async () => {
    const c = await open('reset');
    expect(summary(await events(c, () => false))).toEqual([{ action: 'HELLO' }, ['CC_WIRE_CONNECTION_RESET', 'fail'], 'close:false']);
  });

  it('a server that never closes its side gets CC_WIRE_CLOSE_TIMEOUT', async () => {
    const c = await open('never-close');
    expect(await c.close(undefined, undefined, 150)).toEqual({ clean: false });
    expect(c.diagnostics.map((d) => d.code)).toEqual(['CC_WIRE_CLOSE_TIMEOUT']);
  });

  it('a well-behaved server closes cleanly after us', async () => {
    const c = await open('none');
    expect(await c.receive(DEADLINE, 'greeting')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    expect(await c.close(undefined, undefined, DEADLINE)).toEqual({ clean: true });
    expect(c.diagnostics).toEqual([]);
  });
});

describe('tcp+lp:// faults', () => {
  it('a payload that is not MessagePack yields CC_WIRE_NOT_MSGPACK', async () => {
    const c = await open('lp-not-msgpack', { codec: 'msgpack' });
    expect(summary(await events(c, (e) => e.kind === 'diagnostic'))).toEqual([['CC_WIRE_NOT_MSGPACK', 'fail']]);
  });

  it('reads a length-prefixed JSON greeting and echoes', async () => {
    const c = await open('lp-none');
    expect(await c.receive(DEADLINE, 'greeting')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
    await c.send({ action: 'ECHO' });
    expect(await c.receive(DEADLINE, 'echo')).toMatchObject({ kind: 'message', value: { action: 'ECHO' } });
  });
});
