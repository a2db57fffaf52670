import { describe, expect, it } from 'vitest';
import { RequestKind, RING, VirtualClient } from './client.js';
import { stampPath } from './paths.js';

const handlers = { event: () => undefined, tick: () => undefined };

function client(): VirtualClient {
  return new VirtualClient(7, 100_007, undefined, 'Lx-c7-', false, false, false, handlers);
}

describe('VirtualClient request ring', () => {
  it('hands back a tracked request once, with its scheduled and actual send times', () => {
    const c = client();
    expect(c.track(3, RequestKind.Send, 100, 105)).toBe(RequestKind.None);
    const out = { scheduledAt: 0, sentAt: 0 };
    expect(c.take(3, out)).toBe(RequestKind.Send);
    expect(out).toEqual({ scheduledAt: 100, sentAt: 105 });
    expect(c.take(3, out)).toBe(RequestKind.None);
    expect(c.pending).toBe(0);
  });

  it('does not take a reply whose id only shares the ring slot', () => {
    const c = client();
    c.track(5, RequestKind.Send, 0, 0);
    expect(c.take(5 + RING, { scheduledAt: 0, sentAt: 0 })).toBe(RequestKind.None);
    expect(c.pending).toBe(1);
  });

  it('reports the request a full ring overwrites, so it counts as unanswered', () => {
    const c = client();
    c.track(1, RequestKind.Join, 0, 0);
    expect(c.track(1 + RING, RequestKind.Send, 0, 0)).toBe(RequestKind.Join);
    expect(c.pending).toBe(1);
  });

  it('expires exactly the requests sent before the deadline', () => {
    const c = client();
    c.track(0, RequestKind.Send, 0, 10);
    c.track(1, RequestKind.Auth, 0, 20);
    c.track(2, RequestKind.Send, 0, 30);
    const expired: RequestKind[] = [];
    c.expire(25, (_c, kind) => expired.push(kind));
    expect(expired).toEqual([RequestKind.Send, RequestKind.Auth]);
    expect(c.pending).toBe(1);
    c.expire(25, (_c, kind) => expired.push(kind));
    expect(expired).toHaveLength(2);
    c.clearPending((_c, kind) => expired.push(kind));
    expect(expired).toEqual([RequestKind.Send, RequestKind.Auth, RequestKind.Send]);
    expect(c.pending).toBe(0);
  });
});

describe('stampPath', () => {
  it('copies only the containers on the path, so the prototype stays untouched', () => {
    const proto = { action: 'SEND_MESSAGE', data: { room_id: 1, content: 'hi' }, meta: { a: 1 } };
    const stamped = stampPath({ ...proto }, ['data', 'content'], '[cc:7:0] hi');
    expect(stamped).toEqual({ action: 'SEND_MESSAGE', data: { room_id: 1, content: '[cc:7:0] hi' }, meta: { a: 1 } });
    expect(proto.data.content).toBe('hi');
    expect(stamped.meta).toBe(proto.meta);
  });
});
