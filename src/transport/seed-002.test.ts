/**
 * Seed 002, the cautionary tale: a client hung forever in receive() on a set-top box that sent
 * frames with RSV bits set, ignored pings, and answered only one spelling of the Upgrade header.
 * chat-conform must say exactly that, within its deadlines, and with --lenient still read the data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_002_STATUS, startBadWsServer, type BadWsServer } from '../testing/bad-ws-server.js';
import { connect } from './connect.js';
import { diagnosticOf } from './connect-errors.js';
import { probe, type ProbeResult } from './probe.js';
import { parseTarget } from './target.js';
import { HEADER_CASINGS, rawHandshake } from './ws-handshake.js';

let box: BadWsServer;
beforeAll(async () => {
  box = await startBadWsServer('seed-002-box');
});
afterAll(async () => {
  await box.close();
});

const T = { timeoutMs: 400, listenMs: 150 };
const verdicts = (r: ProbeResult): Record<string, string> => Object.fromEntries(r.checks.map((c) => [c.id, c.verdict]));

describe('the seed 002 set-top box', () => {
  it('strict: receive() does not hang; it reports CC_WIRE_RSV_BITS and the close', async () => {
    const c = await connect({ url: box.url, codec: 'json', connectTimeout: 400, maxInboundBytes: 1 << 20, closeTimeout: 400 });
    const first = await c.receive(400, 'the status document');
    expect(first.kind === 'diagnostic' && first.diagnostic.code).toBe('CC_WIRE_RSV_BITS');
    expect((await c.receive(1000, 'the close')).kind).toBe('close');
    c.destroy();
  });

  it('strict probe: frames FAIL with CC_WIRE_RSV_BITS', async () => {
    const r = await probe({ url: box.url, ...T });
    expect(verdicts(r)).toMatchObject({ handshake: 'PASS', frames: 'FAIL' });
    expect(r.checks.find((c) => c.id === 'frames')?.diagnostics.map((d) => d.code)).toEqual(['CC_WIRE_RSV_BITS']);
    expect(r.verdict).toBe('FAIL');
  });

  it('lenient probe: reads the status document, RSV bits NON-STRICT, the unanswered ping FAILs', async () => {
    const r = await probe({ url: box.url, lenient: true, ...T });
    expect(verdicts(r)).toEqual({ handshake: 'PASS', subprotocol: 'PASS', frames: 'NON-STRICT', payloads: 'PASS', ping: 'FAIL', close: 'PASS' });
    expect(r.firstMessages[0]?.text).toBe(SEED_002_STATUS);
    expect(r.firstMessages[0]?.bytes).toBeGreaterThan(125);
  });

  it('the box says nothing to another spelling of Upgrade: the wait ends at the handshake deadline', async () => {
    const err: unknown = await rawHandshake(parseTarget(box.url), { url: box.url, codec: 'json', connectTimeout: 200, maxInboundBytes: 1 << 20 }, HEADER_CASINGS[2])
      .then((hs) => hs.socket.destroy())
      .catch((e: unknown) => e);
    expect(diagnosticOf(err)?.code).toBe('CC_WIRE_HANDSHAKE_TIMEOUT');
    expect(diagnosticOf(err)?.detail?.timeoutMs).toBe(200);
  });
});
