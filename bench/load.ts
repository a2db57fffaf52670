/**
 * The load engine against a bare `ws` client loop doing the same ASSA work, in one script:
 * 1,000 clients over WebSocket in rooms of 10, CONNECT with a JWT, CREATE_ROOM / JOIN_ROOM, then
 * 1 SEND_MESSAGE per second per client; every reply and broadcast parsed, PINGs answered. The
 * engine also validates every inbound message, correlates every reply and checks every delivery.
 * The reference server runs in its own process; each variant runs in its own process too, so
 * process.cpuUsage() and the peak RSS are the client's alone. CPU is measured over the steady
 * phase only (setup and token minting excluded for both).
 *
 * The machine is shared and noisy, so the two sides alternate in rounds (bare, engine, bare,
 * engine, ...), each against a fresh server; each round gives a ratio and the verdict is the
 * median ratio. Then: the peak memory of the limits scenario (scenarios/load/assa-limits.yaml)
 * at 1,000 clients, run by the built code as `chat-conform load` runs it, against the bare loop's;
 * and how many idle authenticated connections (answering PING) one engine process holds, up to
 * --idle or what its open-files limit allows, in a child with as few other fds as possible.
 *
 * Over 500 lines: its three measurements share the child-process roles, the servers they run
 * against and the table they print, and each role must be in this file, which spawns itself.
 *
 *   npx tsx bench/load.ts [--clients 1000] [--seconds 8] [--rounds 5] [--idle 20000] [--idle-hold 12]
 *                         [--no-idle] [--no-cpu] [--no-limits]
 *   (a variant alone: --role engine|bare --url URL [--cpu-prof-out FILE] [--no-validate])
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const CLIENTS = arg('clients', 1000);
const SECONDS = arg('seconds', 8);
const ROUNDS = arg('rounds', 5);
const IDLE = arg('idle', 20_000);
const IDLE_HOLD = arg('idle-hold', 12);
/** The reference server's heartbeat in the idle measurement: every held connection must answer it. */
const IDLE_PING_MS = 4000;
const ROOM = 10;

/** CPU seconds per thread name (from /proc), to see where a process spends it besides its main thread. */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const tick = 100;
    for (const tid of readdirSync('/proc/self/task')) {
      // Node names all its threads "node": tell the main (JS) thread from the helpers (GC, libuv, platform).
      const comm = Number(tid) === process.pid ? 'main' : 'helpers';
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
  /** The user-space part alone: the client's own code, less exposed to the kernel's loopback work. */
  userSecondsPer10k: number;
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

/** With --cpu-prof-out FILE: a V8 CPU profile of the measured window only (setup excluded). */
async function profileStart(): Promise<() => Promise<void>> {
  const i = process.argv.indexOf('--cpu-prof-out');
  if (i < 0) return async () => undefined;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.argv[i + 1]!, JSON.stringify(profile));
    session.disconnect();
  };
}

// ---- child roles ------------------------------------------------------------------------------

/** The reference server; a long CONNECT deadline so a slow setup is never cut, PING every `pingInterval`. */
async function serverRole(maxConnections: number, pingInterval: number): Promise<void> {
  const { startReferenceServer } = await import('../reference-server/server.js');
  const server = await startReferenceServer({ profiles: 'assa', limits: { maxConnections }, timers: { connectTimeout: 600_000, pingInterval, pongTimeout: 2 * pingInterval } });
  process.stdout.write(`${JSON.stringify(server.urls)}\n`);
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
  process.stdin.resume();
}

async function engineRole(url: string): Promise<Measured> {
  const { LoadSlice } = await import('../src/load/engine.js');
  const { readLoadScenario } = await import('../src/load/scenario.js');
  const scenario = readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml'));
  const plan = { ...scenario.plan, clients: CLIENTS, rampMs: 3000, durationMs: SECONDS * 1000 + 6000, drainMs: 500, thresholds: [] };
  const peak = rssPeak();
  const slice = new LoadSlice({
    plan, profile: scenario.profile, targetUrl: url, jwt: {}, limits: { maxTextChars: 5000, maxMessageBytes: 1048576 },
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
  const inbound = (): [number, number] => { const k = slice.progress().counters; return [k['messages.received'] ?? 0, k['bytes.received'] ?? 0]; };
  const in0 = inbound();
  const prof = await profileStart();
  const c0 = process.cpuUsage();
  const t0 = threadCpu();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(c0);
  await prof();
  const threads = threadDelta(t0, threadCpu());
  const r1 = replies();
  const in1 = inbound();
  slice.stop();
  const result = await done;
  const violations = result.metrics.counters['schema.violations'] ?? 0;
  const lost = result.delivery.reduce((s, d) => s + d.lost, 0);
  const rt = r1 - r0;
  return { cpuSecondsPer10k: ((cpu.user + cpu.system) / 1e6) / (rt / 10_000), userSecondsPer10k: cpu.user / 1e6 / (rt / 10_000), roundTrips: rt, peakRssMb: peak(), note: `schema violations ${violations}, lost ${lost}; in ${((in1[0] - in0[0]) / (r1 - r0)).toFixed(2)} msg/rt ${((in1[1] - in0[1]) / (in1[0] - in0[0])).toFixed(0)} B/msg; user ${(cpu.user / 1e6).toFixed(2)}s system ${(cpu.system / 1e6).toFixed(2)}s; threads ${threads}` };
}

async function bareRole(url: string): Promise<Measured> {
  const WebSocket = (await import('ws')).default;
  const { mintToken } = await import('../src/auth/jwt.js');
  const tokens = Array.from({ length: CLIENTS }, (_, i) => mintToken({ claims: { sub: String(200_000 + i), nickname: `b${i}` }, expiresIn: 3600 }));
  const peak = rssPeak();
  let replies = 0;
  let inMsgs = 0;
  let inBytes = 0;
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
      inMsgs++;
      inBytes += raw.length;
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
  const in0 = [inMsgs, inBytes];
  const prof = await profileStart();
  const c0 = process.cpuUsage();
  const t0 = threadCpu();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const cpu = process.cpuUsage(c0);
  await prof();
  const threads = threadDelta(t0, threadCpu());
  const rt = replies - r0;
  for (const t of timers) clearInterval(t);
  for (const s of sockets) s.terminate();
  return { cpuSecondsPer10k: ((cpu.user + cpu.system) / 1e6) / (rt / 10_000), userSecondsPer10k: cpu.user / 1e6 / (rt / 10_000), roundTrips: rt, peakRssMb: peak(), note: `${joined} joined; in ${((inMsgs - in0[0]!) / rt).toFixed(2)} msg/rt ${((inBytes - in0[1]!) / (inMsgs - in0[0]!)).toFixed(0)} B/msg; user ${(cpu.user / 1e6).toFixed(2)}s system ${(cpu.system / 1e6).toFixed(2)}s; threads ${threads}` };
}

interface IdleResult {
  requested: number;
  fdSoft: number;
  fdHard: number;
  fdsBefore: number;
  /** Clients the engine was asked to hold: min(requested, what the fd limit leaves). */
  attempted: number;
  held: number;
  pingsAnswered: number;
  minPingsPerConnection: number;
  drops: number;
  connectErrors: number;
  fdsHolding: number;
  rssBaseMb: number;
  rssHoldMb: number;
  bytesPerConnection: number;
  heapBytesPerConnection: number;
  stoppedBy: 'fd limit' | 'engine' | 'requested count';
  detail: string;
}

function fdLimits(): { soft: number; hard: number } {
  const m = readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\S+)\s+(\S+)/);
  const n = (v: string | undefined): number => (v === undefined || v === 'unlimited' ? Infinity : Number(v));
  return { soft: n(m?.[1]), hard: n(m?.[2]) };
}

/** Open fds of this process (the directory listing's own fd excluded). */
function openFds(): number {
  return readdirSync('/proc/self/fd').length - 1;
}

/** Opens up to `max` TCP connections to `url`'s host and port until one fails; closes them all. */
async function socketsUntilRefused(url: string, max: number): Promise<{ opened: number; refusedWith?: string; fdsAtEnd: number }> {
  const { connect } = await import('node:net');
  const { hostname, port } = new URL(url);
  const open: import('node:net').Socket[] = [];
  let refusedWith: string | undefined;
  for (let i = 0; i < max && refusedWith === undefined; i++) {
    refusedWith = await new Promise<string | undefined>((resolve) => {
      const s = connect({ host: hostname, port: Number(port) });
      s.once('connect', () => {
        open.push(s);
        resolve(undefined);
      });
      s.once('error', (err: Error & { code?: string }) => resolve(err.code ?? err.message));
    });
  }
  let fdsAtEnd = -1;
  try {
    fdsAtEnd = openFds();
  } catch {
    // EMFILE: reading the fd table needs a descriptor too.
  }
  for (const s of open) s.destroy();
  return { opened: open.length, fdsAtEnd, ...(refusedWith !== undefined ? { refusedWith } : {}) };
}

/**
 * Idle connections in this process: the engine (LoadSlice) at rate 0 — connect, authenticate
 * (CONNECT with a JWT), answer every PING, send nothing. Two servers (each its own fd limit) take
 * half each. The count is what the engine reports as authenticated after the hold, with no drop
 * and every connection having answered at least floor(hold / ping interval) PINGs.
 */
async function idleRole(urls: string[], requested: number, holdSeconds: number): Promise<IdleResult> {
  const { LoadSlice } = await import('../src/load/engine.js');
  const profile = (await import('../src/profile/load.js')).loadProfile('assa');
  const { soft, hard } = fdLimits();
  const fdsBefore = openFds();
  // A few fds stay free for the process itself: /proc reads (limits, RSS), the libuv threadpool, stdout.
  const RESERVE = 4;
  const room = Math.max(0, soft - fdsBefore - RESERVE);
  const attempted = Math.min(requested, room);
  const half = Math.ceil(attempted / 2);
  // The engine's steady phase outlasts the hold (it is stopped explicitly once measured).
  const plan = {
    id: 'bench.idle', title: 'idle connections', clients: attempted, rampMs: Math.max(2000, attempted / 2), durationMs: holdSeconds * 1000 + 120_000, drainMs: 0,
    userIdBase: 400_000, roomSize: 10, rate: 0, send: { message: 'SEND_MESSAGE', markerPath: 'data.content' },
    delivery: { message: 'NEW_MESSAGE', textPath: 'data.content' }, reconnectBackoffMs: [], thresholds: [],
  };
  const slices = ([[0, half], [half, attempted]] as const).map(([from, to], k) => new LoadSlice({
    plan, profile, targetUrl: urls[k]!, jwt: {}, limits: { maxTextChars: 5000, maxMessageBytes: 1048576 },
    timers: { connectTimeout: 60_000, responseTimeout: 30_000, pingInterval: IDLE_PING_MS, pongTimeout: 3 * IDLE_PING_MS },
    range: [from, to], silent: [attempted, attempted], runTag: `I${process.pid}`, validate: true, toleranceMs: 1000,
  }));
  global.gc?.();
  const base = process.memoryUsage();
  const start = Date.now();
  const done = slices.map((sl) => sl.run(start));
  const sum = (f: (p: ReturnType<InstanceType<typeof LoadSlice>['progress']>) => number): number => slices.reduce((t, sl) => t + f(sl.progress()), 0);
  // Setup: until every client is authenticated or failed, within the connect deadline.
  const deadline = performance.now() + plan.rampMs + 60_000;
  while (performance.now() < deadline) {
    const settled = sum((p) => p.authenticated + (p.counters['connect.errors'] ?? 0) + (p.counters.drops ?? 0));
    if (settled >= attempted) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const pings0 = sum((p) => p.counters['heartbeats.answered'] ?? 0);
  await new Promise((r) => setTimeout(r, holdSeconds * 1000));
  global.gc?.();
  const hold = process.memoryUsage();
  const held = sum((p) => p.authenticated);
  const pingsAnswered = sum((p) => p.counters['heartbeats.answered'] ?? 0) - pings0;
  const drops = sum((p) => p.counters.drops ?? 0);
  const connectErrors = sum((p) => p.counters['connect.errors'] ?? 0);
  const fdsHolding = openFds();
  // Proof of what stops the count: open plain sockets beside the held ones until the kernel refuses one.
  const extra = await socketsUntilRefused(urls[0]!, 256);
  for (const sl of slices) sl.stop();
  const results = await Promise.all(done);
  // Every client's own count of PINGs is in the engine's limit tally: the worst gap between two.
  const worstGap = Math.max(...results.map((r) => r.limits.pingWorstGapMs));
  const late = results.reduce((t, r) => t + r.limits.pingLate, 0);
  const minPings = Math.floor((holdSeconds * 1000) / IDLE_PING_MS);
  const limitedByFds = attempted < requested;
  const stoppedBy = held < attempted ? 'engine' : limitedByFds ? 'fd limit' : 'requested count';
  const detail = limitedByFds
    ? `RLIMIT_NOFILE is ${soft} soft / ${hard} hard and cannot be raised here; ${fdsBefore} fds were open before connecting (stdio, epoll, eventfds, pipes) and ${RESERVE} are kept free, so at most ${room} sockets fit`
    : `requested ${requested}`;
  return {
    requested, fdSoft: soft, fdHard: hard, fdsBefore, attempted, held, pingsAnswered, minPingsPerConnection: minPings, drops, connectErrors, fdsHolding,
    rssBaseMb: Math.round(base.rss / 1048576), rssHoldMb: Math.round(hold.rss / 1048576),
    bytesPerConnection: held > 0 ? Math.round((hold.rss - base.rss) / held) : 0,
    heapBytesPerConnection: held > 0 ? Math.round((hold.heapUsed - base.heapUsed) / held) : 0,
    stoppedBy, detail: `${detail}; beside the held connections ${extra.opened} more plain sockets opened, then ${extra.refusedWith ? `the next was refused with ${extra.refusedWith}` : 'none was refused'}${extra.fdsAtEnd >= 0 ? ` (${extra.fdsAtEnd} fds open)` : ''}; worst PING gap ${worstGap} ms, late PINGs ${late}`,
  };
}

// ---- orchestration --------------------------------------------------------------------------

/** A child running this script in `role`, on node with tsx's loader (no tsx wrapper process). */
function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', self, ...args], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
}

/** The same, with the open-files soft limit raised to the hard limit first (bash execs node: no extra process or fd). */
function childAtFdLimit(args: string[], nodeFlags: string[]): ChildProcess {
  const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, ...nodeFlags, '--import', 'tsx', self, ...args].map(quote).join(' ');
  return spawn('bash', ['-c', `ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec ${command}`], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
}

function firstLine<T>(c: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    c.stdout?.on('data', (d: Buffer) => {
      buffer += d.toString();
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(buffer.slice(0, nl)) as T);
      }
    });
    c.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${code}`));
    });
  });
}

interface Server {
  child: ChildProcess;
  urls: { assaWs: string; assaTcp: string };
}

async function startServer(maxConnections: number, pingInterval = 30_000): Promise<Server> {
  const c = child(['--role', 'server', '--max', String(maxConnections), '--ping', String(pingInterval)]);
  const urls = await firstLine<{ assaWs: string; assaTcp: string }>(c, 60_000);
  return { child: c, urls };
}

function stop(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      c.kill('SIGKILL');
      resolve();
    }, 5000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.stdin?.end();
    if (!c.stdin) c.kill('SIGTERM');
  });
}

async function variant(role: 'engine' | 'bare', url: string): Promise<Measured> {
  const c = child(['--role', role, '--url', url, '--clients', String(CLIENTS), '--seconds', String(SECONDS)]);
  try {
    return await firstLine<Measured>(c, (SECONDS + 120) * 1000);
  } finally {
    await stop(c);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function loadAverage(): string {
  return (loadavg() as number[]).map((l) => l.toFixed(2)).join(' ');
}

/** The limits run's heartbeat here: the steady phase is derived from it (drop timeout + 2 PINGs). */
const LIMITS_PING_MS = 5000;

/**
 * `chat-conform load --scenario scenarios/load/assa-limits.yaml` at 1,000 clients in a child
 * running the built code (dist/, no TypeScript loader: the memory a user sees), against `url` or,
 * without one, the embedded reference server in the same process as the CLI does by default.
 * Its peak RSS is the child's own maxRSS.
 */
async function limitsRun(url: string | undefined): Promise<{ peakRssMb: number; workers: number; verdicts: string; exitCode: number }> {
  const dist = join(root, 'dist', 'src');
  if (!existsSync(join(dist, 'load', 'run.js'))) throw new Error('bench/load.ts --limits measures the built code: run `npm run build` first');
  const script = `
    const lib = (path) => import(${JSON.stringify(pathToFileURL(dist).href)} + '/' + path);
    const [{ readLoadScenario }, { runLoad, loadTimeline }, { urlTarget }, { startEmbeddedTarget }, { resolveSigningKey }] = await Promise.all(
      ['load/scenario.js', 'load/run.js', 'transport/target.js', 'embedded/target.js', 'auth/tokens.js'].map(lib));
    const { plan, profile } = readLoadScenario(${JSON.stringify(join(root, 'scenarios', 'load', 'assa-limits.yaml'))});
    const url = ${JSON.stringify(url ?? null)};
    const timers = { pingInterval: ${LIMITS_PING_MS}, pongTimeout: ${2 * LIMITS_PING_MS} };
    // Without a URL, the reference server in this process, as the command line starts it.
    const t = loadTimeline(plan, profile, { timers });
    const target = url ? urlTarget(url) : await startEmbeddedTarget({ profiles: ['assa'], signingKey: resolveSigningKey(), timers: t.timers, limits: { ...t.limits, maxConnections: plan.clients + 100 } });
    const report = await runLoad({ plan, profile, target, timers });
    await target.close();
    process.stdout.write(JSON.stringify({ peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), workers: report.options.workers,
      verdicts: report.cases.map((c) => c.verdict).join(' '), exitCode: report.summary.exitCode }) + '\\n');
    process.exit(0);`;
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    return await firstLine(c, 180_000);
  } finally {
    await stop(c);
  }
}

async function limits(barePeakMb: number | undefined): Promise<void> {
  const server = await startServer(CLIENTS + 100, LIMITS_PING_MS);
  let external: Awaited<ReturnType<typeof limitsRun>>;
  try {
    external = await limitsRun(server.urls.assaTcp);
  } finally {
    await stop(server.child);
  }
  const embedded = await limitsRun(undefined);
  console.log('');
  console.log(`limits scenario at 1,000 clients (scenarios/load/assa-limits.yaml, PING every ${LIMITS_PING_MS / 1000} s, built code, default workers):`);
  console.log(`  engine alone, server in another process: peak RSS ${external.peakRssMb} MB (workers ${external.workers}; cases ${external.verdicts}; exit ${external.exitCode})`);
  console.log(`  engine and the embedded reference server in one process (the default): peak RSS ${embedded.peakRssMb} MB (workers ${embedded.workers}; cases ${embedded.verdicts}; exit ${embedded.exitCode})`);
  if (barePeakMb !== undefined) console.log(`  bare ws loop, ${CLIENTS} clients (its median above): peak RSS ${barePeakMb} MB`);
  const worst = Math.max(external.peakRssMb, embedded.peakRssMb);
  console.log(`memory goal for the limits run (peak RSS < 200 MB at 1,000 clients): ${worst < 200 ? 'met' : 'NOT met'} (highest ${worst} MB)`);
}

async function cpuRounds(): Promise<number> {
  interface Round { load: string; bare: Measured; engine: Measured }
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const load = loadAverage();
    const got: Partial<Record<'bare' | 'engine', Measured>> = {};
    for (const v of ['bare', 'engine'] as const) {
      const server = await startServer(CLIENTS + 10);
      try {
        got[v] = await variant(v, server.urls.assaWs);
      } finally {
        await stop(server.child);
      }
      const m = got[v]!;
      console.log(`  round ${r + 1} ${v.padEnd(6)} CPU s/10k round trips ${m.cpuSecondsPer10k.toFixed(3)}  round trips ${m.roundTrips}  peak RSS ${m.peakRssMb} MB  (${m.note ?? ''})`);
    }
    rounds.push({ load, bare: got.bare!, engine: got.engine! });
    console.log(`  round ${r + 1} ratio ${(got.engine!.cpuSecondsPer10k / got.bare!.cpuSecondsPer10k).toFixed(2)}x  (load average at start ${load})`);
  }
  const ratios = rounds.map((r) => r.engine.cpuSecondsPer10k / r.bare.cpuSecondsPer10k);
  const med = median(ratios);
  console.log('');
  const userRatios = rounds.map((r) => r.engine.userSecondsPer10k / r.bare.userSecondsPer10k);
  console.log('| round | load avg (1/5/15 min) | bare ws loop CPU s / 10k RT | engine CPU s / 10k RT | ratio | user-only ratio | bare peak RSS | engine peak RSS |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  rounds.forEach((r, i) => console.log(`| ${i + 1} | ${r.load} | ${r.bare.cpuSecondsPer10k.toFixed(3)} | ${r.engine.cpuSecondsPer10k.toFixed(3)} | ${ratios[i]!.toFixed(2)}x | ${userRatios[i]!.toFixed(2)}x | ${r.bare.peakRssMb} MB | ${r.engine.peakRssMb} MB |`));
  console.log(`| median | | ${median(rounds.map((r) => r.bare.cpuSecondsPer10k)).toFixed(3)} | ${median(rounds.map((r) => r.engine.cpuSecondsPer10k)).toFixed(3)} | ${med.toFixed(2)}x | ${median(userRatios).toFixed(2)}x | ${median(rounds.map((r) => r.bare.peakRssMb))} MB | ${median(rounds.map((r) => r.engine.peakRssMb))} MB |`);
  const peak = Math.max(...rounds.map((r) => r.engine.peakRssMb));
  console.log('');
  console.log(`CPU goal (median ratio <= 1.5x, validation on): ${med <= 1.5 ? 'met' : 'NOT met'} at ${med.toFixed(2)}x (rounds ${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x)`);
  console.log(`memory goal (engine peak RSS < 200 MB for ${CLIENTS} clients): ${peak < 200 ? 'met' : 'NOT met'} (highest ${peak} MB)`);
  return median(rounds.map((r) => r.bare.peakRssMb));
}

async function idle(): Promise<void> {
  const perServer = Math.ceil(IDLE / 2) + 100;
  const servers = await Promise.all([startServer(perServer, IDLE_PING_MS), startServer(perServer, IDLE_PING_MS)]);
  try {
    // stdin closed and stderr shared: the child's own fds are stdio, node's and its sockets.
    const c = childAtFdLimit(['--role', 'idle', '--urls', servers.map((s) => s.urls.assaWs).join(','), '--idle', String(IDLE), '--idle-hold', String(IDLE_HOLD)], ['--expose-gc']);
    const r = await firstLine<IdleResult>(c, 600_000).finally(() => stop(c));
    console.log('');
    console.log(`idle connections, one engine process (authenticated, answering PING every ${IDLE_PING_MS / 1000} s, held ${IDLE_HOLD} s):`);
    console.log(`  RLIMIT_NOFILE ${r.fdSoft} soft / ${r.fdHard} hard; fds open before connecting ${r.fdsBefore}; while holding ${r.fdsHolding}`);
    console.log(`  requested ${r.requested}, attempted ${r.attempted}, held ${r.held} (drops ${r.drops}, connect errors ${r.connectErrors}); PINGs answered during the hold ${r.pingsAnswered} (>= ${r.minPingsPerConnection} per connection expected: ${r.pingsAnswered >= r.held * r.minPingsPerConnection ? 'yes' : 'NO'})`);
    console.log(`  memory: RSS ${r.rssBaseMb} MB before connecting, ${r.rssHoldMb} MB holding; ${(r.bytesPerConnection / 1024).toFixed(1)} KiB RSS and ${(r.heapBytesPerConnection / 1024).toFixed(1)} KiB JS heap per idle connection`);
    console.log(`  goal >= 20,000: ${r.held >= 20_000 ? 'met' : 'NOT met'}; stopped by: ${r.stoppedBy}${r.stoppedBy === 'fd limit' ? ' (not the engine)' : ''}. ${r.detail}`);
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
  }
}

async function main(): Promise<void> {
  const str = (name: string): string => process.argv[process.argv.indexOf(`--${name}`) + 1] ?? '';
  if (process.argv.includes('--role')) {
    const role = str('role');
    if (role === 'server') return serverRole(arg('max', 1000), arg('ping', 30_000));
    const out = role === 'engine' ? await engineRole(str('url'))
      : role === 'bare' ? await bareRole(str('url'))
      : await idleRole(str('urls').split(','), IDLE, IDLE_HOLD);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(0);
  }
  const cores = availableParallelism();
  const started = performance.now();
  console.log(`bench/load ${new Date().toISOString()}: ${CLIENTS} clients, rooms of ${ROOM}, 1 msg/s each, ${SECONDS} s measured per side, ${ROUNDS} alternating rounds, ${cores} cores, node ${process.version}, load average ${loadAverage()}`);
  const barePeak = process.argv.includes('--no-cpu') ? undefined : await cpuRounds();
  if (!process.argv.includes('--no-limits')) await limits(barePeak);
  if (!process.argv.includes('--no-idle')) await idle();
  console.log('');
  console.log(`done in ${Math.round((performance.now() - started) / 1000)} s; load average ${loadAverage()}`);
}

await main();
