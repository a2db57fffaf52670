/**
 * The one connection interface every transport (ws, wss, tcp, tcp+lp, tls) implements.
 * Contract: no method waits without a deadline, and a fault of the peer becomes a Diagnostic
 * (with a stable code and the RFC or spec section), never a hang or an uncaught exception.
 */
import type { CodecName, FramingName, TransportScheme } from '../profile/types.js';

export type Severity = 'fail' | 'non-strict' | 'info';

/** A finding about what the peer did on the wire. */
export interface Diagnostic {
  /** Stable code, e.g. CC_WIRE_RSV_BITS, CC_WIRE_TIMEOUT. */
  code: string;
  /** Where the rule comes from, e.g. "RFC 6455 §5.2" or "ASSA §10.1". */
  section: string;
  /** One line a person understands. */
  message: string;
  severity: Severity;
  /** Monotonic time (ms, performance.now()) when it was seen. */
  at: number;
  detail?: Record<string, unknown>;
}

/** One message in or out, as recorded for transcripts. */
export interface WireRecord {
  direction: 'in' | 'out';
  /** Monotonic time in ms (performance.now()). */
  at: number;
  /** Size on the wire of the payload, before framing. */
  bytes: number;
  /** The payload as text (JSON text, or a rendering of MessagePack), cut to the transcript limit. */
  text: string;
  truncated: boolean;
}

export type InboundEvent =
  /** A decoded message. `value` is what the codec produced (an object for valid traffic). */
  | { kind: 'message'; value: unknown; bytes: number; at: number }
  /** The connection ended. `code` is the WebSocket close code when there was a close frame. */
  | { kind: 'close'; code?: number; reason?: string; clean: boolean; at: number }
  /** A wire fault; a `fail` one is usually followed by a close event. */
  | { kind: 'diagnostic'; diagnostic: Diagnostic };

export interface TlsOptions {
  /** Accept self-signed or otherwise unverifiable certificates (`--insecure`). */
  insecure?: boolean;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
}

export interface ConnectOptions {
  /** ws://, wss://, tcp://, tcp+lp://, tls:// */
  url: string;
  codec: CodecName;
  /**
   * Framing on tcp:// and tls:// (default ndjson; a profile may say length-prefixed). tcp+lp:// is
   * always length-prefixed; WebSocket frames delimit messages by themselves.
   */
  framing?: FramingName;
  /** Deadline for TCP connect plus the WebSocket handshake, in ms. */
  connectTimeout: number;
  /** Largest inbound message accepted before buffering, in bytes. */
  maxInboundBytes: number;
  headers?: Record<string, string>;
  subprotocols?: string[];
  /** Extra query parameters for WebSocket URLs (e.g. a token). */
  query?: Record<string, string>;
  tls?: TlsOptions;
  /** Carry on through recoverable violations, recording them as non-strict diagnostics. */
  lenient?: boolean;
  /** Record a transcript (default true); the load engine turns it off. */
  record?: boolean;
  /**
   * Strict ws:// and wss:// only: read every inbound frame header beside ws for the faults ws
   * accepts silently (CC_WIRE_NON_MINIMAL_LENGTH, CC_WIRE_RESET_MID_MESSAGE). Default true.
   * `false` skips that per-frame parse: those two are never reported (a cut mid-message then
   * reads as CC_WIRE_NO_CLOSE_FRAME); everything ws reports itself still is. The load engine,
   * which reads no wire diagnostics, turns it off.
   */
  observe?: boolean;
  /** Max characters of a recorded payload (default 4096). */
  transcriptTextLimit?: number;
  /** Max transcript records kept, oldest dropped first (default 10,000). */
  transcriptMaxRecords?: number;
  /** Deadline for a write to drain when the peer applies backpressure, in ms (default 10 s). */
  sendTimeout?: number;
  /** Default deadline of the close handshake, in ms (default 5 s); `close()` may pass its own. */
  closeTimeout?: number;
}

/** The opening handshake as it happened (WebSocket only). */
export interface HandshakeInfo {
  requestLine: string;
  /** Header names with the letter case that went on the wire. */
  requestHeaders: [string, string][];
  statusLine: string;
  status: number;
  responseHeaders: [string, string][];
}

export interface CloseResult {
  code?: number;
  reason?: string;
  /** True when the close handshake completed within its deadline. */
  clean: boolean;
}

export interface Connection {
  readonly url: string;
  readonly scheme: TransportScheme;
  /** Negotiated WebSocket subprotocol and extensions, when any. */
  readonly protocol: string;
  readonly extensions: string;
  /** True once a close event has been emitted. */
  readonly closed: boolean;
  /** Every message in and out, when recording. */
  readonly transcript: readonly WireRecord[];
  readonly diagnostics: readonly Diagnostic[];

  /**
   * Receives every inbound event in order. Events that arrive before a listener is set are
   * buffered and delivered, in order, when it is set. One listener at a time.
   */
  setListener(listener: ((event: InboundEvent) => void) | null): void;

  /**
   * Waits for the next inbound event (for simple clients such as `probe`), or resolves
   * `{ kind: 'diagnostic', diagnostic: { code: 'CC_WIRE_TIMEOUT', ... } }` naming `awaiting`
   * when the deadline passes. Not usable while a listener is set.
   */
  receive(timeoutMs: number, awaiting: string): Promise<InboundEvent>;

  /** Encodes with the codec, frames, and writes; resolves once written (respecting backpressure). */
  send(value: unknown): Promise<void>;
  /** Writes exact text or bytes as one message (negative tests). Framing still applies on TCP. */
  sendRaw(data: string | Uint8Array): Promise<void>;
  /** Writes exact bytes on the stream, bypassing codec and framing (wire fault tests). */
  sendBytes?(data: Uint8Array): Promise<void>;

  /** Starts the close handshake and resolves within `timeoutMs` at the latest. */
  close(code?: number, reason?: string, timeoutMs?: number): Promise<CloseResult>;
  /** Tears the socket down at once. */
  destroy(): void;

  /** The opening handshake (WebSocket transports). */
  readonly handshake?: HandshakeInfo | undefined;
  /**
   * Sends a WebSocket ping and resolves the round-trip time in ms, or undefined when no pong came
   * within `timeoutMs` (WebSocket transports only).
   */
  ping?(timeoutMs: number): Promise<number | undefined>;
}
