/**
 * What every transport shares: the inbound event queue (listener or `receive()` with a deadline),
 * decoding through the codec, the transcript, the diagnostics list, and backpressure-aware writes.
 * A transport subclass only moves payloads: it calls `deliver()` for each inbound payload,
 * `report()` for each fault, `finish()` once when the socket is gone, and implements `write()`.
 */
import type { Duplex } from 'node:stream';
import { isObjectValue, type Codec } from '../codec/index.js';
import { ccError } from '../errors.js';
import type { TransportScheme } from '../profile/types.js';
import { timeoutDiagnostic, wireDiagnostic } from './diagnostics.js';
import { DEFAULT_TRANSCRIPT_MAX_RECORDS, DEFAULT_TRANSCRIPT_TEXT_LIMIT, TranscriptRecorder } from './transcript.js';
import type { CloseResult, Connection, ConnectOptions, Diagnostic, InboundEvent, WireRecord } from './types.js';

/** Diagnostics kept per connection; a flood of faults must not grow memory without bound. */
const MAX_DIAGNOSTICS = 1000;
export const DEFAULT_SEND_TIMEOUT = 10_000;
export const DEFAULT_CLOSE_TIMEOUT = 5_000;

type Waiter = { resolve: (e: InboundEvent) => void; timer: NodeJS.Timeout };

export abstract class BaseConnection implements Connection {
  protocol = '';
  extensions = '';
  closed = false;
  /** Diagnostics beyond MAX_DIAGNOSTICS that were counted but not kept. */
  droppedDiagnostics = 0;

  protected readonly codec: Codec;
  protected readonly lenient: boolean;
  protected readonly sendTimeout: number;
  /** Default deadline of the close handshake. */
  protected readonly closeTimeout: number;
  protected readonly recorder: TranscriptRecorder | undefined;
  private readonly diags: Diagnostic[] = [];
  private queue: InboundEvent[] = [];
  private queueHead = 0;
  private listener: ((event: InboundEvent) => void) | null = null;
  private waiter: Waiter | null = null;
  private closeEvent: InboundEvent | undefined;
  private closeWaiters: ((r: CloseResult) => void)[] = [];
  /** How the connection ended, once it has. */
  protected closeResult: CloseResult | undefined;
  /** We started the close (or destroyed the socket): an ending without a close frame is ours. */
  protected weClosed = false;

  constructor(
    readonly url: string,
    readonly scheme: TransportScheme,
    codec: Codec,
    options: ConnectOptions,
  ) {
    this.codec = codec;
    this.lenient = options.lenient === true;
    this.sendTimeout = options.sendTimeout ?? DEFAULT_SEND_TIMEOUT;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.recorder = options.record === false ? undefined
      : new TranscriptRecorder(options.transcriptTextLimit ?? DEFAULT_TRANSCRIPT_TEXT_LIMIT, options.transcriptMaxRecords ?? DEFAULT_TRANSCRIPT_MAX_RECORDS);
  }

  get transcript(): readonly WireRecord[] {
    return this.recorder ? this.recorder.records() : [];
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.diags;
  }

  setListener(listener: ((event: InboundEvent) => void) | null): void {
    this.listener = listener;
    if (!listener) return;
    // Deliver what queued up before the listener was set, in order. The listener may unset itself.
    while (this.queueHead < this.queue.length && this.listener === listener) {
      const event = this.queue[this.queueHead++] as InboundEvent;
      listener(event);
    }
    this.compactQueue();
  }

  receive(timeoutMs: number, awaiting: string): Promise<InboundEvent> {
    if (this.listener) return Promise.reject(new Error('receive() is not usable while a listener is set'));
    if (this.waiter) return Promise.reject(new Error('receive() is already waiting; await it first'));
    if (this.queueHead < this.queue.length) {
      const event = this.queue[this.queueHead++] as InboundEvent;
      this.compactQueue();
      return Promise.resolve(event);
    }
    // After the close event has been taken, every further wait answers the close at once.
    if (this.closeEvent) return Promise.resolve(this.closeEvent);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        // Returned, not recorded: only the caller knows whether silence was what it expected.
        resolve({ kind: 'diagnostic', diagnostic: timeoutDiagnostic(awaiting, timeoutMs) });
      }, timeoutMs);
      this.waiter = { resolve, timer };
    });
  }

  send(value: unknown): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError('send'));
    let payload: string | Uint8Array;
    try {
      payload = this.codec.encode(value);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.sendRaw(payload);
  }

  sendRaw(data: string | Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError('send'));
    if (this.recorder) {
      if (typeof data === 'string') this.recorder.record('out', Buffer.byteLength(data), data);
      else this.recorder.record('out', data.byteLength, this.codec.render(data, this.recorder.textLimit));
    }
    return this.write(data);
  }

  abstract close(code?: number, reason?: string, timeoutMs?: number): Promise<CloseResult>;
  abstract destroy(): void;
  /** Frames and writes one payload; resolves once written or drained (see `drained()`). */
  protected abstract write(data: string | Uint8Array): Promise<void>;

  /** Decodes one inbound payload and emits it (or the fault it is). `text` is its UTF-8 text if already made. */
  protected deliver(payload: Uint8Array, text?: string): void {
    const result = text !== undefined && !this.codec.binary ? this.decodeText(text) : this.codec.decode(payload);
    if (this.recorder) {
      const rendering = result.ok && result.text !== undefined ? result.text : this.codec.render(payload, this.recorder.textLimit);
      this.recorder.record('in', payload.byteLength, rendering);
    }
    const at = performance.now();
    if (!result.ok) {
      this.report(wireDiagnostic(result.code, `${result.code === 'CC_WIRE_NOT_JSON' ? 'payload is not JSON' : 'payload is not MessagePack'}: ${result.reason}`, { bytes: payload.byteLength }));
      return;
    }
    if (!isObjectValue(result.value)) {
      const kind = result.value === null ? 'null' : Array.isArray(result.value) ? 'array' : typeof result.value;
      this.report(wireDiagnostic('CC_WIRE_NOT_OBJECT', `a message decoded to ${kind}, not an object`, { kind }));
    }
    this.emit({ kind: 'message', value: result.value, bytes: payload.byteLength, at });
  }

  private decodeText(text: string): ReturnType<Codec['decode']> {
    try {
      return { ok: true, value: JSON.parse(text), text };
    } catch (err) {
      return { ok: false, code: 'CC_WIRE_NOT_JSON', reason: (err as Error).message };
    }
  }

  /** Records a diagnostic and emits it as an event. */
  protected report(diagnostic: Diagnostic): void {
    this.keep(diagnostic);
    this.emit({ kind: 'diagnostic', diagnostic });
  }

  /** True when a fail diagnostic has already been recorded (so a close is explained). */
  protected hasFailure(): boolean {
    return this.diags.some((d) => d.severity === 'fail');
  }

  private keep(diagnostic: Diagnostic): void {
    if (this.diags.length < MAX_DIAGNOSTICS) this.diags.push(diagnostic);
    else this.droppedDiagnostics++;
  }

  /** Records how the connection ended, emits the close event, and answers pending `close()` calls. */
  protected settleClose(result: CloseResult): void {
    if (this.closeResult) return;
    this.closeResult = result;
    this.finish(result.clean, result.code, result.reason);
    for (const w of this.closeWaiters.splice(0)) w(result);
  }

  /**
   * The close handshake with a deadline: `start` begins it; the transport calls `settleClose()`
   * when the socket is gone. At the deadline: CC_WIRE_CLOSE_TIMEOUT, `teardown()`, and `timedOut`.
   */
  protected closeWithin(timeoutMs: number, what: string, start: () => void, teardown: () => void, timedOut: CloseResult): Promise<CloseResult> {
    if (this.closeResult) return Promise.resolve(this.closeResult);
    this.weClosed = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.report(wireDiagnostic('CC_WIRE_CLOSE_TIMEOUT', `${what} within ${timeoutMs} ms`, { timeoutMs }));
        teardown();
        resolve(timedOut);
      }, timeoutMs);
      this.closeWaiters.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
      try {
        start();
      } catch (err) {
        // e.g. an invalid close code or an over-long reason: tear down instead.
        clearTimeout(timer);
        teardown();
        resolve({ ...timedOut, reason: (err as Error).message });
      }
    });
  }

  /** Emits the close event once. */
  protected finish(clean: boolean, code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    const event: InboundEvent = { kind: 'close', clean, at: performance.now() };
    if (code !== undefined) event.code = code;
    if (reason !== undefined && reason !== '') event.reason = reason;
    this.closeEvent = event;
    this.emit(event);
  }

  protected emit(event: InboundEvent): void {
    if (this.listener) {
      this.listener(event);
      return;
    }
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      clearTimeout(waiter.timer);
      waiter.resolve(event);
      return;
    }
    this.queue.push(event);
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /**
   * Backpressure: resolves at once when the stream took the write below its high-water mark,
   * otherwise on 'drain', on close, or at the send deadline (recording CC_WIRE_WRITE_TIMEOUT).
   */
  protected drained(stream: Duplex): Promise<void> {
    if (!stream.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        this.report(wireDiagnostic('CC_WIRE_WRITE_TIMEOUT', `the peer did not read our data within ${this.sendTimeout} ms (${stream.writableLength} bytes still queued)`, { timeoutMs: this.sendTimeout, queuedBytes: stream.writableLength }));
      }, this.sendTimeout);
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  protected closedError(action: string): Error {
    return ccError('CC_ERR_CONNECTION_CLOSED', { action, target: this.url });
  }
}
