/**
 * The lenient WebSocket transport (`--lenient`): our own handshake (with header-case retries) and
 * our own frame reader below the application, carrying on through the recoverable violations
 * (RSV bits with no extension, non-minimal lengths, a server that needs one exact header case) and
 * recording each as a non-strict diagnostic. Unrecoverable faults still close the connection.
 */
import { isUtf8 } from 'node:buffer';
import type net from 'node:net';
import type { Codec } from '../codec/index.js';
import { isCcError } from '../errors.js';
import { BaseConnection } from './connection-base.js';
import { diagnosticOf } from './connect-errors.js';
import { wireDiagnostic, type WireCode } from './diagnostics.js';
import { FrameReader, type Frame } from './frame-reader.js';
import { OPCODE, closePayload, encodeClientFrame, isValidCloseCode } from './frame-writer.js';
import { HEADER_CASINGS, describeCasing, rawHandshake, type HandshakeResult } from './ws-handshake.js';
import type { Target } from './target.js';
import type { CloseResult, ConnectOptions, Diagnostic, HandshakeInfo } from './types.js';

/** Close code we send for a fault, by diagnostic (§7.4.1). */
function closeCodeFor(code: WireCode): number {
  if (code === 'CC_WIRE_OVERSIZED') return 1009;
  if (code === 'CC_WIRE_INVALID_UTF8') return 1007;
  return 1002;
}

export class LenientWsConnection extends BaseConnection {
  readonly handshake: HandshakeInfo;
  private readonly socket: net.Socket;
  private readonly reader: FrameReader;
  private fragments: Buffer[] = [];
  private fragmentOpcode = 0;
  private closeSent = false;
  private closeReceived: { code?: number; reason: string } | undefined;
  private pongWaiters: ((answered: boolean) => void)[] = [];
  private linger: NodeJS.Timeout | undefined;

  constructor(target: Target, codec: Codec, options: ConnectOptions, hs: HandshakeResult, preamble: Diagnostic[]) {
    super(target.href, target.scheme, codec, { ...options, lenient: true });
    this.socket = hs.socket;
    this.handshake = hs.info;
    this.protocol = hs.protocol;
    this.extensions = hs.extensions;
    for (const d of preamble) this.report(d);
    this.reader = new FrameReader({
      mode: 'deliver',
      maxPayload: options.maxInboundBytes,
      onFrame: (f) => this.onFrame(f),
      onViolation: (code, message, detail, fatal) => {
        this.report(wireDiagnostic(code, message, detail, { lenient: true }));
        if (fatal) this.abort(closeCodeFor(code));
      },
    });
    this.socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => this.onSocketClose());
    // The first frames may have arrived together with the handshake reply.
    if (hs.head.length > 0) this.reader.push(hs.head);
  }

  private onFrame(f: Frame): void {
    switch (f.opcode) {
      case OPCODE.text:
      case OPCODE.binary:
        if (!f.fin) {
          this.fragmentOpcode = f.opcode;
          this.fragments = [f.payload];
          return;
        }
        this.message(f.opcode, f.payload);
        return;
      case OPCODE.continuation:
        this.fragments.push(f.payload);
        if (f.fin) {
          const payload = Buffer.concat(this.fragments);
          this.fragments = [];
          this.message(this.fragmentOpcode, payload);
        }
        return;
      case OPCODE.ping:
        if (!this.closeSent) this.socket.write(encodeClientFrame(OPCODE.pong, f.payload));
        return;
      case OPCODE.pong:
        for (const w of this.pongWaiters.splice(0)) w(true);
        return;
      case OPCODE.close:
        this.onCloseFrame(f.payload);
        return;
    }
  }

  private message(opcode: number, payload: Buffer): void {
    if (opcode === OPCODE.text && !isUtf8(payload)) {
      this.report(wireDiagnostic('CC_WIRE_INVALID_UTF8', 'a text message is not valid UTF-8', { bytes: payload.length }));
      this.abort(1007);
      return;
    }
    this.deliver(payload);
  }

  private onCloseFrame(payload: Buffer): void {
    let code: number | undefined;
    let reason = '';
    if (payload.length === 1) {
      this.report(wireDiagnostic('CC_WIRE_INVALID_CLOSE_CODE', 'the close frame has a 1-byte payload', { bytes: 1 }));
    } else if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      const r = payload.subarray(2);
      if (!isValidCloseCode(code)) this.report(wireDiagnostic('CC_WIRE_INVALID_CLOSE_CODE', `the close frame carries code ${code}`, { closeCode: code }));
      if (!isUtf8(r)) this.report(wireDiagnostic('CC_WIRE_INVALID_UTF8', 'the close reason is not valid UTF-8', { bytes: r.length }));
      else reason = r.toString('utf8');
    }
    this.closeReceived = { reason, ...(code !== undefined ? { code } : {}) };
    if (!this.closeSent) {
      this.closeSent = true;
      const echo = code !== undefined && isValidCloseCode(code) ? code : code === undefined && payload.length === 0 ? undefined : 1002;
      this.socket.write(encodeClientFrame(OPCODE.close, closePayload(echo)));
    }
    // The server closes TCP first (§7.1.1); give it the close deadline, then end it ourselves.
    this.socket.end();
    this.lingerThenDestroy();
  }

  /** Sends a close for a fault and tears down. */
  private abort(code: number): void {
    if (!this.closeSent && !this.socket.destroyed) {
      this.closeSent = true;
      this.socket.write(encodeClientFrame(OPCODE.close, closePayload(code)));
    }
    this.socket.end();
    this.lingerThenDestroy();
  }

  private lingerThenDestroy(): void {
    if (this.linger) return;
    this.linger = setTimeout(() => this.socket.destroy(), this.closeTimeout);
  }

  private onSocketClose(): void {
    clearTimeout(this.linger);
    if (!this.closeReceived && !this.weClosed && !this.hasFailure()) {
      if (this.reader.midMessage()) this.report(wireDiagnostic('CC_WIRE_RESET_MID_MESSAGE', undefined, this.reader.position()));
      else this.report(wireDiagnostic('CC_WIRE_NO_CLOSE_FRAME'));
    }
    const clean = this.closeReceived !== undefined;
    const code = this.closeReceived ? this.closeReceived.code ?? 1005 : 1006;
    const reason = this.closeReceived?.reason ?? '';
    this.settleClose({ code, reason, clean });
    for (const w of this.pongWaiters.splice(0)) w(false);
  }

  protected write(data: string | Uint8Array): Promise<void> {
    if (this.closeSent || this.socket.destroyed) return Promise.reject(this.closedError('send'));
    const binary = typeof data !== 'string';
    this.socket.write(encodeClientFrame(binary ? OPCODE.binary : OPCODE.text, binary ? data : Buffer.from(data)));
    return this.drained(this.socket);
  }

  sendBytes(data: Uint8Array): Promise<void> {
    if (this.socket.destroyed) return Promise.reject(this.closedError('send'));
    this.socket.write(data);
    return this.drained(this.socket);
  }

  ping(timeoutMs: number): Promise<number | undefined> {
    if (this.closeSent || this.socket.destroyed) return Promise.resolve(undefined);
    const start = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pongWaiters = this.pongWaiters.filter((w) => w !== onPong);
        resolve(undefined);
      }, timeoutMs);
      const onPong = (answered: boolean): void => {
        clearTimeout(timer);
        resolve(answered ? performance.now() - start : undefined);
      };
      this.pongWaiters.push(onPong);
      this.socket.write(encodeClientFrame(OPCODE.ping, Buffer.alloc(0)));
    });
  }

  close(code = 1000, reason = '', timeoutMs = this.closeTimeout): Promise<CloseResult> {
    const start = (): void => {
      if (this.closeSent) return;
      this.closeSent = true;
      this.socket.write(encodeClientFrame(OPCODE.close, closePayload(code, reason)));
    };
    return this.closeWithin(timeoutMs, 'the close handshake did not complete', start, () => this.socket.destroy(), { code: 1006, clean: false });
  }

  destroy(): void {
    this.weClosed = true;
    this.socket.destroy();
    this.finish(false);
  }
}

/** Faults of a handshake that another spelling of the Upgrade header might avoid. */
const CASE_SENSITIVE_SUSPECTS = new Set(['CC_WIRE_HANDSHAKE_STATUS', 'CC_WIRE_HANDSHAKE_CLOSED', 'CC_WIRE_HANDSHAKE_TIMEOUT', 'CC_WIRE_HANDSHAKE_UPGRADE']);

/**
 * Handshakes with the standard header spelling, then (when the refusal could be about letter case)
 * with each other spelling; the first that works is used and reported as CC_WIRE_HEADER_CASE.
 * Rejects with the standard attempt's error when none works.
 */
export async function handshakeWithCasings(target: Target, options: ConnectOptions, refusedStandard?: unknown): Promise<{ hs: HandshakeResult; preamble: Diagnostic[] }> {
  let first: unknown = refusedStandard;
  for (const [i, casing] of HEADER_CASINGS.entries()) {
    // The caller already saw the standard spelling refused (the probe, after ws): skip it.
    if (i === 0 && refusedStandard !== undefined) continue;
    try {
      const hs = await rawHandshake(target, options, casing);
      if (i === 0) return { hs, preamble: [] };
      const refused = diagnosticOf(first);
      const d = wireDiagnostic('CC_WIRE_HEADER_CASE', `the server refused the standard handshake (${refused?.code ?? 'error'}) but accepted "${describeCasing(casing)}"`, {
        worked: describeCasing(casing), refusedWith: refused?.code, standard: describeCasing(HEADER_CASINGS[0] as (typeof HEADER_CASINGS)[number]),
      }, { lenient: options.lenient === true });
      return { hs, preamble: [d] };
    } catch (err) {
      if (i === 0) first = err;
      const code = diagnosticOf(err)?.code;
      if (!isCcError(err) || err.code !== 'CC_ERR_HANDSHAKE' || !code || !CASE_SENSITIVE_SUSPECTS.has(code)) {
        if (i === 0) throw err;
      }
    }
  }
  throw first;
}

export async function connectLenientWs(target: Target, options: ConnectOptions, codec: Codec, refusedStandard?: unknown): Promise<LenientWsConnection> {
  const { hs, preamble } = await handshakeWithCasings(target, options, refusedStandard);
  return new LenientWsConnection(target, codec, options, hs, preamble);
}
