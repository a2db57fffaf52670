/**
 * A tiny test client for the reference server: NDJSON over TCP, JSON (or MessagePack) over
 * WebSocket. Every wait has a deadline; messages that a wait skips stay queued for later waits.
 */
import net from 'node:net';
import { decode } from '@msgpack/msgpack';
import WebSocket from 'ws';
import { mintToken } from '../../src/auth/jwt.js';
import { checkServerMessage } from './schema-check.js';

export type Msg = Record<string, unknown> & { action?: string; seq_id?: string; data?: Record<string, unknown> };

export interface CloseInfo {
  code?: number;
  reason?: string;
}

export class TestClient {
  private readonly queue: Msg[] = [];
  private waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  private closeWaiters: ((c: CloseInfo) => void)[] = [];
  private closeInfo: CloseInfo | undefined;
  private seq = 0;
  /** Every message received, in order (including those a wait consumed). */
  readonly received: Msg[] = [];

  /** Set to a profile name to validate every received message against its generated schemas. */
  profile: string | undefined;

  constructor(private readonly write: (data: string | Buffer) => void, private readonly end: () => void) {}

  /** @internal */
  push(message: Msg): void {
    this.received.push(message);
    if (this.profile) checkServerMessage(this.profile, message);
    const i = this.waiters.findIndex((w) => w.match(message));
    if (i >= 0) {
      const [w] = this.waiters.splice(i, 1);
      w?.resolve(message);
    } else this.queue.push(message);
  }

  /** @internal */
  ended(info: CloseInfo): void {
    if (this.closeInfo) return;
    this.closeInfo = info;
    for (const w of this.closeWaiters) w(info);
    this.closeWaiters = [];
  }

  get isClosed(): boolean {
    return this.closeInfo !== undefined;
  }

  /** Sends an object as JSON (plus `\n` on TCP), or raw text/bytes exactly as given. */
  send(message: object | string | Buffer): void {
    this.write(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  /** The next message matching `match`, within `timeoutMs`. */
  next(match: (m: Msg) => boolean = () => true, timeoutMs = 2000, what = 'a message'): Promise<Msg> {
    const i = this.queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0] as Msg);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what}; queued: ${JSON.stringify(this.queue.slice(0, 5)).slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** The next message whose action is `action`. */
  nextAction(action: string, timeoutMs = 2000): Promise<Msg> {
    return this.next((m) => m.action === action, timeoutMs, action);
  }

  /** Sends `{action, data, timestamp, seq_id}` and resolves its reply (matched by seq_id). */
  async request(action: string, data?: unknown, timeoutMs = 2000): Promise<Msg> {
    const seqId = `t${++this.seq}`;
    const message: Record<string, unknown> = { action, timestamp: new Date().toISOString(), seq_id: seqId };
    if (data !== undefined) message.data = data;
    this.send(message);
    return this.next((m) => m.seq_id === seqId && m.action !== 'PING', timeoutMs, `the reply to ${action} ${seqId}`);
  }

  /** Resolves if nothing matching arrives within `ms`; rejects with what did arrive. */
  async nothing(ms: number, match: (m: Msg) => boolean = (m) => m.action !== 'PING'): Promise<void> {
    try {
      const m = await this.next(match, ms);
      throw new Error(`expected nothing, got ${JSON.stringify(m).slice(0, 300)}`);
    } catch (err) {
      if ((err as Error).message.startsWith('timed out')) return;
      throw err;
    }
  }

  closed(timeoutMs = 2000): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connection not closed within ${timeoutMs}ms`)), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  close(): void {
    this.end();
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not done within ${ms}ms`)), ms);
    }),
  ]);
}

/** Connects over TCP (`tcp://host:port`), framing messages as NDJSON. */
export async function connectTcp(url: string, timeoutMs = 2000): Promise<TestClient & { socket: net.Socket }> {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port) });
  const client = new TestClient(
    (data) => void socket.write(typeof data === 'string' && !data.endsWith('\n') ? `${data}\n` : data),
    () => socket.destroy(),
  ) as TestClient & { socket: net.Socket };
  client.socket = socket;
  let rest = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      client.push(JSON.parse(line) as Msg);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => client.ended({}));
  await withDeadline(new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  }), timeoutMs, `TCP connect to ${url}`);
  return client;
}

/** Connects over WebSocket; JSON text frames, or MessagePack binary frames with `msgpack`. */
export async function connectWs(url: string, options: { timeoutMs?: number; msgpack?: boolean } = {}): Promise<TestClient & { ws: WebSocket }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const client = new TestClient(
    (data) => ws.send(data, { binary: Buffer.isBuffer(data) }),
    () => ws.terminate(),
  ) as TestClient & { ws: WebSocket };
  client.ws = ws;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    client.push((isBinary && options.msgpack ? decode(data) : JSON.parse(data.toString('utf8'))) as Msg);
  });
  ws.on('error', () => {});
  ws.on('close', (code: number, reason: Buffer) => client.ended({ code, reason: reason.toString() }));
  await withDeadline(new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  }), options.timeoutMs ?? 2000, `WebSocket connect to ${url}`);
  return client;
}

/** Opens an envelope connection as user `id` (the token in the query string), validated against the envelope schemas. */
export async function connectEnvelope(url: string, nickname: string, id: number): Promise<TestClient & { id: number }> {
  const token = mintToken({ claims: { sub: String(id), nickname } });
  const c = (await connectWs(`${url}?token=${token}`)) as unknown as TestClient & { id: number };
  c.profile = 'envelope';
  c.id = id;
  return c;
}

export type AssaTransport = 'tcp' | 'ws';

/** Opens an ASSA connection over the given transport of a server's urls. */
export async function connectAssa(urls: { assaTcp?: string; assaWs?: string }, transport: AssaTransport): Promise<TestClient> {
  const url = transport === 'tcp' ? urls.assaTcp : urls.assaWs;
  if (!url) throw new Error(`the server has no ASSA ${transport} endpoint`);
  const client = transport === 'tcp' ? await connectTcp(url) : await connectWs(url);
  client.profile = 'assa';
  return client;
}

/** Connects and completes CONNECT as user `sub`; throws unless CONNECT_RESPONSE succeeds. */
export async function loginAssa(urls: { assaTcp?: string; assaWs?: string }, transport: AssaTransport, sub: number, nickname = `user${sub}`, claims: Record<string, unknown> = {}): Promise<TestClient> {
  const client = await connectAssa(urls, transport);
  const reply = await client.request('CONNECT', { jwt_token: mintToken({ claims: { sub: String(sub), nickname, ...claims } }) });
  if (reply.success !== true) throw new Error(`CONNECT failed: ${JSON.stringify(reply)}`);
  return client;
}

/** Closes every client in the list; for afterEach. */
export function closeAll(clients: TestClient[]): void {
  for (const c of clients.splice(0)) c.close();
}
