/**
 * What every transport adapter shares: the connection limit, the live connections (for the timer
 * sweep, stats and shutdown), the slow-consumer policy, and a guard so a bug in one handler closes
 * one connection instead of the process.
 */
import type { Duplex } from 'node:stream';
import type { Logger } from '../shared/log.js';
import type { Peer, ProtocolConnection } from './peer.js';

export interface TransportStats {
  open: number;
  opened: number;
  refusedFull: number;
  slowConsumers: number;
  handlerErrors: number;
  byTransport: Record<string, number>;
}

export class Transports {
  readonly live = new Map<ProtocolConnection, Peer>();
  private readonly sockets = new Set<Duplex>();
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly stats: TransportStats = { open: 0, opened: 0, refusedFull: 0, slowConsumers: 0, handlerErrors: 0, byTransport: {} };

  constructor(
    readonly logger: Logger,
    readonly maxConnections: number,
    readonly maxMessageBytes: number,
    readonly maxOutboundBufferBytes: number,
    private readonly closeGrace: number,
  ) {}

  /** False when the server already holds maxConnections (assa.D18: the extra one is refused). */
  admit(): boolean {
    if (this.live.size < this.maxConnections) return true;
    this.stats.refusedFull++;
    this.logger.warn('connection refused: server full', { max: this.maxConnections });
    return false;
  }

  /** Remembers a raw socket so shutdown can destroy it whatever state it is in. */
  track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  opened(conn: ProtocolConnection, peer: Peer, label: string = peer.transport): void {
    this.live.set(conn, peer);
    this.stats.open = this.live.size;
    this.stats.opened++;
    this.stats.byTransport[label] = (this.stats.byTransport[label] ?? 0) + 1;
    (conn as { label?: string }).label = label;
    this.logger.info('connection opened', { transport: label, remote: peer.remote, open: this.live.size });
  }

  closed(conn: ProtocolConnection, peer: Peer): void {
    if (!this.live.delete(conn)) return;
    const label = (conn as { label?: string }).label ?? peer.transport;
    this.stats.open = this.live.size;
    this.stats.byTransport[label] = (this.stats.byTransport[label] ?? 1) - 1;
    this.logger.info('connection closed', { transport: label, remote: peer.remote, open: this.live.size });
    conn.onClose();
  }

  slowConsumer(remote: string, buffered: number): void {
    this.stats.slowConsumers++;
    this.logger.warn('dropping slow consumer: outbound buffer over limit', { remote, buffered, limit: this.maxOutboundBufferBytes });
  }

  /** Wraps a protocol connection so an exception closes that connection (1011) and is logged. */
  guard(conn: ProtocolConnection, peer: Peer): ProtocolConnection {
    return new GuardedConnection(conn, peer, this);
  }

  /** @internal */
  handlerFailed(where: string, peer: Peer, err: unknown): void {
    this.stats.handlerErrors++;
    this.logger.error('handler error; closing the connection', { where, remote: peer.remote, error: err instanceof Error ? err.stack ?? err.message : String(err) });
    peer.close(1011, 'internal error');
  }

  /** Runs `fn` after the close grace period unless shutdown came first. */
  later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.closeGrace);
    timer.unref();
    this.timers.add(timer);
  }

  sweep(now: number): void {
    for (const conn of this.live.keys()) conn.tick(now);
  }

  /** Destroys every socket and timer; used by close() after the grace period. */
  destroyAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** A class rather than closures: one small object per connection. */
class GuardedConnection implements ProtocolConnection {
  label?: string;
  constructor(private readonly conn: ProtocolConnection, private readonly peer: Peer, private readonly t: Transports) {}

  onMessage(data: Buffer, isBinary: boolean): void {
    try { this.conn.onMessage(data, isBinary); } catch (err) { this.t.handlerFailed('message', this.peer, err); }
  }

  onOversize(bytes: number): void {
    try { this.conn.onOversize(bytes); } catch (err) { this.t.handlerFailed('oversize', this.peer, err); }
  }

  onClose(): void {
    try { this.conn.onClose(); } catch (err) { this.t.handlerFailed('close', this.peer, err); }
  }

  tick(now: number): void {
    try { this.conn.tick(now); } catch (err) { this.t.handlerFailed('tick', this.peer, err); }
  }
}
