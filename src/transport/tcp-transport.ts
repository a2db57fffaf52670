/**
 * Byte-stream transports: tcp:// (newline-delimited), tcp+lp:// (4-byte big-endian length prefix)
 * and tls:// (TCP over TLS, newline-delimited). The framing decoder bounds what is buffered; the
 * socket is destroyed on every fatal fault, so nothing is left open.
 */
import { isUtf8 } from 'node:buffer';
import type net from 'node:net';
import type { Codec } from '../codec/index.js';
import type { FramingName } from '../profile/types.js';
import { BaseConnection } from './connection-base.js';
import { wireDiagnostic, type WireCode } from './diagnostics.js';
import { LengthPrefixDecoder, encodeLengthPrefixed } from './length-prefix-framing.js';
import { LineDecoder, encodeLine } from './line-framing.js';
import { openSocket } from './socket-open.js';
import type { Target } from './target.js';
import type { CloseResult, ConnectOptions } from './types.js';

export class TcpConnection extends BaseConnection {
  readonly framing: FramingName;
  private readonly decoder: LineDecoder | LengthPrefixDecoder;
  private readonly encode: (payload: string | Uint8Array) => string | Buffer;
  private error: (Error & { code?: string }) | undefined;

  constructor(target: Target, codec: Codec, options: ConnectOptions, private readonly socket: net.Socket) {
    super(target.href, target.scheme, codec, options);
    // tcp+lp:// names its framing; tcp:// and tls:// default to lines unless the profile says otherwise.
    this.framing = target.scheme === 'tcp+lp' ? 'length-prefixed' : options.framing ?? 'ndjson';
    const onViolation = (code: WireCode, message: string, detail: Record<string, unknown>, fatal: boolean): void => {
      this.report(wireDiagnostic(code, message, detail, { lenient: this.lenient }));
      if (fatal) socket.destroy();
    };
    if (this.framing === 'ndjson') {
      this.decoder = new LineDecoder({ maxLineBytes: options.maxInboundBytes, lenient: this.lenient, onViolation, onLine: (line, bareCr) => this.onLine(line, bareCr) });
      this.encode = encodeLine;
    } else {
      this.decoder = new LengthPrefixDecoder({ maxMessageBytes: options.maxInboundBytes, onViolation, onMessage: (p) => this.deliver(p) });
      this.encode = encodeLengthPrefixed;
    }
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', (err: Error & { code?: string }) => (this.error = err));
    socket.on('close', () => this.onClose());
  }

  /** Bytes held of an unfinished inbound message, and a sample of them (newline framing only). */
  inboundPending(sampleBytes = 256): { bytes: number; sample: Buffer } {
    const d = this.decoder;
    return { bytes: d.pendingBytes, sample: d instanceof LineDecoder ? d.pendingSample(sampleBytes) : Buffer.alloc(0) };
  }

  private onLine(line: Buffer, bareCr: boolean): void {
    if (this.codec.binary) {
      this.deliver(line);
      return;
    }
    if (!isUtf8(line)) {
      this.report(wireDiagnostic('CC_WIRE_LINE_INVALID_UTF8', `line ${(this.decoder as LineDecoder).lines} is not valid UTF-8`, { line: (this.decoder as LineDecoder).lines, bytes: line.length }));
      return;
    }
    const text = line.toString('utf8');
    if (bareCr) {
      try {
        JSON.parse(text);
      } catch {
        this.report(wireDiagnostic('CC_WIRE_BARE_CR', 'a line contains a bare \\r: the server seems to end lines with \\r (try --lenient)', { bytes: line.length }));
        return;
      }
    }
    this.deliver(line, text);
  }

  private onClose(): void {
    const err = this.error;
    if (!this.weClosed && !this.decoder.failed) {
      if (this.decoder.pendingBytes > 0) {
        this.report(wireDiagnostic('CC_WIRE_RESET_MID_MESSAGE', `the connection ended with ${this.decoder.pendingBytes} bytes of an unfinished message`, { pendingBytes: this.decoder.pendingBytes, code: err?.code }));
      } else if (err && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
        this.report(wireDiagnostic('CC_WIRE_CONNECTION_RESET', undefined, { code: err.code }));
      }
    }
    const clean = err === undefined && !this.decoder.failed;
    this.settleClose({ clean });
  }

  protected write(data: string | Uint8Array): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.reject(this.closedError('send'));
    this.socket.write(this.encode(data));
    return this.drained(this.socket);
  }

  sendBytes(data: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError('send'));
    this.socket.write(data);
    return this.drained(this.socket);
  }

  /** TCP has no close frame: half-close, then wait for the peer to close its side. */
  close(_code?: number, _reason?: string, timeoutMs = this.closeTimeout): Promise<CloseResult> {
    return this.closeWithin(timeoutMs, 'the server did not close its side after ours', () => this.socket.end(), () => this.socket.destroy(), { clean: false });
  }

  destroy(): void {
    this.weClosed = true;
    this.socket.destroy();
    this.finish(false);
  }
}

/** Opens a tcp://, tcp+lp:// or tls:// connection within the connect deadline. */
export async function connectTcp(target: Target, options: ConnectOptions, codec: Codec): Promise<TcpConnection> {
  return new TcpConnection(target, codec, options, await openSocket(target, options));
}
