/**
 * What a case may capture about time and closes, against the reference server with short timers
 * (ping every 150 ms, a silent client dropped 600 ms after CONNECT): `expect_close` captures the
 * close code (4408 on WebSocket, null on TCP), its reason and the ms the close took; `expect`
 * captures `$elapsed`, the ms its message took to come. Captured values are read back by `check`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { brief, runScenarioText } from './testing/harness.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startReferenceServer({ profiles: ['assa'], timers: { pingInterval: 150, pongTimeout: 600, connectTimeout: 1000 } });
});

afterAll(async () => {
  await server?.close();
});

const dropped = (code: string) => `id: capture.close
title: a silent client's close, captured
profile: assa
clients:
  mute: { user_id: 7101, heartbeat: ignore }
setup:
  - connect: mute
steps:
  - expect_close: { client: mute, within: 2s, capture: { code: code, why: reason, after: elapsed } }
  - check: { value: "\${code}", match: ${code} }
  - check: { value: "\${after}", match: { $gte: 450, $lte: 1500 } }
`;

describe('captures of time and closes', () => {
  it('captures the close code, its reason and the time it took over WebSocket', async () => {
    const [r] = await runScenarioText(`${dropped('4408')}  - check: { value: "\${why}", match: pong timeout }\n`, server.urls.assaWs as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });

  it('captures a null code and reason over TCP, which has none', async () => {
    const [r] = await runScenarioText(`${dropped('null')}  - check: { value: "\${why}", match: null }\n`, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });

  it('shows the captured code where a check of it breaks', async () => {
    const [r] = await runScenarioText(dropped('1000'), server.urls.assaWs as string);
    expect(r && brief(r)).toEqual({ verdict: 'FAIL', code: 'CC_CHECK_MISMATCH', step: 'steps[1].check', message: 'checked value: / expected 1000, got 4408' });
  });

  it('captures the ms an expected message took to come', async () => {
    const text = `id: capture.elapsed
title: the first PING's delay, captured
profile: assa
clients:
  alice: { user_id: 7102, heartbeat: manual }
setup:
  - connect: alice
steps:
  - expect: { client: alice, message: PING, within: 1s, capture: { first: $elapsed } }
  - check: { value: "\${first}", match: { $type: integer, $gte: 0, $lte: 400 } }
  - wait: 100ms
  - expect: { client: alice, message: PING, within: 1s, capture: { waited: $elapsed } }
  - check: { value: "\${waited}", match: { $type: integer, $gte: 0, $lte: 400 } }
`;
    const [r] = await runScenarioText(text, server.urls.assaTcp as string);
    expect(r && brief(r)).toEqual({ verdict: 'PASS' });
  });
});
