/**
 * One envelope connection (seed 000, decisions envelope.D1–D5): `{type, data}` messages, errors
 * as messages, rate limiting, and a `ping`/`pong` heartbeat. Authenticated in the handshake.
 * Where the seed is silent it follows the server's choices (choices.ts).
 */
import { isUtf8 } from 'node:buffer';
import { isoTime, withExtraFields, type Choices, type EnvelopeCode } from '../shared/choices.js';
import type { ServerLimits, ServerTimers } from '../shared/config.js';
import type { ChatCore } from '../core/chat-core.js';
import type { ChatEvent, EventSink, Room, Session, User } from '../core/model.js';
import { Heartbeat } from '../shared/heartbeat.js';
import type { Identity } from '../shared/identity.js';
import { jsonFrame, type JsonFrame } from '../transport/frame.js';
import type { Peer, ProtocolConnection } from '../transport/peer.js';
import { FixedWindowLimiter, RateLimiter } from './rate-limit.js';

export interface EnvelopeContext {
  core: ChatCore;
  limits: ServerLimits;
  timers: ServerTimers;
  tickInterval: number;
  choices: Choices;
}

type Obj = Record<string, unknown>;

export class EnvelopeConnection implements ProtocolConnection, EventSink {
  private readonly session: Session;
  private readonly limiter: { allow(now: number): boolean };
  private readonly heartbeat: Heartbeat;
  private readonly ping: JsonFrame;
  private closed = false;

  constructor(private readonly ctx: EnvelopeContext, private readonly peer: Peer, identity: Identity) {
    const c = ctx.choices.envelope;
    this.session = ctx.core.openSession(identity.userId, identity.nickname, identity.profileImage, this);
    const max = ctx.limits.maxMessagesPerSecond;
    this.limiter = c.rateWindow === 'sliding' ? new RateLimiter(max) : new FixedWindowLimiter(max);
    const oneOutstanding = c.heartbeat === 'one-outstanding';
    this.heartbeat = new Heartbeat({
      period: ctx.timers.pingInterval, pongTimeout: ctx.timers.pongTimeout, early: ctx.tickInterval,
      dropFrom: oneOutstanding ? 'first-unanswered-ping' : 'last-pong', oneOutstanding,
    }, Date.now());
    this.ping = this.frame({ type: 'ping', data: {} });
  }

  onMessage(raw: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    const codes = this.ctx.choices.envelope.codes;
    let msg: unknown;
    if (!isBinary && isUtf8(raw)) {
      try {
        msg = JSON.parse(raw.toString('utf8'));
      } catch {
        msg = undefined;
      }
    }
    const obj = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Obj) : undefined;
    const refId = typeof obj?.id === 'string' ? obj.id : undefined;
    if (!this.limiter.allow(Date.now())) return this.error('rate_limited', `slow down: max ${this.ctx.limits.maxMessagesPerSecond} messages per second`, refId);
    if (!obj) return this.error(codes.notJson, 'expected a JSON object {type, data}', refId);
    const type = obj.type;
    if (typeof type !== 'string') return this.error(codes.badShape, 'type must be a string', refId);
    const data = obj.data ?? {};
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return this.error(codes.badShape, 'data must be an object', refId);
    const d = data as Obj;
    switch (type) {
      case 'room.join': return this.join(d, refId);
      case 'room.leave': return this.leave(d, refId);
      case 'chat.message': return this.chat(d, refId);
      case 'chat.typing': return this.typing(d, refId);
      case 'pong':
        this.heartbeat.pong(Date.now());
        return;
      default:
        return this.error('unknown_type', `unknown type: ${JSON.stringify(type.slice(0, 64))}`, refId);
    }
  }

  private roomName(d: Obj, refId: string | undefined): string | undefined {
    if (typeof d.room === 'string' && d.room !== '') return d.room;
    this.error(this.ctx.choices.envelope.codes.badShape, 'data.room must be a non-empty string', refId);
    return undefined;
  }

  private joinedRoom(d: Obj, refId: string | undefined): Room | undefined {
    const name = this.roomName(d, refId);
    if (name === undefined) return undefined;
    const room = this.ctx.core.namedRoom(name);
    if (room && this.session.namedRooms.has(room)) return room;
    this.error(this.ctx.choices.envelope.codes.notInRoom, `join room ${JSON.stringify(name.slice(0, 64))} first`, refId);
    return undefined;
  }

  private join(d: Obj, refId: string | undefined): void {
    const name = this.roomName(d, refId);
    if (name === undefined) return;
    const outcome = this.ctx.core.joinNamed(this.session, name);
    if (!outcome.ok) return this.error(this.ctx.choices.envelope.codes.roomFull, 'the room is full', refId);
    // A repeated join is acknowledged to the joiner alone (when joiners hear of their own joins).
    if (!outcome.value.fresh && this.ctx.choices.envelope.presenceToSelf) this.peer.sendJson(this.presence('user.joined', outcome.value.room));
  }

  private leave(d: Obj, refId: string | undefined): void {
    const room = this.joinedRoom(d, refId);
    if (!room) return;
    this.ctx.core.leaveNamed(this.session, room);
    // Another session of the same user keeps the membership: acknowledge to this one alone.
    if (room.members.has(this.session.user.id) && this.ctx.choices.envelope.presenceToSelf) this.peer.sendJson(this.presence('user.left', room));
  }

  private chat(d: Obj, refId: string | undefined): void {
    if (typeof d.text !== 'string') return this.error(this.ctx.choices.envelope.codes.badShape, 'data.text must be a string', refId);
    const text = d.text;
    const room = this.joinedRoom(d, refId);
    if (room) this.ctx.core.postNamed(this.session, room, text);
  }

  private typing(d: Obj, refId: string | undefined): void {
    const room = this.joinedRoom(d, refId);
    if (room) this.ctx.core.typing(this.session, room);
  }

  private presence(type: 'user.joined' | 'user.left', room: Room): JsonFrame {
    return this.frame({ type, data: { room: room.name, user_id: String(this.session.user.id), username: this.session.user.nickname } });
  }

  private error(code: EnvelopeCode, message: string, refId: string | undefined): void {
    this.peer.sendJson(this.frame(refId === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref_id: refId }));
  }

  private frame(message: Obj): JsonFrame {
    return jsonFrame(withExtraFields(message, this.ctx.choices));
  }

  deliver(event: ChatEvent): void {
    if (this.isOwnEchoWithheld(event)) return;
    let frame = event.wire.envelope as JsonFrame | null | undefined;
    if (frame === undefined) {
      const message = render(event, this.ctx.choices.envelope.timestamps);
      frame = message ? this.frame(message) : null;
      event.wire.envelope = frame;
    }
    if (frame) this.peer.sendJson(frame);
  }

  /** envelope.D3: whether this user's own join, leave or chat message is kept from it. */
  private isOwnEchoWithheld(event: ChatEvent): boolean {
    const me: User = this.session.user;
    const c = this.ctx.choices.envelope;
    if (event.kind === 'message') return !c.chatEcho && event.message.sender === me;
    if (event.kind === 'joined') return !c.presenceToSelf && event.member.user === me;
    if (event.kind === 'left') return !c.presenceToSelf && event.user === me;
    return false;
  }

  tick(now: number): void {
    if (this.closed) return;
    const due = this.heartbeat.tick(now);
    if (due === 'drop') {
      this.end();
      this.peer.close(this.ctx.choices.envelope.pongTimeoutClose, 'pong timeout');
    } else if (due === 'ping') this.peer.sendJson(this.ping);
  }

  onOversize(): void {
    this.error(this.ctx.choices.envelope.codes.badShape, `the message is larger than ${this.ctx.limits.maxMessageBytes} bytes`, undefined);
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

/** A connection accepted only to be closed at once (envelope.D1's other reading: refuse a bad token after the upgrade). */
export function closedAtOnce(peer: Peer, code: number, reason: string): ProtocolConnection {
  peer.close(code, reason);
  return { onMessage() {}, onOversize() {}, onClose() {}, tick() {} };
}

function render(event: ChatEvent, precision: 'ms' | 's'): Obj | undefined {
  switch (event.kind) {
    case 'message': {
      const m = event.message;
      if (!m.room.named) return undefined;
      return { type: 'chat.message', data: { room: m.room.name, text: m.content, ts: isoTime(m.createdAt, precision), user_id: String(m.sender.id), username: m.sender.nickname } };
    }
    case 'joined':
      if (!event.room.named) return undefined;
      return { type: 'user.joined', data: { room: event.room.name, user_id: String(event.member.user.id), username: event.member.user.nickname } };
    case 'left':
      return { type: 'user.left', data: { room: event.room.name, user_id: String(event.user.id), username: event.user.nickname } };
    case 'typing':
      return { type: 'chat.typing', data: { room: event.room.name, user_id: String(event.user.id), username: event.user.nickname } };
    default:
      return undefined;
  }
}
