import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBadTcpServer, type BadTcpServer } from '../testing/bad-tcp-server.js';
import { startBadWsServer, type BadWsServer } from '../testing/bad-ws-server.js';
import { startTcpEchoServer, startWsEchoServer, type RunningServer } from '../testing/transport-echo-servers.js';
import { formatProbe, probe, type ProbeResult } from './probe.js';

const T = { timeoutMs: 400, listenMs: 150 };
let bad: BadWsServer;
let badTcp: BadTcpServer;
let good: RunningServer;
let goodTcp: RunningServer;

beforeAll(async () => {
  [bad, badTcp, good, goodTcp] = await Promise.all([
    startBadWsServer('none'),
    startBadTcpServer('none'),
    startWsEchoServer({ greeting: { action: 'HELLO' }, protocols: ['chat.v1'] }),
    startTcpEchoServer({ greeting: '{"action":"HELLO"}\n' }),
  ]);
});
afterAll(async () => {
  await Promise.all([bad.close(), badTcp.close(), good.close(), goodTcp.close()]);
});

const verdicts = (r: ProbeResult): Record<string, string> => Object.fromEntries(r.checks.map((c) => [c.id, c.verdict]));
const codesOf = (r: ProbeResult, id: string): string[] => r.checks.find((c) => c.id === id)?.diagnostics.map((d) => d.code) ?? [];

describe('probe over WebSocket', () => {
  it('a well-behaved ws server passes every check', async () => {
    const r = await probe({ url: good.url, subprotocols: ['chat.v1'], headers: { 'X-Probe': '1' }, ...T });
    expect(verdicts(r)).toEqual({ handshake: 'PASS', subprotocol: 'PASS', frames: 'PASS', payloads: 'PASS', ping: 'PASS', close: 'PASS' });
    expect(r.verdict).toBe('PASS');
    expect(r.subprotocol).toBe('chat.v1');
    expect(r.firstMessages.map((m) => m.text)).toEqual(['{"action":"HELLO"}']);
    expect(r.handshake?.requestHeaders).toContainEqual(['X-Probe', '1']);
    expect(r.handshake?.responseHeaders.map(([k]) => k.toLowerCase())).toContain('sec-websocket-accept');
    expect(r.ping?.answered).toBe(true);
    expect(r.close).toMatchObject({ by: 'client', code: 1000, clean: true });
    expect(r.diagnostics).toEqual([]);
  });

  it('the raw fixture server with no fault passes too, strict and lenient', async () => {
    bad.fault = 'none';
    for (const lenient of [false, true]) {
      const r = await probe({ url: bad.url, lenient, ...T });
      expect(r.verdict).toBe('PASS');
    }
  });

  it('RSV bits: FAIL when strict, NON-STRICT with the message delivered when lenient', async () => {
    bad.fault = 'rsv-bits';
    const strict = await probe({ url: bad.url, ...T });
    expect(strict.verdict).toBe('FAIL');
    expect(codesOf(strict, 'frames')).toEqual(['CC_WIRE_RSV_BITS']);
    const lenient = await probe({ url: bad.url, lenient: true, ...T });
    expect(verdicts(lenient).frames).toBe('NON-STRICT');
    expect(lenient.verdict).toBe('NON-STRICT');
    expect(lenient.firstMessages.map((m) => m.text)).toEqual(['{"action":"HELLO"}']);
  });

  it('a server that needs a non-standard Upgrade spelling: handshake FAIL, header-case names what worked', async () => {
    bad.fault = 'header-case';
    const r = await probe({ url: bad.url, ...T });
    expect(verdicts(r)).toMatchObject({ handshake: 'FAIL', 'header-case': 'NON-STRICT', payloads: 'PASS' });
    expect(codesOf(r, 'handshake')).toEqual(['CC_WIRE_HANDSHAKE_STATUS']);
    expect(r.headerCasing).toBe('Upgrade: WebSocket / Connection: Upgrade');
    expect(r.firstMessages.map((m) => m.text)).toEqual(['{"action":"HELLO"}']);
    const lenient = await probe({ url: bad.url, lenient: true, ...T });
    expect(verdicts(lenient).handshake).toBe('NON-STRICT');
    expect(lenient.verdict).toBe('NON-STRICT');
  });

  it('a non-101 reply fails the handshake with the status line', async () => {
    bad.fault = 'status-403';
    const r = await probe({ url: bad.url, ...T });
    expect(r.verdict).toBe('FAIL');
    expect(r.checks[0]?.summary).toContain('HTTP/1.1 403 Forbidden');
    expect(verdicts(r)['header-case']).toBe('FAIL');
  });

  it('a server that ignores pings fails the ping check with CC_WIRE_NO_PONG', async () => {
    bad.fault = 'no-pong';
    const r = await probe({ url: bad.url, ...T });
    expect(codesOf(r, 'ping')).toEqual(['CC_WIRE_NO_PONG']);
    expect(verdicts(r).close).toBe('PASS');
  });

  it('a server that closes without a close frame fails the close check', async () => {
    bad.fault = 'close-without-frame';
    const r = await probe({ url: bad.url, ...T });
    expect(codesOf(r, 'close')).toEqual(['CC_WIRE_NO_CLOSE_FRAME']);
    expect(r.close).toMatchObject({ by: 'server', code: 1006, clean: false });
    expect(verdicts(r).ping).toBeUndefined();
  });

  it('payload faults land in the payloads check', async () => {
    bad.fault = 'not-object';
    const r = await probe({ url: bad.url, ...T });
    expect(codesOf(r, 'payloads')).toEqual(['CC_WIRE_NOT_OBJECT']);
  });

  it('an unreachable target throws CC_ERR_CONNECT, a bad URL CC_ERR_BAD_TARGET', async () => {
    const s = await startTcpEchoServer();
    const url = `ws://127.0.0.1:${s.port}/`;
    await s.close();
    await expect(probe({ url, ...T })).rejects.toMatchObject({ code: 'CC_ERR_CONNECT' });
    await expect(probe({ url: 'nope', ...T })).rejects.toMatchObject({ code: 'CC_ERR_BAD_TARGET' });
  });

  it('formats one line per check, then the handshake and a verdict line', async () => {
    bad.fault = 'none';
    const lines = formatProbe(await probe({ url: bad.url, ...T }));
    expect(lines[0]).toBe(`probe ${bad.url} (strict)`);
    expect(lines.slice(1, 7).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['PASS handshake', 'PASS subprotocol', 'PASS frames', 'PASS payloads', 'PASS ping', 'PASS close']);
    expect(lines).toContain('  > GET /chat HTTP/1.1');
    expect(lines.at(-1)).toMatch(/^verdict: PASS \(0 failed, 0 non-strict, 6 passed\)/);
  });
});

describe('probe over TCP', () => {
  it('a well-behaved newline-delimited server passes', async () => {
    const r = await probe({ url: goodTcp.url, ...T });
    expect(verdicts(r)).toEqual({ connect: 'PASS', framing: 'PASS', encoding: 'PASS', payloads: 'PASS', close: 'PASS' });
    expect(r.framing).toBe('ndjson');
    expect(r.firstMessages.map((m) => m.text)).toEqual(['{"action":"HELLO"}']);
  });

  it('reports invalid UTF-8 under encoding', async () => {
    badTcp.fault = 'invalid-utf8';
    const r = await probe({ url: badTcp.url, ...T });
    expect(codesOf(r, 'encoding')).toEqual(['CC_WIRE_LINE_INVALID_UTF8']);
    expect(r.verdict).toBe('FAIL');
  });

  it('reports lines ended by a bare \\r under framing: FAIL strict, NON-STRICT lenient', async () => {
    badTcp.fault = 'bare-cr';
    const strict = await probe({ url: badTcp.url, ...T });
    expect(codesOf(strict, 'framing')).toEqual(['CC_WIRE_BARE_CR']);
    expect(strict.verdict).toBe('FAIL');
    const lenient = await probe({ url: badTcp.url, lenient: true, ...T });
    expect(verdicts(lenient).framing).toBe('NON-STRICT');
    expect(lenient.firstMessages.map((m) => m.text)).toEqual(['{"action":"HELLO"}', '{"action":"SECOND"}']);
  });
});
