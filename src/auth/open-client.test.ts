import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from './jwt.js';
import { loadProfile } from '../profile/load.js';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { startBadWsServer, type BadWsServer } from '../testing/bad-ws-server.js';
import { openClient } from './open-client.js';

/** openClient over OpenIRC's HTTP login: the opened connection records a transcript unless told not to. */
describe('openClient', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ host: '127.0.0.1', profiles: ['openirc'] });
  });
  afterAll(() => server.close());

  for (const record of [true, false]) {
    it(`logs in over HTTP, opens the returned WebSocket and ${record ? 'records' : 'does not record'} a transcript`, async () => {
      const token = mintToken({ claims: { sub: '42', nickname: 'Ada' }, expiresIn: 60 });
      const opened = await openClient(loadProfile('openirc'), { url: server.urls.openircHttp!, token, connectTimeout: 2000, maxInboundBytes: 1 << 20, insecure: false, lenient: false, ...(record ? {} : { record: false }) });
      if (opened.kind !== 'open') throw new Error(`refused: ${opened.reason}`);
      try {
        expect(opened.loginStatus).toBe(200);
        await opened.conn.send({ rid: 1, type: 'no.such.type' });
        expect((await opened.conn.receive(2000, 'the error reply')).kind).toBe('message');
        expect(opened.conn.transcript.length).toBe(record ? 2 : 0);
      } finally {
        await opened.conn.close();
      }
    });
  }
});

/** openClient hands `observe: false` to the transport: the frame observer's diagnostics stop. */
describe('openClient observe', () => {
  let bad: BadWsServer;
  beforeAll(async () => {
    bad = await startBadWsServer('non-minimal-length');
  });
  afterAll(() => bad.close());

  for (const observe of [true, false]) {
    it(`${observe ? 'reports' : 'does not report'} a non-minimal frame length with observe ${observe ? 'on (default)' : 'off'}`, async () => {
      const opened = await openClient(loadProfile('assa'), { url: bad.url, token: '', connectTimeout: 2000, maxInboundBytes: 1 << 20, insecure: false, lenient: false, ...(observe ? {} : { observe: false }) });
      if (opened.kind !== 'open') throw new Error(`refused: ${opened.reason}`);
      try {
        if (observe) expect(await opened.conn.receive(2000, 'the diagnostic')).toMatchObject({ kind: 'diagnostic', diagnostic: { code: 'CC_WIRE_NON_MINIMAL_LENGTH' } });
        expect(await opened.conn.receive(2000, 'the greeting')).toMatchObject({ kind: 'message', value: { action: 'HELLO' } });
        expect(opened.conn.diagnostics.map((d) => d.code)).toEqual(observe ? ['CC_WIRE_NON_MINIMAL_LENGTH'] : []);
      } finally {
        opened.conn.destroy();
      }
    });
  }
});
