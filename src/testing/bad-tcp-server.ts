/**
 * A newline-delimited (or length-prefixed) TCP server on 127.0.0.1 port 0 that commits one chosen
 * fault, for transport and probe tests. With fault `none` it greets with one JSON line and echoes.
 */
import net from 'node:net';
import { listenOnLoopback } from './loopback-listen.js';
import { FLOOD_BYTES, flood } from './bad-ws-server.js';

export type TcpFault =
  | 'none'
  | 'silent'
  | 'invalid-utf8'
  | 'bare-cr'
  | 'bare-cr-then-lf'
  | 'not-json'
  | 'not-object'
  | 'reset-mid-message'
  | 'reset'
  | 'never-close'
  | 'flood'
  | 'lp-none'
  | 'lp-flood'
  | 'lp-not-msgpack';

export const TCP_GREETING = '{"action":"HELLO"}';

function lp(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

export interface BadTcpServer {
  readonly port: number;
  /** tcp:// (or tcp+lp:// for the lp-* faults) URL of the server. */
  readonly url: string;
  fault: TcpFault;
  close(): Promise<void>;
}

export async function startBadTcpServer(initial: TcpFault): Promise<BadTcpServer> {
  const state = { fault: initial };
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const fault = state.fault;
    // Well-behaved servers close when the client does; `never-close` keeps its half open.
    s.on('end', () => {
      if (fault !== 'never-close') s.end();
    });
    switch (fault) {
      case 'none':
      case 'never-close':
        s.write(`${TCP_GREETING}\n`);
        s.pipe(s, { end: false });
        return;
      case 'silent':
        return;
      case 'invalid-utf8':
        s.write(Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
        return;
      case 'bare-cr':
        s.write(`${TCP_GREETING}\r{"action":"SECOND"}\r`);
        return;
      case 'bare-cr-then-lf':
        s.write(`${TCP_GREETING}\r{"action":"SECOND"}\n`);
        return;
      case 'not-json':
        s.write('HELLO THERE\n');
        return;
      case 'not-object':
        s.write('"just a string"\n');
        return;
      case 'reset-mid-message':
        s.write('{"action":"HEL', () => setTimeout(() => s.resetAndDestroy(), 20));
        return;
      case 'reset':
        s.write(`${TCP_GREETING}\n`, () => setTimeout(() => s.resetAndDestroy(), 20));
        return;
      case 'flood':
        flood(s, FLOOD_BYTES);
        return;
      case 'lp-none':
        s.write(lp(Buffer.from(TCP_GREETING)));
        s.pipe(s, { end: false });
        return;
      case 'lp-flood': {
        const head = Buffer.alloc(4);
        head.writeUInt32BE(FLOOD_BYTES, 0);
        s.write(head);
        flood(s, FLOOD_BYTES);
        return;
      }
      case 'lp-not-msgpack':
        s.write(lp(Buffer.from([0xc1])));
        return;
    }
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    get url() {
      return `${state.fault.startsWith('lp-') ? 'tcp+lp' : 'tcp'}://127.0.0.1:${port}`;
    },
    get fault() {
      return state.fault;
    },
    set fault(f: TcpFault) {
      state.fault = f;
    },
    close,
  };
}
