/**
 * Per-message CPU cost of the transport layer against a bare ws client and a bare net socket,
 * measured in the same run against the same echo servers (in a child process, so
 * process.cpuUsage() counts the client only). Closed loop with a window of in-flight messages;
 * every reply is parsed as JSON in every variant. Bounded: fixed message counts and a wall-clock cap.
 *
 *   npx tsx bench/transport.ts [--messages 20000] [--runs 5] [--window 16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { connect } from '../src/transport/connect.js';
import type { Connection } from '../src/transport/types.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const MESSAGES = arg('messages', 20_000);
const RUNS = arg('runs', 5);
const WINDOW = arg('window', 16);
const WARMUP = Math.min(2000, MESSAGES);
/** Wall-clock cap of one measured run, so a stuck variant cannot hold the bench forever. */
const RUN_CAP_MS = 20_000;

const MESSAGE = {
  action: 'SEND_MESSAGE',
  data: { room_id: 42, message_type: 'text', content: 'hello, this is a chat message of ordinary length 🙂' },
  timestamp: '2026-11-22T04:00:00.000Z',
  seq_id: 'bench-000001',
  user_id: 7,
  session_id: 'sess-abcdef',
};

const ECHO_SERVERS = `
const net = require('node:net');
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (d, bin) => ws.send(d, { binary: bin })));
const tcp = net.createServer((s) => { s.setNoDelay(true); s.on('error', () => {}); s.pipe(s); });
wss.on('listening', () => tcp.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ ws: wss.address().port, tcp: tcp.address().port }) + '\\n');
}));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

async function startEchoProcess(): Promise<{ child: ChildProcess; ws: number; tcp: number }> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, ['-e', ECHO_SERVERS], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await new Promise<{ ws: number; tcp: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('echo server did not start within 10 s')), 10_000);
    child.stdout?.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(JSON.parse(d.toString()) as { ws: number; tcp: number });
    });
  });
  return { child, ...ports };
}

/** One client under test: starts the loop, calls `onReply` per parsed reply. */
interface Client {
  send(): void;
  setOnReply(cb: () => void): void;
  close(): Promise<void>;
}

async function bareWs(port: number): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let onReply = (): void => undefined;
  ws.on('message', (data: Buffer) => {
    JSON.parse(data.toString());
    onReply();
  });
  return {
    send: () => ws.send(JSON.stringify(MESSAGE)),
    setOnReply: (cb) => (onReply = cb),
    close: () => new Promise((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    }),
  };
}

async function bareNet(port: number): Promise<Client> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  let onReply = (): void => undefined;
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    let text = rest + chunk;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      JSON.parse(text.slice(0, nl));
      onReply();
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    rest = text;
  });
  return {
    send: () => void socket.write(`${JSON.stringify(MESSAGE)}\n`),
    setOnReply: (cb) => (onReply = cb),
    close: async () => void socket.destroy(),
  };
}

async function ours(url: string, opts: { record?: boolean; lenient?: boolean } = {}): Promise<Client> {
  const conn: Connection = await connect({ url, codec: 'json', connectTimeout: 5000, maxInboundBytes: 1 << 20, record: opts.record ?? false, lenient: opts.lenient ?? false });
  let onReply = (): void => undefined;
  conn.setListener((e) => {
    if (e.kind === 'message') onReply();
  });
  return {
    send: () => void conn.send(MESSAGE),
    setOnReply: (cb) => (onReply = cb),
    close: async () => conn.destroy(),
  };
}

/** Runs `count` round trips with WINDOW in flight; resolves the CPU µs used. */
function loop(client: Client, count: number): Promise<{ cpuUs: number; wallMs: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    const start = process.cpuUsage();
    const t0 = performance.now();
    const cap = setTimeout(() => reject(new Error(`run exceeded ${RUN_CAP_MS} ms (${received}/${count})`)), RUN_CAP_MS);
    client.setOnReply(() => {
      received++;
      if (sent < count) {
        sent++;
        client.send();
      } else if (received === count) {
        clearTimeout(cap);
        const used = process.cpuUsage(start);
        resolve({ cpuUs: used.user + used.system, wallMs: performance.now() - t0 });
      }
    });
    for (; sent < Math.min(WINDOW, count); sent++) client.send();
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const echo = await startEchoProcess();
  const variants: { name: string; peer: string; make: () => Promise<Client> }[] = [
    { name: 'bare ws client', peer: 'bare ws client', make: () => bareWs(echo.ws) },
    { name: 'transport ws:// (strict, no transcript)', peer: 'bare ws client', make: () => ours(`ws://127.0.0.1:${echo.ws}/`) },
    { name: 'transport ws:// (strict, transcript)', peer: 'bare ws client', make: () => ours(`ws://127.0.0.1:${echo.ws}/`, { record: true }) },
    { name: 'transport ws:// (lenient reader)', peer: 'bare ws client', make: () => ours(`ws://127.0.0.1:${echo.ws}/`, { lenient: true }) },
    { name: 'bare net socket (NDJSON)', peer: 'bare net socket (NDJSON)', make: () => bareNet(echo.tcp) },
    { name: 'transport tcp:// (no transcript)', peer: 'bare net socket (NDJSON)', make: () => ours(`tcp://127.0.0.1:${echo.tcp}`) },
    { name: 'transport tcp:// (transcript)', peer: 'bare net socket (NDJSON)', make: () => ours(`tcp://127.0.0.1:${echo.tcp}`, { record: true }) },
  ];
  const samples = new Map<string, { cpu: number[]; rate: number[] }>(variants.map((v) => [v.name, { cpu: [], rate: [] }]));
  try {
    // Interleave runs so drift in the machine's load affects every variant alike.
    for (let run = 0; run < RUNS; run++) {
      for (const v of variants) {
        const client = await v.make();
        await loop(client, WARMUP);
        const { cpuUs, wallMs } = await loop(client, MESSAGES);
        await client.close();
        const s = samples.get(v.name) as { cpu: number[]; rate: number[] };
        s.cpu.push(cpuUs / MESSAGES);
        s.rate.push(MESSAGES / (wallMs / 1000));
      }
    }
  } finally {
    echo.child.stdin?.end();
    echo.child.kill();
  }
  const width = Math.max(...variants.map((v) => v.name.length)) + 2;
  console.log(`transport bench: ${MESSAGES} round trips × ${RUNS} runs, window ${WINDOW}, ${JSON.stringify(MESSAGE).length}-byte JSON, echo server in a child process; medians`);
  console.log(`${'variant'.padEnd(width)}${'CPU µs/msg'.padStart(12)}${'vs peer'.padStart(10)}${'round trips/s'.padStart(16)}`);
  for (const v of variants) {
    const s = samples.get(v.name) as { cpu: number[]; rate: number[] };
    const peer = samples.get(v.peer) as { cpu: number[]; rate: number[] };
    const cpu = median(s.cpu);
    console.log(`${v.name.padEnd(width)}${cpu.toFixed(2).padStart(12)}${`${(cpu / median(peer.cpu)).toFixed(2)}x`.padStart(10)}${Math.round(median(s.rate)).toLocaleString('en-US').padStart(16)}`);
  }
}

await main();
