/**
 * One envelope connection (seed 000, decisions envelope.D1–D5): `{type, data}` messages, errors
 * as messages, rate limiting, and a `ping`/`pong` heartbeat. Authenticated in the handshake.
 */
import { isUtf8 } from 'node:buffer';
import type { ServerLimits, ServerTimers } from '../config.js';
import type { ChatCore } from '../core/chat-core.js';
import type { ChatEvent, EventSink, Room, Session } from '../core/model.js';
import type { Identity } from '../identity.js';
import { jsonFrame, type JsonFrame } from '../transport/frame.js';
import { CLOSE, type Peer, type ProtocolConnection } from '../transport/peer.js';
import { RateLimiter } from './rate-limit.js';

export interface EnvelopeContext {
  core: ChatCore;
  limits: ServerLimits;
  timers: ServerTimers;
  tickInterval: number;
}

export type EnvelopeErrorCode = 'unknown_type' | 'rate_limited' | 'invalid_message' | 'not_in_room';

const PING = jsonFrame({ type: 'ping', data: {} });

export function envelopeError(code: EnvelopeErrorCode, message: string, refId: string | undefined): JsonFrame {
  return jsonFrame(refId === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref_id: refId });
}

export class EnvelopeConnection implements ProtocolConnection, EventSink {
  private readonly session: Session;
  private readonly limiter: RateLimiter;
  private lastPongAt = Date.now();
  private lastPingAt = Date.now();
  private closed = false;

  constructor(private readonly ctx: EnvelopeContext, private readonly peer: Peer, identity: Identity) {
    this.session = ctx.core.openSession(identity.userId, identity.nickname, identity.profileImage, this);
    this.limiter = new RateLimiter(ctx.limits.maxMessagesPerSecond);
  }

  onMessage(raw: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    let msg: unknown;
    if (!isBinary && isUtf8(raw)) {
      try {
        msg = JSON.parse(raw.toString('utf8'));
      } catch {
        msg = undefined;
      }
    }
    const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : undefined;
    const refId = typeof obj?.id === 'string' ? obj.id : undefined;
    if (!this.limiter.allow(Date.now())) return this.error('rate_limited', `slow down: max ${this.ctx.limits.maxMessagesPerSecond} messages per second`, refId);
    if (!obj) return this.error('invalid_message', 'expected a JSON object {type, data}', refId);
    const type = obj.type;
    if (typeof type !== 'string') return this.error('invalid_message', 'type must be a string', refId);
    const data = obj.data ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return this.error('invalid_message', 'data must be an object', refId);
    const d = data as Record<string, unknown>;
    switch (type) {
      case 'room.join': return this.join(d, refId);
      case 'room.leave': return this.leave(d, refId);
      case 'chat.message': return this.chat(d, refId);
      case 'chat.typing': return this.typing(d, refId);
      case 'pong':
        this.lastPongAt = Date.now();
        return;
      default:
        return this.error('unknown_type', `unknown type: ${JSON.stringify(type.slice(0, 64))}`, refId);
    }
  }

  private roomName(d: Record<string, unknown>, refId: string | undefined): string | undefined {
    if (typeof d.room === 'string' && d.room !== '') return d.room;
    this.error('invalid_message', 'data.room must be a non-empty string', refId);
    return undefined;
  }

  private joinedRoom(d: Record<string, unknown>, refId: string | undefined): Room | undefined {
    const name = this.roomName(d, refId);
    if (name === undefined) return undefined;
    const room = this.ctx.core.namedRoom(name);
    if (room && this.session.namedRooms.has(room)) return room;
    this.error('not_in_room', `join room ${JSON.stringify(name.slice(0, 64))} first`, refId);
    return undefined;
  }

  private join(d: Record<string, unknown>, refId: string | undefined): void {
    const name = this.roomName(d, refId);
    if (name === undefined) return;
    const outcome = this.ctx.core.joinNamed(this.session, name);
    if (!outcome.ok) return this.error('invalid_message', 'the room is full', refId);
    // A repeated join is acknowledged to the joiner alone.
    if (!outcome.value.fresh) this.peer.sendJson(this.presence('user.joined', outcome.value.room));
  }

  private leave(d: Record<string, unknown>, refId: string | undefined): void {
    const room = this.joinedRoom(d, refId);
    if (!room) return;
    this.ctx.core.leaveNamed(this.session, room);
    // Another session of the same user keeps the membership: acknowledge to this one alone.
    if (room.members.has(this.session.user.id)) this.peer.sendJson(this.presence('user.left', room));
  }

  private chat(d: Record<string, unknown>, refId: string | undefined): void {
    if (typeof d.text !== 'string') return this.error('invalid_message', 'data.text must be a string', refId);
    const text = d.text;
    const room = this.joinedRoom(d, refId);
    if (room) this.ctx.core.postNamed(this.session, room, text);
  }

  private typing(d: Record<string, unknown>, refId: string | undefined): void {
    const room = this.joinedRoom(d, refId);
    if (room) this.ctx.core.typing(this.session, room);
  }

  private presence(type: 'user.joined' | 'user.left', room: Room): JsonFrame {
    return jsonFrame({ type, data: { room: room.name, user_id: String(this.session.user.id), username: this.session.user.nickname } });
  }

  private error(code: EnvelopeErrorCode, message: string, refId: string | undefined): void {
    this.peer.sendJson(envelopeError(code, message, refId));
  }

  deliver(event: ChatEvent): void {
    let frame = event.wire.envelope as JsonFrame | null | undefined;
    if (frame === undefined) {
      frame = render(event) ?? null;
      event.wire.envelope = frame;
    }
    if (frame) this.peer.sendJson(frame);
  }

  tick(now: number): void {
    if (this.closed) return;
    if (now - this.lastPongAt >= this.ctx.timers.pongTimeout) {
      this.end();
      this.peer.close(CLOSE.timeout, 'pong timeout');
      return;
    }
    if (now - this.lastPingAt >= this.ctx.timers.pingInterval - this.ctx.tickInterval) {
      this.lastPingAt = now;
      this.peer.sendJson(PING);
    }
  }

  onOversize(): void {
    this.error('invalid_message', `the message is larger than ${this.ctx.limits.maxMessageBytes} bytes`, undefined);
  }

  onClose(): void {
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.core.closeSession(this.session);
  }
}

function render(event: ChatEvent): JsonFrame | undefined {
  switch (event.kind) {
    case 'message': {
      const m = event.message;
      if (!m.room.named) return undefined;
      return jsonFrame({ type: 'chat.message', data: { room: m.room.name, text: m.content, ts: m.createdAt.toISOString(), user_id: String(m.sender.id), username: m.sender.nickname } });
    }
    case 'joined':
      if (!event.room.named) return undefined;
      return jsonFrame({ type: 'user.joined', data: { room: event.room.name, user_id: String(event.member.user.id), username: event.member.user.nickname } });
    case 'left':
      return jsonFrame({ type: 'user.left', data: { room: event.room.name, user_id: String(event.user.id), username: event.user.nickname } });
    case 'typing':
      return jsonFrame({ type: 'chat.typing', data: { room: event.room.name, user_id: String(event.user.id), username: event.user.nickname } });
    default:
      return undefined;
  }
}
