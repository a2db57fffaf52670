/**
 * Well-behaved servers for transport tests and benchmarks, on 127.0.0.1 port 0: a ws echo server
 * and a TCP echo server (echoes bytes as they come, so any framing round-trips).
 */
import net from 'node:net';
import { listenOnLoopback } from './loopback-listen.js';
import { WebSocketServer } from 'ws';

export interface RunningServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startWsEchoServer(opts: { greeting?: unknown; protocols?: string[] } = {}): Promise<RunningServer> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    handleProtocols: (offered) => opts.protocols?.find((p) => offered.has(p)) ?? false,
  });
  wss.on('connection', (ws) => {
    if (opts.greeting !== undefined) ws.send(JSON.stringify(opts.greeting));
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const port = (wss.address() as net.AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}

export async function startTcpEchoServer(opts: { greeting?: string | Buffer; scheme?: 'tcp' | 'tcp+lp' } = {}): Promise<RunningServer> {
  const server = net.createServer((s) => {
    if (opts.greeting !== undefined) s.write(opts.greeting);
    s.pipe(s);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    url: `${opts.scheme ?? 'tcp'}://127.0.0.1:${port}`,
    close,
  };
}
