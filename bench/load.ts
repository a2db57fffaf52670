/**
 * The load engine against a bare `ws` client loop doing the same ASSA work, in one script:
 * 1,000 clients over WebSocket in rooms of 10, CONNECT with a JWT, CREATE_ROOM / JOIN_ROOM, then
 * 1 SEND_MESSAGE per second per client; every reply and broadcast parsed, PINGs answered. The
 * engine also validates every inbound message, correlates every reply and checks every delivery.
 * The reference server runs in its own process; each variant runs in its own process too, so
 * process.cpuUsage() and the peak RSS are the client's alone. CPU is measured over the steady
 * phase only (setup and token minting excluded for both).
 *
 * Then: how many idle connections one process holds (engine transport, `connect()` with
 * record: false, no authentication), up to --idle (default 20,000) or what the fd limit allows.
 *
 *   npx tsx bench/load.ts [--clients 1000] [--seconds 20] [--runs 3] [--idle 20000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const CLIENTS = arg('clients', 1000);
const SECONDS = arg('seconds', 20);
const RUNS = arg('runs', 3);
const IDLE = arg('idle', 20_000);
const ROOM = 10;

/** CPU seconds per thread name (from /proc), to see where a process spends it besides its main thread. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const tick = 100;
    for (const tid of readdirSync('/proc/self/task')) {
      const comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim().replace(/[0-9]+$/, '#');
      const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out[comm] = (out[comm] ?? 0) + (Number(fields[11]) + Number(fields[12])) / tick;
    }
  } catch {
    // Not Linux: no per-thread figures.
  }
  return out;
}

function threadDelta(a: Record<string, number>, b: Record<string, number>): string {
  return Object.entries(b).map(([k, v]) => [k, v - (a[k] ?? 0)] as const).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${v.toFixed(2)}s`).join(', ');
}

interface Measured {
  cpuSecondsPer10k: number;
  roundTrips: number;
  peakRssMb: number;
  note?: string;
}

/** Samples RSS every 100 ms; returns a stop function giving the peak in MB. */
function rssPeak(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return () => {
    clearInterval(timer);
    return Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576);
  };
}

// ---- child roles ------------------------------------------------------------------------------

async function serverRole(maxConnections: number, connectTimeout: number): Promise<void> {
  const { startReferenceServer } = await import('../reference-server/server.js');
  const server = await startReferenceServer({ profiles: 'assa', limits: { maxConnections }, timers: { connectTimeout } });
  process.stdout.write(`${JSON.stringify(server.urls)}\n`);
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
  process.stdin.resume();
}

async function engineRole(url: string): Promise<Measured> {
  const { LoadSlice } = await import('../src/load/engine.js');
  const { readLoadScenario } = await import('../src/load/scenario.js');
  const plan = { ...readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan, clients: CLIENTS, rampMs: 3000, durationMs: SECONDS * 1000 + 6000, drainMs: 500, thresholds: [] };
  const peak = rssPeak();
  const slice = new LoadSlice({
    plan, profile: 'assa', targetUrl: url, jwt: {}, limits: { maxTextChars: 5000, maxMessageBytes: 1048576 },
    timers: { connectTimeout: 30_000, responseTimeout: 10_000, pingInterval: 30_000, pongTimeout: 60_000 },
    range: [0, CLIENTS], silent: [CLIENTS, CLIENTS], runTag: `B${process.pid}`, validate: !process.argv.includes('--no-validate'), toleranceMs: 1000,
  });
  const done = slice.run(Date.now());
  // Wait for the steady phase: sends flowing, then measure a window of SECONDS.
  const sent = (): number => slice.progress().counters['messages.sent'] ?? 0;
  const deadline = performance.now() + 60_000;
  while (sent() < 2 * CLIENTS + CLIENTS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
  const replies = (): number => slice.progress(true).summaries?.reply?.count ?? 0;
  const r0 = replies();
  const c0 = process.cpuUsage();
  const t0 = threadCpu();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(c0);
  const threads = threadDelta(t0, threadCpu());
  const r1 = replies();
  slice.stop();
  const result = await done;
  const violations = result.metrics.counters['schema.violations'] ?? 0;
  const lost = result.delivery.reduce((s, d) => s + d.lost, 0);
  const rt = r1 - r0;
  return { cpuSecondsPer10k: ((cpu.user + cpu.system) / 1e6) / (rt / 10_000), roundTrips: rt, peakRssMb: peak(), note: `schema violations ${violations}, lost ${lost}; user ${(cpu.user / 1e6).toFixed(2)}s system ${(cpu.system / 1e6).toFixed(2)}s` };
}

async function bareRole(url: string): Promise<Measured> {
  const WebSocket = (await import('ws')).default;
  const { mintToken } = await import('../src/auth/jwt.js');
  const tokens = Array.from({ length: CLIENTS }, (_, i) => mintToken({ claims: { sub: String(200_000 + i), nickname: `b${i}` }, expiresIn: 3600 }));
  const peak = rssPeak();
  let replies = 0;
  let joined = 0;
  const roomIds: (number | undefined)[] = [];
  const waiting: (() => void)[][] = [];
  const sockets: InstanceType<typeof WebSocket>[] = [];
  const timers: NodeJS.Timeout[] = [];
  let seq = 0;
  const now = (): string => new Date().toISOString();
  for (let i = 0; i < CLIENTS; i++) {
    const room = Math.floor(i / ROOM);
    const ws = new WebSocket(url, { perMessageDeflate: false });
    sockets.push(ws);
    const send = (action: string, data?: unknown): void => ws.send(JSON.stringify({ action, ...(data ? { data } : {}), timestamp: now(), seq_id: `b${i}-${seq++}` }));
    const join = (): void => send('JOIN_ROOM', { room_id: roomIds[room] });
    const ready = (): void => {
      joined++;
      // The same arrival pattern as the engine's timetables: phases spread by the golden ratio.
      const tick = (): void => send('SEND_MESSAGE', { room_id: roomIds[room], content: `hello from b${i} [${seq}]`, message_type: 'text' });
      timers.push(setTimeout(() => timers.push(setInterval(tick, 1000)), ((i * 0.6180339887) % 1) * 1000));
    };
    ws.on('open', () => send('CONNECT', { jwt_token: tokens[i] }));
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString()) as { action: string; seq_id: string; data?: { room_id?: number } };
      switch (m.action) {
        case 'CONNECT_RESPONSE':
          if (i % ROOM === 0) send('CREATE_ROOM', { name: `bare ${room}`, is_open: true, max_participants: ROOM });
          else if (roomIds[room] !== undefined) join();
          else (waiting[room] ??= []).push(join);
          break;
        case 'CREATE_ROOM_RESPONSE':
          roomIds[room] = m.data?.room_id;
          ready();
          for (const w of waiting[room] ?? []) w();
          break;
        case 'JOIN_ROOM_RESPONSE':
          ready();
          break;
        case 'SEND_MESSAGE_RESPONSE':
          replies++;
          break;
        case 'PING':
          ws.send(JSON.stringify({ action: 'PONG', timestamp: now(), seq_id: m.seq_id }));
          break;
        default:
          break;
      }
    });
    ws.on('error', () => undefined);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 3000 / (CLIENTS / 50)));
  }
  const deadline = performance.now() + 60_000;
  while (joined < CLIENTS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 2000));
  const r0 = replies;
  const c0 = process.cpuUsage();
  const t0 = threadCpu();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(c0);
  const threads = threadDelta(t0, threadCpu());
  const rt = replies - r0;
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.terminate();
  return { cpuSecondsPer10k: ((cpu.user + cpu.system) / 1e6) / (rt / 10_000), roundTrips: rt, peakRssMb: peak(), note: `${joined} joined; user ${(cpu.user / 1e6).toFixed(2)}s system ${(cpu.system / 1e6).toFixed(2)}s` };
}

async function idleRole(urls: string[], target: number): Promise<{ held: number; rssMb: number; stoppedBy?: string }> {
  const { connect } = await import('../src/transport/connect.js');
  const held: { destroy(): void }[] = [];
  let stoppedBy: string | undefined;
  // Every socket is a file descriptor: keep a few for the process itself (reading its own RSS needs one).
  const limit = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)/)?.[1] ?? Infinity) - 64;
  if (target > limit) {
    stoppedBy = `the open-files limit of this process (${limit + 64}; ulimit -n was raised to the hard limit)`;
    target = limit;
  }
  const batch = 200;
  outer: for (let i = 0; i < target; i += batch) {
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(batch, target - i) }, (_, k) =>
        connect({ url: urls[(i + k) % urls.length]!, codec: 'json', framing: 'ndjson', connectTimeout: 10_000, maxInboundBytes: 1 << 20, record: false }),
      ),
    );
    for (const r of results) {
      if (r.status === 'fulfilled') held.push(r.value);
      else stoppedBy = (r.reason as Error).message;
    }
    if (held.length < i + Math.min(batch, target - i)) break outer;
  }
  await new Promise((r) => setTimeout(r, 1000));
  const rssMb = Math.round(process.memoryUsage().rss / 1048576);
  const count = held.length;
  for (const c of held) c.destroy();
  return { held: count, rssMb, ...(stoppedBy ? { stoppedBy } : {}) };
}

// ---- orchestration --------------------------------------------------------------------------

function tsxChild(args: string[], shell = false): ChildProcess {
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  // `ulimit -n` up to the hard limit, inside the child, for the connection counts.
  return shell
    ? spawn('bash', ['-c', `ulimit -n $(ulimit -Hn); exec ${tsx} ${self} ${args.join(' ')}`], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn(tsx, [self, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
}

function firstLine<T>(child: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(buffer.slice(0, nl)) as T);
      }
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
}

async function startServer(maxConnections: number, connectTimeout: number): Promise<{ child: ChildProcess; urls: { assaWs: string; assaTcp: string } }> {
  const child = tsxChild(['--role', 'server', '--max', String(maxConnections), '--connect-timeout', String(connectTimeout)], true);
  const urls = await firstLine<{ assaWs: string; assaTcp: string }>(child, 60_000);
  return { child, urls };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}

async function variant(role: 'engine' | 'bare', url: string): Promise<Measured> {
  const child = tsxChild(['--role', role, '--url', url, '--clients', String(CLIENTS), '--seconds', String(SECONDS)]);
  try {
    return await firstLine<Measured>(child, (SECONDS + 120) * 1000);
  } finally {
    await stop(child);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function main(): Promise<void> {
  const role = process.argv[process.argv.indexOf('--role') + 1];
  const str = (name: string): string => process.argv[process.argv.indexOf(`--${name}`) + 1] ?? '';
  if (process.argv.includes('--role')) {
    if (role === 'server') return serverRole(arg('max', 1000), arg('connect-timeout', 30_000));
    const out = role === 'engine' ? await engineRole(str('url'))
      : role === 'bare' ? await bareRole(str('url'))
      : await idleRole(str('urls').split(','), arg('idle', IDLE));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  }
  const cores = (await import('node:os')).availableParallelism();
  console.log(`bench/load: ${CLIENTS} clients, rooms of ${ROOM}, 1 msg/s each, ${SECONDS} s measured, ${RUNS} runs, ${cores} cores, node ${process.version}`);
  const engine: Measured[] = [];
  const bare: Measured[] = [];
  for (let run = 0; run < RUNS; run++) {
    for (const v of ['bare', 'engine'] as const) {
      const server = await startServer(CLIENTS + 10, 600_000);
      try {
        const m = await variant(v, server.urls.assaWs);
        (v === 'engine' ? engine : bare).push(m);
        console.log(`  run ${run + 1} ${v.padEnd(6)} CPU s/10k round trips ${m.cpuSecondsPer10k.toFixed(3)}  round trips ${m.roundTrips}  peak RSS ${m.peakRssMb} MB  (${m.note ?? ''})`);
      } finally {
        await stop(server.child);
      }
    }
  }
  const e = median(engine.map((m) => m.cpuSecondsPer10k));
  const b = median(bare.map((m) => m.cpuSecondsPer10k));
  console.log('');
  console.log('| workload (1,000 clients x 1 msg/s, WebSocket) | bare ws loop | chat-conform engine | ratio | goal |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| CPU s per 10,000 round trips (median) | ${b.toFixed(3)} | ${e.toFixed(3)} | ${(e / b).toFixed(2)}x | <= 1.5x |`);
  console.log(`| peak RSS (median) | ${median(bare.map((m) => m.peakRssMb))} MB | ${median(engine.map((m) => m.peakRssMb))} MB | | engine < 200 MB |`);

  // Idle connections: two server processes (each has its own fd limit), one client process.
  const hard = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\d+\s+(\d+)/)?.[1] ?? 0);
  const perServer = Math.ceil(IDLE / 2) + 100;
  const servers = await Promise.all([startServer(perServer, 600_000), startServer(perServer, 600_000)]);
  try {
    const child = tsxChild(['--role', 'idle', '--urls', servers.map((s) => s.urls.assaTcp).join(','), '--idle', String(IDLE)], true);
    const idle = await firstLine<{ held: number; rssMb: number; stoppedBy?: string }>(child, 300_000);
    await stop(child);
    console.log(`| idle connections held by one process | | ${idle.held} (RSS ${idle.rssMb} MB) | | >= 20,000 |`);
    if (idle.held < IDLE) console.log(`  stopped at ${idle.held}: ${idle.stoppedBy ?? 'unknown'} (fd hard limit here: ${hard}; each socket needs one)`);
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
  }
}

await main();
