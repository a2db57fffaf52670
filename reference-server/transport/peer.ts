/**
 * What a protocol front end sees of a connection, whatever the transport; and what a transport
 * adapter calls on the front end.
 */
import type { JsonFrame } from './frame.js';

export interface Peer {
  readonly transport: 'tcp' | 'ws';
  /** `ip:port` of the client, for logs. */
  readonly remote: string;
  readonly isOpen: boolean;
  sendJson(frame: JsonFrame): void;
  sendBinary(data: Uint8Array): void;
  /**
   * Ends the connection after what is queued: WebSocket with a close frame (`code`, `reason`),
   * TCP by ending the socket (the code is only logged).
   */
  close(code: number, reason: string): void;
}

/** A protocol's view of one connection, driven by the transport adapter and the server's sweep. */
export interface ProtocolConnection {
  /** One complete inbound message: an NDJSON line (without `\n`) or a WebSocket frame payload. */
  onMessage(data: Buffer, isBinary: boolean): void;
  /** A message over the limit: a TCP line discarded up to its newline, or a WebSocket frame when the server reports them (ws.ts). */
  onOversize(bytes: number): void;
  /** The connection is gone (either side closed it). Called exactly once. */
  onClose(): void;
  /** Periodic sweep for timers (connect timeout, heartbeat); `now` is Date.now(). */
  tick(now: number): void;
}

/** Close codes and reasons used by the server (WebSocket; TCP only logs them). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
  timeout: 4408,
} as const;
