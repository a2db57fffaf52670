/**
 * The bundled envelope and OpenIRC load scenarios, end to end on loopback: a few hundred virtual
 * clients against the real reference server (embedded, or started here with a fault or a stricter
 * limit), and against a proxy that drops and duplicates OpenIRC message events on purpose and
 * counts what it did. Short runs; assertions on exact counts, never on speed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from '@msgpack/msgpack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from '../transport/target.js';
import { loadProfile } from '../profile/load.js';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { startReferenceServer, type RunningServer } from '../../reference-server/server.js';
import { loadCommand, type LoadCommandOptions } from '../cli/commands/load.js';
import { memoryIO } from '../cli/io.js';
import type { RunReport } from '../report/model.js';

const root = join(import.meta.dirname, '..', '..');
const scenario = (name: string): string => join(root, 'scenarios', 'load', name);
let out: string;
const servers: RunningServer[] = [];
let proxy: OpenIrcProxy | undefined;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'cc-load-profiles-'));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

async function server(options: Parameters<typeof startReferenceServer>[0]): Promise<RunningServer> {
  const s = await startReferenceServer(options);
  servers.push(s);
  return s;
}

type Totals = Record<'expected' | 'delivered' | 'lost' | 'duplicated' | 'reordered' | 'selfCopies' | 'selfMissing' | 'leaked', number>;
function delivery(report: RunReport): Totals {
  const t: Totals = { expected: 0, delivered: 0, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 };
  for (const d of report.load?.delivery ?? []) for (const k of Object.keys(t) as (keyof Totals)[]) t[k] += d[k] ?? 0;
  return t;
}

/** The scenario's and the command line's thresholds (the default gate is tested in gate.test.ts). */
function thresholds(report: RunReport): [string, boolean, number | null][] {
  return (report.thresholds ?? []).filter((t) => t.source !== 'gate').map((t) => [t.expression, t.passed, t.actual]);
}

/** 200 clients in rooms of 10, 4 messages a second for 1.5 s: every client sends exactly 6. */
const SHORT: LoadCommandOptions = { clients: 200, ramp: 300, duration: 1500, rate: 4, workers: 1 };
const SENDS = 200 * 6;

describe('envelope: scenarios/load/envelope-chat.yaml', () => {
  it('is the default for --profile envelope and passes against the embedded server with exact counts', async () => {
    const result = await loadCommand({ ...SHORT, profile: loadProfile('envelope'), out }, memoryIO(), root);
    const r = result.report;
    const load = r.load!;
    const c = load.counters;
    expect(r.options.scenario).toBe('load.envelope.chat');
    expect(r.target.embedded).toBe(true);
    expect(result.exitCode).toBe(0);
    // Every client connected with its token in the URL (envelope.D1) and joined (confirmed by the barrier).
    expect(load.histograms.connect!.count).toBe(200);
    expect(load.histograms.auth!.count).toBe(200);
    expect(c['connections.opened']).toBe(200);
    expect(c['connect.errors']).toBe(0);
    expect([c.drops, c.reconnects, c.timeouts, c['sends.skipped'], c['sends.waiting'], c['schema.violations']]).toEqual([0, 0, 0, 0, 0, 0]);
    // 200 room.join and their barriers, then 6 chat.message each (no ping at the spec's 30 s interval).
    expect(c['heartbeats.answered']).toBe(0);
    expect(c['messages.sent']).toBe(200 * 2 + SENDS);
    expect([c.requests, c.replies]).toEqual([200 * 2, 200 * 2]);
    // Every message reaches the 9 other members; this server also sends the sender its own copy
    // (its choice, envelope.D3.messages), counted apart.
    expect(delivery(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9, lost: 0, duplicated: 0, reordered: 0, selfCopies: SENDS, selfMissing: 0, leaked: 0 });
    expect(load.delivery).toHaveLength(20);
    expect(load.histograms.delivery!.count).toBe(SENDS * 9);
    // A chat.message is answered only when refused: nothing is timed as its reply.
    expect(load.histograms.reply!.count).toBe(0);
    // Received: the broadcasts, user.joined (1 + 2 + ... + 10 per room, all "other": none is
    // waited for) and the barriers' unknown_type, which confirm the joins and are no error.
    expect(c['messages.received']).toBe(SENDS * 10 + 20 * 55 + 200);
    expect(c['messages.other']).toBe(20 * 55);
    expect(c['errors.unknown_type']).toBeUndefined();
    expect(c['errors.rate_limited']).toBe(0);
    expect(thresholds(r)).toEqual([
      ['delivery.lost==0', true, 0], ['delivery.duplicated==0', true, 0], ['delivery.reordered==0', true, 0],
      ['schema.violations==0', true, 0], ['timeouts==0', true, 0], ['errors.rate_limited==0', true, 0],
    ]);
  });

  it("confirms joins by the barrier's code when the server echoes no ref_id on its errors", async () => {
    const s = await server({ profiles: 'envelope', faults: ['envelope.error-without-ref-id'] });
    const result = await loadCommand({ ...SHORT, profile: loadProfile('envelope'), target: urlTarget(s.urls.envelopeWs!), out }, memoryIO(), root);
    const c = result.report.load!.counters;
    expect(result.exitCode).toBe(0);
    expect([c.requests, c.replies, c.timeouts, c['sends.waiting']]).toEqual([200 * 2, 200 * 2, 0, 0]);
    expect(c['errors.unknown_type']).toBeUndefined();
    expect(delivery(result.report)).toMatchObject({ expected: SENDS * 9, delivered: SENDS * 9, lost: 0 });
  });

  it('catches a server whose every chat.message misses one member: each copy it owed another member is lost; exit 1', async () => {
    const s = await server({ profiles: 'envelope', faults: ['envelope.chat-skips-one-member'] });
    const io = memoryIO();
    const result = await loadCommand({ ...SHORT, profile: loadProfile('envelope'), target: urlTarget(s.urls.envelopeWs!), out }, io, root);
    const r = result.report;
    expect(r.load!.counters['messages.sent']).toBe(200 * 2 + SENDS);
    // The member it skips is the room's first: for that member's own 6 messages, the sender itself
    // (20 rooms × 6 = 120 own copies fewer, its choice); for the others', a recipient (lost).
    const own = 20 * 6;
    expect(delivery(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9 - (SENDS - own), lost: SENDS - own, duplicated: 0, reordered: 0, selfCopies: SENDS - own, selfMissing: 0, leaked: 0 });
    expect(result.exitCode).toBe(1);
    expect(r.thresholds?.find((t) => t.expression === 'delivery.lost==0')).toMatchObject({ passed: false, actual: SENDS - own });
    expect(io.stdout.join('\n')).toContain('threshold FAIL delivery.lost==0 (actual 1,080)');
  });
});

describe('envelope: scenarios/load/envelope-rate-limit.yaml', () => {
  const RATE: LoadCommandOptions = { scenario: scenario('envelope-rate-limit.yaml'), clients: 100, ramp: 300, duration: 1500, workers: 1 };

  it('clients at half the limit never see rate_limited, and every message reaches both members', async () => {
    const result = await loadCommand({ ...RATE, out }, memoryIO(), root);
    const r = result.report;
    const c = r.load!.counters;
    // A join and its barrier, then 10 messages a second for 1.5 s: 15 each.
    expect(c['messages.sent']).toBe(100 * 2 + 100 * 15);
    expect(c['errors.rate_limited']).toBe(0);
    expect(delivery(r)).toEqual({ expected: 100 * 15, delivered: 100 * 15, lost: 0, duplicated: 0, reordered: 0, selfCopies: 100 * 15, selfMissing: 0, leaked: 0 });
    expect(result.exitCode).toBe(0);
    expect(thresholds(r).every(([, passed]) => passed)).toBe(true);
  });

  it('catches a server stricter than the spec (5 a second): every refusal is counted, its message lost by the other member', async () => {
    const s = await server({ profiles: 'envelope', limits: { maxMessagesPerSecond: 5 } });
    const result = await loadCommand({ ...RATE, clients: 40, rate: 8, target: urlTarget(s.urls.envelopeWs!), out }, memoryIO(), root);
    const r = result.report;
    const refused = r.load!.counters['errors.rate_limited']!;
    // 12 messages in 1.5 s at 8 a second: the window lets at most 5 a second through.
    expect(r.load!.counters['messages.sent']).toBe(40 * 2 + 40 * 12);
    expect(refused).toBeGreaterThanOrEqual(40 * 2);
    // A refused message reaches nobody: the other member lost it, and its sender got no copy of it.
    expect(delivery(r)).toEqual({ expected: 40 * 12, delivered: 40 * 12 - refused, lost: refused, duplicated: 0, reordered: 0, selfCopies: 40 * 12 - refused, selfMissing: 0, leaked: 0 });
    expect(result.exitCode).toBe(1);
    expect(r.thresholds?.find((t) => t.expression === 'errors.rate_limited==0')).toMatchObject({ passed: false, actual: refused });
  });
});

describe('OpenIRC: scenarios/load/openirc-chat.yaml', () => {
  it('keeps why a login refused: counted by code, and the first refusal in words in the report and the gate', async () => {
    const s = await server({ profiles: 'openirc' });
    const io = memoryIO();
    // Tokens signed with a key the server does not know: every login answers 401.
    const result = await loadCommand({ clients: 20, ramp: 100, duration: 500, rate: 2, workers: 1, profile: loadProfile('openirc'), target: urlTarget(s.urls.openircHttp!), jwtSecret: 'not-the-servers-secret', out }, io, root);
    const load = result.report.load!;
    const failed = load.counters['connect.errors']!;
    expect(failed).toBeGreaterThanOrEqual(20);
    expect(load.counters['errors.CC_ERR_TARGET_REFUSED']).toBe(failed);
    const first = load.errorSamples?.CC_ERR_TARGET_REFUSED;
    expect(first).toMatch(new RegExp(`^${s.urls.openircHttp!.replace(/[./]/g, '\\$&')} was reached but refused: POST http://127\\.0\\.0\\.1:\\d+/login/ answered 401: .*invalid_token`));
    expect(result.exitCode).toBe(1);
    expect(io.stdout).toContain(`FAIL: ${failed} connection attempts failed (the gate allows 0); the first: ${first}`);
    expect(io.stdout).toContain(`    first CC_ERR_TARGET_REFUSED: ${first}`);
  }, 30_000);

  it('is the default for --profile openirc and passes against the embedded server with exact counts', async () => {
    const result = await loadCommand({ ...SHORT, profile: loadProfile('openirc'), out }, memoryIO(), root);
    const r = result.report;
    const load = r.load!;
    const c = load.counters;
    expect(r.options.scenario).toBe('load.openirc.chat');
    expect(result.exitCode).toBe(0);
    // Every client logged in over HTTP and opened the WebSocket the login named (openirc.D1).
    expect(load.histograms.connect!.count).toBe(200);
    expect(load.histograms.auth!.count).toBe(200);
    expect([c['connect.errors'], c.drops, c.timeouts, c['sends.skipped'], c['sends.waiting'], c['schema.violations'], c['messages.other']]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    // 200 joins and 1,200 messages, each answered once with its rid (openirc.D3): 1,400 replies.
    expect(c['messages.sent']).toBe(200 + SENDS);
    expect(load.histograms.reply!.count).toBe(SENDS);
    expect(load.histograms.reply_scheduled!.count).toBe(SENDS);
    // Message events reach the 9 other members of the channel (openirc.D5), never the sender.
    expect(delivery(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9, lost: 0, duplicated: 0, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 });
    expect(load.histograms.delivery!.count).toBe(SENDS * 9);
    expect(c['messages.received']).toBe(200 + SENDS + SENDS * 9);
    expect(thresholds(r)).toEqual([
      ['delivery.lost==0', true, 0], ['delivery.duplicated==0', true, 0], ['delivery.reordered==0', true, 0],
      ['schema.violations==0', true, 0], ['timeouts==0', true, 0], ['errors.rate==0', true, 0],
    ]);
  });

  it('counts exactly the message events a proxy drops and duplicates (login rewritten through it), exit 1', async () => {
    const s = await server({ profiles: 'openirc' });
    proxy = await startOpenIrcProxy(s.urls.openircHttp!, { dropEvery: 97, duplicateEvery: 89 });
    const result = await loadCommand({ ...SHORT, profile: loadProfile('openirc'), target: urlTarget(proxy.url), out }, memoryIO(), root);
    const r = result.report;
    const n = proxy.counts;
    expect(n.logins).toBe(200);
    expect(n.events).toBe(SENDS * 9);
    expect(n.dropped).toBe(Math.floor(n.events / 97));
    expect(n.duplicated).toBe(Math.floor(n.events / 89) - Math.floor(n.events / (97 * 89)));
    expect(delivery(r)).toEqual({ expected: SENDS * 9, delivered: SENDS * 9 - n.dropped, lost: n.dropped, duplicated: n.duplicated, reordered: 0, selfCopies: 0, selfMissing: 0, leaked: 0 });
    expect(r.load!.histograms.reply!.count).toBe(SENDS);
    expect(result.exitCode).toBe(1);
    expect(thresholds(r).filter(([, passed]) => !passed)).toEqual([['delivery.lost==0', false, n.dropped], ['delivery.duplicated==0', false, n.duplicated]]);
  });

  it('catches replies whose rid is not the request\'s: every join times out and nothing is sent', async () => {
    const s = await server({ profiles: 'openirc', faults: ['openirc.rid-not-echoed'] });
    const result = await loadCommand({ ...SHORT, profile: loadProfile('openirc'), target: urlTarget(s.urls.openircHttp!), responseTimeout: 300, connectTimeout: 1000, out }, memoryIO(), root);
    const c = result.report.load!.counters;
    expect(c.timeouts).toBe(200);
    expect(c['messages.other']).toBe(200);
    expect(c['messages.sent']).toBe(200);
    expect(c['sends.skipped']).toBe(SENDS);
    expect(result.exitCode).toBe(1);
    expect(result.report.thresholds?.find((t) => t.expression === 'timeouts==0')).toMatchObject({ passed: false, actual: 200 });
  });
});

describe('OpenIRC error codes under load', () => {
  it('counts each refusal by the kind its error list names (profile errorCodePath), not as UNKNOWN', async () => {
    // The same scenario, but every message goes to a channel the sender never joined.
    const text = readFileSync(scenario('openirc-chat.yaml'), 'utf8');
    const file = join(out, 'openirc-unjoined.yaml');
    const changed = text.replace(
      /(loop:[\s\S]*?target: \{ connid: "\$\{login\.connections\[0\]\.connid\}", kind: channel, name: )"#cc-load-\$\{room_id\}"/,
      '$1"#cc-elsewhere-${room_id}"',
    );
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const result = await loadCommand({ ...SHORT, profile: loadProfile('openirc'), scenario: file, out }, memoryIO(), root);
    const c = result.report.load!.counters;
    // Seed 001: a message to a channel not joined is invalid_type at context target.name.
    expect(c['errors.invalid_type']).toBe(SENDS);
    expect(c['errors.UNKNOWN']).toBeUndefined();
    expect(result.report.load!.histograms.reply!.count).toBe(SENDS);
    expect(result.exitCode).toBe(1);
    expect(result.report.thresholds?.find((t) => t.expression === 'errors.rate==0')).toMatchObject({ passed: false });
  });
});


// ---- a faulty OpenIRC proxy: HTTP login and WebSocket, message events dropped or doubled ----

interface OpenIrcProxy {
  /** http://127.0.0.1:port: the login endpoint; the login answer names the proxy's WebSocket. */
  url: string;
  readonly counts: { logins: number; events: number; dropped: number; duplicated: number };
  close(): Promise<void>;
}

/**
 * Forwards POST /login/ to the upstream and rewrites the WebSocket URL in its answer to point at
 * itself; forwards every WebSocket frame both ways, except that of the `message` events it passes
 * (n = 1, 2, ...) it drops those with n % dropEvery == 0 and writes twice those with
 * n % duplicateEvery == 0 (a dropped one is not also doubled).
 */
async function startOpenIrcProxy(upstream: string, faults: { dropEvery: number; duplicateEvery: number }): Promise<OpenIrcProxy> {
  const counts = { logins: 0, events: 0, dropped: 0, duplicated: 0 };
  let upstreamWs = '';
  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const answer = await fetch(new URL(req.url ?? '/', upstream), { method: req.method ?? 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) });
        let body = await answer.text();
        if (answer.ok) {
          counts.logins++;
          const parsed = JSON.parse(body) as { ws: string };
          const ws = new URL(parsed.ws);
          upstreamWs = ws.origin;
          parsed.ws = `ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}${ws.pathname}${ws.search}`;
          body = JSON.stringify(parsed);
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(body);
      })().catch(() => res.writeHead(502).end());
    });
  });
  const wss = new WebSocketServer({ server: httpServer });
  const upstreams = new Set<WebSocket>();
  wss.on('connection', (client, req) => {
    const up = new WebSocket(`${upstreamWs}${req.url ?? '/'}`);
    upstreams.add(up);
    const early: [RawData, boolean][] = [];
    client.on('message', (data, binary) => {
      if (up.readyState === WebSocket.OPEN) up.send(data, { binary });
      else early.push([data, binary]);
    });
    up.on('open', () => {
      for (const [data, binary] of early.splice(0)) up.send(data, { binary });
    });
    up.on('message', (data, binary) => {
      const value = decode(data as Buffer) as { kind?: unknown };
      if (value.kind === 'message') {
        const n = ++counts.events;
        if (n % faults.dropEvery === 0) {
          counts.dropped++;
          return;
        }
        if (n % faults.duplicateEvery === 0) {
          counts.duplicated++;
          client.send(data, { binary });
        }
      }
      client.send(data, { binary });
    });
    client.on('close', () => up.close());
    up.on('close', () => {
      upstreams.delete(up);
      client.close();
    });
    client.on('error', () => up.terminate());
    up.on('error', () => client.terminate());
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    counts,
    close: async () => {
      for (const up of upstreams) up.terminate();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
