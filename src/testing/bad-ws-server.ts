/**
 * A WebSocket server on raw `net` sockets (127.0.0.1, port 0) that commits one chosen fault, for
 * testing that every fault becomes its wire diagnostic and that nothing hangs. With fault `none`
 * it behaves: it greets, echoes, answers pings and closes properly. Set `server.fault` between
 * connections to change what the next connection gets.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { listenOnLoopback } from './loopback-listen.js';

export type WsFault =
  | 'none'
  | 'status-403'
  | 'status-keep-open'
  | 'malformed-reply'
  | 'close-before-reply'
  | 'upgrade-missing'
  | 'wrong-subprotocol'
  | 'unexpected-extension'
  | 'accept-missing'
  | 'accept-wrong'
  | 'no-reply'
  | 'header-case'
  | 'rsv-bits'
  | 'reserved-opcode'
  | 'masked-frame'
  | 'invalid-utf8'
  | 'non-minimal-length'
  | 'continuation-first'
  | 'new-message-inside-fragmented'
  | 'fragmented-control'
  | 'oversized'
  | 'reset-mid-message'
  | 'close-without-frame'
  | 'invalid-close-code'
  | 'not-json'
  | 'not-msgpack'
  | 'not-object'
  | 'no-pong'
  | 'never-close'
  | 'flood'
  | 'seed-002-box'
  | 'non-minimal-with-reply';

export const WS_GREETING = '{"action":"HELLO"}';
/** The only spelling the `header-case` fault accepts (a non-standard one, like seed 002's box). */
export const REQUIRED_UPGRADE_LINE = 'Upgrade: WebSocket';
export const FLOOD_BYTES = 100 * 1024 * 1024;
/** What seed 002's set-top box sent: a status document of a few hundred bytes (16-bit length). */
export const SEED_002_STATUS = JSON.stringify({
  camessage: { reason: 'no message', state: 'unavailable' },
  drmstatus: { state: 'available' },
  entitlements: ['ANALYTICS', 'BIGBASIC', 'HD', 'PDL', 'SKY_DRM_CE', 'SKY_DRM_MR', 'SKY_IPPV', 'GATEWAYENABLER'],
  hdmi: { authenticatedHDCP: '1.x', sinkHDCP: '1.x', sinkHLG: false, sinkUHD: false, state: 'available' },
  schedule: { lastdate: '20181003', state: 'available' },
  swupdate: { reason: 'IDLE', state: 'unavailable' },
}, null, 3);

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** An unmasked server frame with the minimal length encoding. */
export function serverFrame(opcode: number, payload: Buffer | string, opts: { fin?: boolean; rsv?: number; mask?: boolean } = {}): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = body.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const maskBytes = opts.mask ? 4 : 0;
  const out = Buffer.alloc(2 + lenBytes + maskBytes + len);
  out[0] = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  out[1] = (opts.mask ? 0x80 : 0) | (lenBytes === 0 ? len : lenBytes === 2 ? 126 : 127);
  if (lenBytes === 2) out.writeUInt16BE(len, 2);
  if (lenBytes === 8) out.writeBigUInt64BE(BigInt(len), 2);
  const m = 2 + lenBytes;
  const key = [0x12, 0x34, 0x56, 0x78];
  if (opts.mask) for (let i = 0; i < 4; i++) out[m + i] = key[i] as number;
  for (let i = 0; i < len; i++) out[m + maskBytes + i] = (body[i] as number) ^ (opts.mask ? (key[i & 3] as number) : 0);
  return out;
}

function closeFrame(code: number, reason = ''): Buffer {
  const p = Buffer.alloc(2 + Buffer.byteLength(reason));
  p.writeUInt16BE(code, 0);
  p.write(reason, 2);
  return serverFrame(0x8, p);
}

/** Reads the client's masked frames (enough for the well-behaved paths: ping, close, data). */
function clientFrames(onFrame: (opcode: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const opcode = (buf[0] as number) & 0x0f;
      let len = (buf[1] as number) & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const payload = Buffer.alloc(len);
      for (let i = 0; i < len; i++) payload[i] = (buf[off + 4 + i] as number) ^ (mask[i & 3] as number);
      buf = buf.subarray(off + 4 + len);
      onFrame(opcode, payload);
    }
  };
}

/** Writes `total` bytes of filler with backpressure until done or the socket goes away. */
export function flood(socket: net.Socket, total: number, byte = 0x61): void {
  const block = Buffer.alloc(64 * 1024, byte);
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !socket.destroyed) {
      const n = Math.min(block.length, total - sent);
      sent += n;
      if (!socket.write(n === block.length ? block : block.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

export interface BadWsServer {
  readonly port: number;
  readonly url: string;
  fault: WsFault;
  /** Request heads received, in order (to assert what the client sent). */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startBadWsServer(initial: WsFault): Promise<BadWsServer> {
  const requests: string[] = [];
  const state = { fault: initial };

  const afterHandshake = (s: net.Socket, fault: WsFault): void => {
    const onData = clientFrames((opcode, payload) => {
      if (opcode === 0x9 && fault !== 'no-pong' && fault !== 'seed-002-box') s.write(serverFrame(0xa, payload));
      else if (opcode === 0x8 && fault !== 'never-close') {
        s.write(serverFrame(0x8, payload));
        s.end();
      } else if ((opcode === 0x1 || opcode === 0x2) && fault === 'none') s.write(serverFrame(opcode, payload));
    });
    s.on('data', onData);
    switch (fault) {
      case 'none':
      case 'no-pong':
      case 'never-close':
        s.write(serverFrame(0x1, WS_GREETING));
        return;
      case 'seed-002-box':
        // RSV1 set on a text frame, no extension negotiated; pings go unanswered.
        s.write(serverFrame(0x1, SEED_002_STATUS, { rsv: 0x4 }));
        return;
      case 'rsv-bits':
        s.write(serverFrame(0x1, WS_GREETING, { rsv: 0x4 }));
        return;
      case 'reserved-opcode':
        s.write(serverFrame(0x3, WS_GREETING));
        return;
      case 'masked-frame':
        s.write(serverFrame(0x1, WS_GREETING, { mask: true }));
        return;
      case 'invalid-utf8':
        s.write(serverFrame(0x1, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])));
        return;
      case 'non-minimal-length': {
        const body = Buffer.from(WS_GREETING);
        const head = Buffer.from([0x81, 126, 0, body.length]);
        s.write(Buffer.concat([head, body]));
        return;
      }
      case 'continuation-first':
        s.write(serverFrame(0x0, WS_GREETING));
        return;
      case 'new-message-inside-fragmented':
        s.write(Buffer.concat([serverFrame(0x1, '{"a":', { fin: false }), serverFrame(0x1, WS_GREETING)]));
        return;
      case 'fragmented-control':
        s.write(serverFrame(0x9, 'hi', { fin: false }));
        return;
      case 'oversized': {
        // Announce 2 MiB and send a little: the client must refuse from the header alone.
        const head = Buffer.alloc(10);
        head[0] = 0x81;
        head[1] = 127;
        head.writeBigUInt64BE(BigInt(2 * 1024 * 1024), 2);
        s.write(Buffer.concat([head, Buffer.alloc(1024, 0x61)]));
        return;
      }
      case 'flood': {
        const head = Buffer.alloc(10);
        head[0] = 0x81;
        head[1] = 127;
        head.writeBigUInt64BE(BigInt(FLOOD_BYTES), 2);
        s.write(head);
        flood(s, FLOOD_BYTES);
        return;
      }
      case 'reset-mid-message': {
        // A frame announcing 100 bytes, 10 of them sent, then a TCP reset.
        s.write(Buffer.concat([Buffer.from([0x81, 100]), Buffer.from('{"action":')]), () => setTimeout(() => s.resetAndDestroy(), 20));
        return;
      }
      case 'close-without-frame':
        s.end(serverFrame(0x1, WS_GREETING));
        return;
      case 'invalid-close-code':
        s.write(closeFrame(1005));
        return;
      case 'not-json':
        s.write(serverFrame(0x1, 'hello, not json'));
        return;
      case 'not-msgpack':
        s.write(serverFrame(0x2, Buffer.from([0xc1])));
        return;
      case 'not-object':
        s.write(serverFrame(0x1, '[1,2,3]'));
        return;
      default:
        return;
    }
  };

  const server = net.createServer((s) => {
    const fault = state.fault;
    let head = '';
    const onHead = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      s.off('data', onHead);
      const request = head.slice(0, end);
      requests.push(request);
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      const key = /^sec-websocket-key:\s*(.+)$/im.exec(request)?.[1]?.trim() ?? '';
      const accept = createHash('sha1').update(key + GUID).digest('base64');
      const protocol = /^sec-websocket-protocol:\s*([^,\r\n]+)/im.exec(request)?.[1]?.trim();
      const ok = (acceptValue: string | undefined): string =>
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${acceptValue === undefined ? '' : `Sec-WebSocket-Accept: ${acceptValue}\r\n`}${protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : ''}\r\n`;
      switch (fault) {
        case 'no-reply':
          return;
        case 'status-403':
          s.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n\r\nno token, no chat for you\n');
          return;
        case 'status-keep-open':
          // No Content-Length and the connection left open: the client must not wait for the end.
          s.write('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\n\r\nbad token');
          return;
        case 'malformed-reply':
          s.write('SSH-2.0-OpenSSH_9.6\r\n\r\n');
          return;
        case 'close-before-reply':
          s.end();
          return;
        case 'upgrade-missing':
          s.write(ok(accept).replace('Upgrade: websocket\r\n', ''));
          return;
        case 'wrong-subprotocol':
          s.write(ok(accept).replace('\r\n\r\n', '\r\nSec-WebSocket-Protocol: not.offered\r\n\r\n'));
          return;
        case 'unexpected-extension':
          s.write(ok(accept).replace('\r\n\r\n', '\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n'));
          return;
        case 'accept-missing':
          s.write(ok(undefined));
          return;
        case 'accept-wrong':
          s.write(ok('dGhlIHNhbXBsZSBub25jZQ=='));
          return;
        case 'non-minimal-with-reply': {
          // The first frame in the same write as the 101 reply: ws receives it as the upgrade's head.
          const body = Buffer.from(WS_GREETING);
          s.write(Buffer.concat([Buffer.from(ok(accept), 'latin1'), Buffer.from([0x81, 126, 0, body.length]), body]));
          afterHandshake(s, fault);
          return;
        }
        case 'seed-002-box':
          // Answers only the exact spelling `Upgrade: websocket`, and otherwise says nothing at all.
          if (!request.split('\r\n').includes('Upgrade: websocket')) return;
          s.write(ok(accept));
          afterHandshake(s, 'seed-002-box');
          return;
        case 'header-case':
          if (!request.split('\r\n').includes(REQUIRED_UPGRADE_LINE)) {
            s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nBad Request');
            return;
          }
          s.write(ok(accept));
          afterHandshake(s, 'none');
          return;
        default:
          s.write(ok(accept));
          afterHandshake(s, fault);
          if (rest.length > 0) s.emit('data', rest);
      }
    };
    s.on('data', onHead);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    url: `ws://127.0.0.1:${port}/chat`,
    get fault() {
      return state.fault;
    },
    set fault(f: WsFault) {
      state.fault = f;
    },
    requests,
    close,
  };
}
