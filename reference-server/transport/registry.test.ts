import { describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/log.js';
import type { Peer, ProtocolConnection } from './peer.js';
import { Transports } from './registry.js';

describe('Transports', () => {
  it('turns an exception in a handler into a 1011 close of that connection, counted, instead of a crash', () => {
    const t = new Transports(silentLogger, 10, 1024, 1024, 1000);
    const closes: [number, string][] = [];
    const peer: Peer = { transport: 'tcp', remote: 'test', isOpen: true, sendJson() {}, sendBinary() {}, close: (code, reason) => void closes.push([code, reason]) };
    const broken: ProtocolConnection = {
      onMessage() { throw new Error('boom'); },
      onOversize() {},
      onClose() {},
      tick() { throw new TypeError('tick'); },
    };
    const guarded = t.guard(broken, peer);
    expect(() => guarded.onMessage(Buffer.from('x'), false)).not.toThrow();
    expect(() => guarded.tick(0)).not.toThrow();
    expect(closes).toEqual([[1011, 'internal error'], [1011, 'internal error']]);
    expect(t.stats.handlerErrors).toBe(2);
  });

  it('admits up to maxConnections and counts refusals', () => {
    const t = new Transports(silentLogger, 1, 1024, 1024, 1000);
    const peer = { transport: 'ws', remote: 'r', isOpen: true, sendJson() {}, sendBinary() {}, close() {} } as Peer;
    const conn: ProtocolConnection = { onMessage() {}, onOversize() {}, onClose() {}, tick() {} };
    expect(t.admit()).toBe(true);
    t.opened(conn, peer, 'assa-ws');
    expect(t.admit()).toBe(false);
    expect(t.stats).toMatchObject({ open: 1, refusedFull: 1, byTransport: { 'assa-ws': 1 } });
    t.closed(conn, peer);
    expect(t.stats).toMatchObject({ open: 0, byTransport: { 'assa-ws': 0 } });
    expect(t.admit()).toBe(true);
  });
});
