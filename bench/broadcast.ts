/**
 * Broadcast fan-out and memory per connection of the reference server, against a bare `ws`
 * broadcast server doing the same work in the same run (parse each request, answer the sender,
 * serialise the broadcast once, send it to the other nine members of the room).
 *
 * Each server runs in its own child process (one core), the clients in this one (the other core).
 *   1. fan-out, fixed rate: 1,000 connections in rooms of 10, every connection sends RATE msg/s;
 *      latency is measured from the scheduled send time (no coordinated omission).
 *   2. fan-out, saturation: every connection keeps one message in flight (closed loop).
 *   3. memory: heap and RSS of the server process per idle authenticated connection at 1,000 and 10,000.
 * Bounded: fixed durations, a cap on every wait, loopback only.
 *
 *   npx tsx bench/broadcast.ts [--connections 1000] [--room-size 10] [--rate 2] [--duration 3] [--runs 3] [--idle 1000,10000] [--history N]
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import WebSocket, { WebSocketServer } from 'ws';
import { mintToken } from '../src/auth/jwt.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] as string) : fallback;
}

const CONNECTIONS = Number(arg('connections', '1000'));
const ROOM_SIZE = Number(arg('room-size', '10'));
const RATE = Number(arg('rate', '2'));
const DURATION_MS = Number(arg('duration', '3')) * 1000;
const RUNS = Number(arg('runs', '3'));
const IDLE = arg('idle', '1000,10000').split(',').map(Number);
/** The reference server's room history (messages kept per room); default: the server's. */
const HISTORY = arg('history', '');
const WAIT_CAP_MS = 60_000;

type Role = 'ref' | 'bare';
interface Ready { url: string; tcp?: string }
interface Memory { heapUsed: number; rss: number }

// ---------------------------------------------------------------- server side (child processes)

async function serveRef(): Promise<Ready> {
  const { startReferenceServer } = await import('../reference-server/server.js');
  const s = await startReferenceServer({
    profiles: 'assa',
    limits: { maxConnections: 50_000, maxOutboundBufferBytes: 64 * 1024 * 1024, ...(HISTORY ? { roomHistory: Number(HISTORY) } : {}) },
  });
  return { url: s.urls.assaWs as string, tcp: s.urls.assaTcp as string };
}

/** The peer: what a hand-written ws broadcast server does for the same requests. */
async function serveBare(): Promise<Ready> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, clientTracking: false, maxPayload: 1_048_576 });
  const rooms = new Map<number, Set<WebSocket>>();
  let users = 0;
  let roomIds = 0;
  let messageIds = 0;
  wss.on('connection', (ws) => {
    let userId = 0;
    ws.on('error', () => {});
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as { action: string; data?: Record<string, unknown>; seq_id: string };
      const reply = (data: unknown): void => ws.send(JSON.stringify({ action: `${m.action}_RESPONSE`, success: true, message: 'ok', data, timestamp: new Date().toISOString(), seq_id: m.seq_id }));
      switch (m.action) {
        case 'CONNECT':
          userId = ++users;
          return reply({ user_id: userId });
        case 'CREATE_ROOM': {
          const id = ++roomIds;
          rooms.set(id, new Set([ws]));
          return reply({ room_id: id });
        }
        case 'JOIN_ROOM': {
          const id = m.data?.room_id as number;
          rooms.get(id)?.add(ws);
          return reply({ room_id: id });
        }
        case 'SEND_MESSAGE': {
          const roomId = m.data?.room_id as number;
          const content = m.data?.content as string;
          const id = ++messageIds;
          const ts = new Date().toISOString();
          reply({ message_id: id, room_id: roomId, content, message_type: 'text', created_at: ts });
          const frame = Buffer.from(JSON.stringify({
            action: 'NEW_MESSAGE', data: { message_id: id, room_id: roomId, content, message_type: 'text', user: { user_id: userId, nickname: `u${userId}` }, created_at: ts, reply_to_message_id: null },
            timestamp: ts, seq_id: `b${id}`,
          }));
          for (const other of rooms.get(roomId) ?? []) if (other !== ws) other.send(frame, { binary: false });
          return;
        }
        default:
      }
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return { url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}` };
}

async function child(role: Role): Promise<void> {
  const ready = role === 'ref' ? await serveRef() : await serveBare();
  process.on('message', (msg: string) => {
    if (msg === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpu: user + system });
    }
    if (msg === 'mem') {
      (globalThis as { gc?: () => void }).gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      process.send?.({ heapUsed, rss });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.(ready);
}

// ---------------------------------------------------------------- client side (this process)

interface Server { role: Role; proc: ChildProcess; ready: Ready }

function once<T>(proc: ChildProcess, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WAIT_CAP_MS} ms`)), WAIT_CAP_MS);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as T);
    });
  });
}

async function startServer(role: Role): Promise<Server> {
  const proc = fork(fileURLToPath(import.meta.url), ['--role', role, ...(HISTORY ? ['--history', HISTORY] : [])], { execArgv: [...process.execArgv, '--expose-gc', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { role, proc, ready: await once<Ready>(proc, `${role} server start`) };
}

async function stopServer(s: Server): Promise<void> {
  s.proc.disconnect();
  await new Promise((r) => (s.proc.exitCode !== null ? r(null) : s.proc.once('exit', r)));
}

/** CPU time of the server process so far, in µs. */
async function cpuOf(s: Server): Promise<number> {
  s.proc.send('cpu');
  return (await once<{ cpu: number }>(s.proc, 'cpu')).cpu;
}

async function memoryOf(s: Server): Promise<Memory> {
  s.proc.send('mem');
  return once<Memory>(s.proc, 'memory');
}

/** A lean bench client: one ws, replies matched by seq_id, NEW_MESSAGE handed to a callback. */
class Client {
  private seq = 0;
  private readonly pending = new Map<string, (m: Record<string, unknown>) => void>();
  onNew: (content: string) => void = () => {};
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      if (m.action === 'NEW_MESSAGE') this.onNew((m.data as { content: string }).content);
      else if (typeof m.seq_id === 'string') {
        const done = this.pending.get(m.seq_id);
        if (done) {
          this.pending.delete(m.seq_id);
          done(m);
        }
      }
    });
  }
  request(action: string, data: unknown): Promise<Record<string, unknown>> {
    const seq = `c${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${action} unanswered`)), WAIT_CAP_MS);
      this.pending.set(seq, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.ws.send(JSON.stringify({ action, data, timestamp: new Date().toISOString(), seq_id: seq }));
    });
  }
  /** Sends without waiting; resolves when answered. */
  send(content: string, roomId: number): Promise<Record<string, unknown>> {
    return this.request('SEND_MESSAGE', { room_id: roomId, content, message_type: 'text' });
  }
}

function openWs(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('ws connect timed out')), WAIT_CAP_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

let nextUser = 1;
async function connectClients(url: string, n: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch = await Promise.all(Array.from({ length: Math.min(250, n - i) }, async () => {
      const c = new Client(await openWs(url));
      const r = await c.request('CONNECT', { jwt_token: mintToken({ claims: { sub: String(nextUser++), nickname: 'bench' } }) });
      if (r.success !== true) throw new Error(`CONNECT failed: ${JSON.stringify(r)}`);
      return c;
    }));
    clients.push(...batch);
  }
  return clients;
}

async function formRooms(clients: Client[]): Promise<number[]> {
  const roomOf: number[] = [];
  for (let i = 0; i < clients.length; i += ROOM_SIZE) {
    const r = await (clients[i] as Client).request('CREATE_ROOM', { name: `bench ${i}`, max_participants: ROOM_SIZE });
    const id = (r.data as { room_id: number }).room_id;
    const members = clients.slice(i, i + ROOM_SIZE);
    await Promise.all(members.slice(1).map((c) => c.request('JOIN_ROOM', { room_id: id })));
    for (let k = 0; k < members.length; k++) roomOf.push(id);
  }
  return roomOf;
}

interface FanOut { delivered: number; perSecond: number; p50: number; p99: number; max: number; sent: number; cpuPerDelivery: number }

/** Runs one measured window; content carries the scheduled send time (performance.now, ms). */
async function fanOut(server: Server, clients: Client[], roomOf: number[], mode: 'rate' | 'saturate'): Promise<FanOut> {
  const cpuBefore = await cpuOf(server);
  const hist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let delivered = 0;
  let sent = 0;
  let measuring = false;
  for (const c of clients) {
    c.onNew = (content) => {
      if (!measuring) return;
      delivered++;
      hist.recordValue(Math.max(1, Math.round((performance.now() - Number(content)) * 1000)));
    };
  }
  const start = performance.now();
  const end = start + DURATION_MS;
  measuring = true;
  if (mode === 'rate') {
    // Open model: connection i sends at start + phase_i + k / RATE seconds.
    const interval = 1000 / RATE;
    const next = clients.map((_, i) => start + (i / clients.length) * interval);
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        const now = performance.now();
        if (now >= end) return resolve();
        for (let i = 0; i < clients.length; i++) {
          while ((next[i] as number) <= now && (next[i] as number) < end) {
            void (clients[i] as Client).send(String(next[i]), roomOf[i] as number);
            sent++;
            next[i] = (next[i] as number) + interval;
          }
        }
        setTimeout(tick, 1);
      };
      tick();
    });
  } else {
    await Promise.all(clients.map(async (c, i) => {
      while (performance.now() < end) {
        sent++;
        await c.send(String(performance.now()), roomOf[i] as number);
      }
    }));
  }
  const elapsed = performance.now() - start;
  // Let in-flight deliveries land (they count: their latency is what it is), and leave nothing
  // queued for the next run: wait until deliveries stop for 200 ms (at most 10 s).
  const drainEnd = performance.now() + 10_000;
  for (let seen = -1; seen !== delivered && performance.now() < drainEnd;) {
    seen = delivered;
    await new Promise((r) => setTimeout(r, 200));
  }
  measuring = false;
  const cpu = (await cpuOf(server)) - cpuBefore;
  const result = {
    delivered, sent, perSecond: delivered / (elapsed / 1000), cpuPerDelivery: cpu / Math.max(1, delivered),
    p50: hist.getValueAtPercentile(50) / 1000, p99: hist.getValueAtPercentile(99) / 1000, max: hist.maxValue / 1000,
  };
  hist.destroy();
  return result;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number, d = 1): string => n.toFixed(d);

async function fanOutPhase(): Promise<void> {
  const results: Record<Role, Record<'rate' | 'saturate', FanOut[]>> = { ref: { rate: [], saturate: [] }, bare: { rate: [], saturate: [] } };
  // Both servers run side by side and the runs alternate, so load from outside hits both alike.
  const setups: { role: Role; server: Server; clients: Client[]; roomOf: number[] }[] = [];
  for (const role of ['ref', 'bare'] as const) {
    const server = await startServer(role);
    const clients = await connectClients(server.ready.url, CONNECTIONS);
    setups.push({ role, server, clients, roomOf: await formRooms(clients) });
  }
  for (const x of setups) await fanOut(x.server, x.clients, x.roomOf, 'saturate'); // warm-up
  for (let r = 0; r < RUNS; r++) {
    for (const mode of ['rate', 'saturate'] as const) {
      const order = r % 2 === 0 ? setups : [...setups].reverse();
      for (const x of order) results[x.role][mode].push(await fanOut(x.server, x.clients, x.roomOf, mode));
    }
  }
  for (const x of setups) {
    for (const c of x.clients) c.ws.terminate();
    await stopServer(x.server);
  }
  console.log(`\nBroadcast fan-out: ${CONNECTIONS} WebSocket connections in rooms of ${ROOM_SIZE}, ${RUNS} runs of ${DURATION_MS / 1000} s, medians`);
  console.log('Server CPU per delivery is the robust figure: with 2 cores the clients, not the server, can be the bottleneck.');
  console.log('| workload | server | delivered/s | p50 ms | p99 ms | server CPU µs/delivery | ratio CPU/delivery (ref / bare) | ratio delivered/s | ratio p99 |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const mode of ['rate', 'saturate'] as const) {
    const label = mode === 'rate' ? `${RATE} msg/s per connection (open)` : 'one in flight per connection (closed)';
    const m = (role: Role, k: keyof FanOut): number => median(results[role][mode].map((x) => x[k]));
    for (const role of ['ref', 'bare'] as const) {
      const ratio = (k: keyof FanOut): string => (role === 'ref' ? fmt(m('ref', k) / m('bare', k), 2) : '');
      console.log(`| ${label} | ${role === 'ref' ? 'reference server' : 'bare ws'} | ${fmt(m(role, 'perSecond'), 0)} | ${fmt(m(role, 'p50'), 2)} | ${fmt(m(role, 'p99'), 2)} | ${fmt(m(role, 'cpuPerDelivery'), 2)} | ${ratio('cpuPerDelivery')} | ${ratio('perSecond')} | ${ratio('p99')} |`);
    }
  }
}

async function idle(server: Server, n: number, transport: 'ws' | 'tcp'): Promise<{ heap: number; rss: number }> {
  const before = await memoryOf(server);
  const closers: (() => void)[] = [];
  let user = 1_000_000 + nextUser;
  for (let i = 0; i < n; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, n - i) }, async () => {
      const jwt = mintToken({ claims: { sub: String(user++), nickname: 'idle' } });
      if (transport === 'ws' || server.role === 'bare') {
        const c = new Client(await openWs(server.ready.url));
        await c.request('CONNECT', { jwt_token: jwt });
        closers.push(() => c.ws.terminate());
      } else {
        const { hostname, port } = new URL(server.ready.tcp as string);
        const socket = net.connect(Number(port), hostname);
        socket.on('error', () => {});
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('CONNECT over TCP unanswered')), WAIT_CAP_MS);
          socket.once('data', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.write(`${JSON.stringify({ action: 'CONNECT', data: { jwt_token: jwt }, timestamp: new Date().toISOString(), seq_id: 'c' })}\n`);
        });
        closers.push(() => socket.destroy());
      }
    }));
  }
  const after = await memoryOf(server);
  for (const close of closers) close();
  nextUser = user;
  return { heap: (after.heapUsed - before.heapUsed) / n, rss: (after.rss - before.rss) / n };
}

async function memoryPhase(): Promise<void> {
  const soft = Number(execSync('sh -c "ulimit -n"').toString().trim());
  const rows: string[] = [];
  for (const n of IDLE) {
    if (n + 200 > soft) {
      rows.push(`| ${n} | skipped: the open-file limit is ${soft} (raise it with ulimit -n) | | | |`);
      continue;
    }
    for (const [role, transport] of [['ref', 'ws'], ['ref', 'tcp'], ['bare', 'ws']] as const) {
      const server = await startServer(role);
      const m = await idle(server, n, transport);
      await stopServer(server);
      rows.push(`| ${n} | ${role === 'ref' ? 'reference server' : 'bare ws'} | ${transport} | ${fmt(m.heap / 1024, 2)} | ${fmt(m.rss / 1024, 2)} |`);
    }
  }
  console.log('\nMemory of the server process per idle authenticated connection (after GC)');
  console.log('| connections | server | transport | heap KiB/conn | RSS KiB/conn |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
}

const roleIndex = process.argv.indexOf('--role');
if (roleIndex > 0) {
  await child(process.argv[roleIndex + 1] as Role);
} else {
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cpus; open-file limit ${execSync('sh -c "ulimit -n"').toString().trim()}`);
  await fanOutPhase();
  await memoryPhase();
  process.exit(0);
}
