/**
 * One ASSA connection: parse, attribute, authenticate, dispatch, reply (decisions assa.D5–D10),
 * plus its timers (connect timeout, PING and the pong deadline). Where the seed is silent it
 * follows the server's choices (choices.ts).
 */
import { isUtf8 } from 'node:buffer';
import type { JwtVerifier } from '../../src/auth/jwt.js';
import type { ServerTimers } from '../shared/config.js';
import type { ChatEvent, EventSink, Session, User } from '../core/model.js';
import { Heartbeat } from '../shared/heartbeat.js';
import { identityFromClaims } from '../shared/identity.js';
import type { Logger } from '../shared/log.js';
import type { JsonFrame } from '../transport/frame.js';
import { CLOSE, type Peer, type ProtocolConnection } from '../transport/peer.js';
import type { AssaWireCode } from './codes.js';
import { BadField, isObject, type Data } from './fields.js';
import { HANDLERS, type HandlerContext } from './handlers.js';

export interface AssaContext extends HandlerContext {
  verifier: JwtVerifier;
  timers: ServerTimers;
  /** The sweep's period: pings go out this much early so none is ever late. */
  tickInterval: number;
  logger: Logger;
  /** Server-generated seq_ids for messages the server originates (assa.D11). */
  nextSeq(): string;
  /** Set only by a fault (faults/, tests of the suites): the user a request acts as. */
  actingUser?: (claimedUserId: unknown, user: User) => User;
}

const KNOWN = new Set(['CONNECT', 'DISCONNECT', 'PONG', ...Object.keys(HANDLERS)]);

export class AssaConnection implements ProtocolConnection, EventSink {
  private session: Session | undefined;
  private readonly openedAt = Date.now();
  private heartbeat: Heartbeat | undefined;
  /** The two newest PING seq_ids: a PONG answering either counts (a reply may cross a new PING). */
  private pingIds: [string, string] = ['', ''];
  private closed = false;

  constructor(private readonly ctx: AssaContext, private readonly peer: Peer) {}

  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    const { notJson, unknownAction } = this.ctx.choices.malformedCodes;
    if (isBinary) return this.unattributable('', notJson, null, 'binary frames are not ASSA messages; send JSON in text frames');
    if (!isUtf8(data)) return this.unattributable('', notJson, null, 'the message is not valid UTF-8');
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      return this.unattributable('', notJson, null, 'malformed JSON');
    }
    if (!isObject(value)) return this.unattributable('', notJson, null, 'the message is not a JSON object');
    const seqId = typeof value.seq_id === 'string' ? value.seq_id : '';
    const action = value.action;
    if (typeof action !== 'string') return this.unattributable(seqId, unknownAction, null, 'the message has no action string');
    if (!KNOWN.has(action)) return this.unattributable(seqId, unknownAction, action, `unknown action ${JSON.stringify(action.slice(0, 64))}`);
    this.request(action, value, seqId);
  }

  private request(action: string, message: Data, seqId: string): void {
    if (action === 'PONG') return this.pong(message);
    const { render, choices } = this.ctx;
    const reply = (frame: JsonFrame | undefined) => frame && this.peer.sendJson(frame);
    const badField = choices.malformedCodes.badField;
    const replySeq = seqId === '' ? this.ctx.nextSeq() : seqId;
    if (typeof message.seq_id !== 'string' || message.seq_id === '') {
      return reply(render.failure(action, replySeq, badField, 'seq_id must be a non-empty string'));
    }
    if (message.timestamp !== undefined && typeof message.timestamp !== 'string') {
      return reply(render.failure(action, seqId, badField, 'timestamp must be an ISO 8601 string'));
    }
    const data = message.data ?? {};
    if (!isObject(data)) return reply(render.failure(action, seqId, badField, 'data must be an object'));
    if (action === 'CONNECT') return this.connect(data, seqId);
    const session = this.session;
    if (!session) {
      const detail = 'send CONNECT with a valid jwt_token first';
      return reply(choices.beforeConnectForm === 'error' ? render.error(seqId, 'AUTH_FAILED', action, detail) : render.failure(action, seqId, 'AUTH_FAILED', detail));
    }
    if (action === 'DISCONNECT') return this.disconnect(data, seqId);
    const handler = HANDLERS[action];
    if (!handler) return;
    let frame: JsonFrame | undefined;
    try {
      const user = this.ctx.actingUser ? this.ctx.actingUser(message.user_id, session.user) : session.user;
      frame = handler(this.ctx, { action, seqId, data, user });
    } catch (err) {
      if (!(err instanceof BadField)) throw err;
      frame = render.failure(action, seqId, badField, err.detail);
    }
    reply(frame);
  }

  /** assa.D9: missing or not a JWT is the variant's code; a JWT that fails verification is INVALID_TOKEN. */
  private connect(data: Data, seqId: string): void {
    const { render, choices } = this.ctx;
    const refuse = (code: AssaWireCode, detail: string): void => this.peer.sendJson(render.failure('CONNECT', seqId, code, detail));
    if (this.session) return refuse('PERMISSION_DENIED', 'this connection is already authenticated');
    const token = data.jwt_token;
    if (typeof token !== 'string' || token === '') return refuse(choices.notAJwtCode, 'data.jwt_token is missing');
    const verified = this.ctx.verifier.verify(token);
    if (!verified.ok) {
      return verified.reason === 'malformed' ? refuse(choices.notAJwtCode, 'data.jwt_token is not a JWT') : refuse('INVALID_TOKEN', `invalid token: ${verified.detail}`);
    }
    const identity = identityFromClaims(verified.claims);
    if (!identity) return refuse('INVALID_TOKEN', 'invalid token: sub must be a positive integer');
    const session = this.ctx.core.openSession(identity.userId, identity.nickname, identity.profileImage, this);
    this.session = session;
    const now = Date.now();
    const { timers, tickInterval } = this.ctx;
    const { pingEvery, dropFrom } = choices.heartbeat;
    this.heartbeat = new Heartbeat({
      period: pingEvery === 'interval' ? timers.pingInterval : timers.pingInterval / 2,
      pongTimeout: timers.pongTimeout, dropFrom, oneOutstanding: false, early: tickInterval,
    }, now);
    const recovery = this.ctx.core.recoveryInfo(session.user);
    const rooms = choices.existingRoomsOrder === 'ascending' ? recovery.rooms : [...recovery.rooms].reverse();
    this.ctx.logger.info('authenticated', { remote: this.peer.remote, user: identity.userId, session: session.id });
    this.peer.sendJson(render.success('CONNECT', seqId, 'connected', {
      user_id: identity.userId, session_id: session.id, server_time: render.time(new Date(now)),
      reconnection_info: { existing_rooms: rooms, unread_messages: recovery.unread },
    }));
  }

  private disconnect(data: Data, seqId: string): void {
    const reason = typeof data.reason === 'string' ? data.reason : 'client request';
    if (this.ctx.choices.replyToUnansweredActions) this.peer.sendJson(this.ctx.render.success('DISCONNECT', seqId, 'disconnected', { reason }));
    this.end();
    this.peer.close(CLOSE.normal, 'disconnect');
  }

  private pong(message: Data): void {
    if (!this.heartbeat) return;
    const id = message.seq_id;
    if (typeof id === 'string' && id !== '' && (id === this.pingIds[0] || id === this.pingIds[1])) this.heartbeat.pong(Date.now());
  }

  /** A message over the size limit (assa.D3): over TCP the line was discarded, so its seq_id cannot be read. */
  onOversize(bytes: number): void {
    if (this.closed) return;
    const detail = `the message is ${bytes} bytes; the limit is ${this.ctx.limits.maxMessageBytes}`;
    if (this.ctx.choices.oversize[this.peer.transport] === 'close') {
      this.end();
      this.peer.close(CLOSE.tooBig, 'message too long');
      return;
    }
    this.peer.sendJson(this.ctx.render.error(this.ctx.nextSeq(), 'MESSAGE_TOO_LONG', this.unknownAction(), detail));
  }

  private unattributable(seqId: string, code: AssaWireCode, action: string | null, details: string): void {
    this.peer.sendJson(this.ctx.render.error(seqId === '' ? this.ctx.nextSeq() : seqId, code, action ?? this.unknownAction(), details));
  }

  /** ERROR `data.original_action` when the action cannot be read (assa.D8). */
  private unknownAction(): string | null {
    return this.ctx.choices.absentEcho === 'null' ? null : 'UNKNOWN';
  }

  deliver(event: ChatEvent): void {
    const frame = this.ctx.render.eventFrame(event, this.ctx.nextSeq);
    if (frame) this.peer.sendJson(frame);
  }

  tick(now: number): void {
    if (this.closed) return;
    const { timers, choices } = this.ctx;
    if (!this.session || !this.heartbeat) {
      if (now - this.openedAt >= timers.connectTimeout) {
        this.end();
        this.peer.close(choices.closeCodes.connectTimeout, 'connect timeout');
      }
      return;
    }
    const due = this.heartbeat.tick(now);
    if (due === 'drop') {
      this.ctx.logger.info('dropping connection: no PONG', { remote: this.peer.remote, user: this.session.user.id });
      this.end();
      this.peer.close(choices.closeCodes.pongTimeout, 'pong timeout');
    } else if (due === 'ping') {
      const id = this.ctx.nextSeq();
      this.pingIds = [id, this.pingIds[0]];
      this.peer.sendJson(this.ctx.render.ping(id));
    }
  }

  onClose(): void {
    this.end();
  }

  private end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.session) this.ctx.core.closeSession(this.session);
  }
}
