/** HTTP surfaces: admin endpoint rules, routing of WebSocket paths, plain requests, options. */
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopback, parseAnnouncement } from './http.js';
import { startReferenceServer, type RunningServer } from './server.js';
import { connectWs, type TestClient } from './testing/client.js';

const servers: RunningServer[] = [];
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('HTTP endpoints', () => {
  it('treats only loopback addresses as admin clients', () => {
    expect(['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['198.51.100.1', '::ffff:198.51.100.1', '2001:db8::1', undefined].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('fills announcement defaults and refuses non-string fields', () => {
    expect(parseAnnouncement({ title: 't', message: 'm' })).toEqual({ title: 't', message: 'm', priority: 'normal', announcement_type: 'notice' });
    expect(parseAnnouncement({ title: 't', message: 'm', priority: 3 })).toBeUndefined();
    expect(parseAnnouncement('x')).toBeUndefined();
  });

  it('answers unknown paths 404, GET on the admin path 405, oversized or broken bodies 413/400', async () => {
    const s = await startReferenceServer({ profiles: 'assa' });
    servers.push(s);
    const base = s.urls.adminHttp.replace('/admin/announce', '');
    expect((await fetch(`${base}/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(s.urls.adminHttp)).status).toBe(405);
    expect((await fetch(s.urls.adminHttp, { method: 'POST', body: '{' })).status).toBe(400);
    expect((await fetch(s.urls.adminHttp, { method: 'POST', body: 'x'.repeat(70_000) })).status).toBe(413);
    // OpenIRC is not served: no login route.
    expect((await fetch(`${base}/login/`, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('routes WebSocket paths: / to the first profile, unknown paths 404, plain HTTP on the ws port 426', async () => {
    const s = await startReferenceServer({ profiles: 'assa' });
    servers.push(s);
    const root = (s.urls.assaWs as string).replace('/assa', '/');
    const c = await connectWs(root);
    clients.push(c);
    c.send('{');
    expect((await c.next()).action).toBe('ERROR');
    await expect(connectWs((s.urls.assaWs as string).replace('/assa', '/envelope'))).rejects.toThrow('HTTP 404');
    expect((await fetch((s.urls.assaWs as string).replace('ws:', 'http:'))).status).toBe(426);
  });

  it('refuses an unknown fault name at start', async () => {
    await expect(startReferenceServer({ faults: ['drop-everything'] })).rejects.toMatchObject({ code: 'CC_ERR_USAGE' });
  });

  it('closes every connection on close() and frees its ports', async () => {
    const s = await startReferenceServer({ profiles: 'assa' });
    const c = await connectWs(s.urls.assaWs as string);
    await s.close();
    expect((await c.closed()).code).toBe(1001);
    await expect(connectWs(s.urls.assaWs as string)).rejects.toThrow();
    expect(s.stats().open).toBe(0);
  });
});
