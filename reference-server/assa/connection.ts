/**
 * One ASSA connection: parse, attribute, authenticate, dispatch, reply (decisions assa.D5–D10),
 * plus its timers (connect timeout, PING and the pong deadline).
 */
import { isUtf8 } from 'node:buffer';
import type { JwtVerifier } from '../../src/auth/jwt.js';
import type { ServerTimers } from '../config.js';
import type { ChatEvent, EventSink, Session, User } from '../core/model.js';
import { identityFromClaims } from '../identity.js';
import type { Logger } from '../log.js';
import type { JsonFrame } from '../transport/frame.js';
import { CLOSE, type Peer, type ProtocolConnection } from '../transport/peer.js';
import type { AssaErrorCode } from './codes.js';
import { BadField, isObject, type Data } from './fields.js';
import { HANDLERS, type HandlerContext } from './handlers.js';
import { errorMessage, eventFrame, failure, ping, success } from './render.js';

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
  private lastPongAt = 0;
  private lastPingAt = 0;
  /** The two newest PING seq_ids: a PONG answering either counts (a reply may cross a new PING). */
  private pingIds: [string, string] = ['', ''];
  private closed = false;

  constructor(private readonly ctx: AssaContext, private readonly peer: Peer) {}

  onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.unattributable('', 'UNKNOWN', 'binary frames are not ASSA messages; send JSON in text frames');
    if (!isUtf8(data)) return this.unattributable('', 'UNKNOWN', 'the message is not valid UTF-8');
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      return this.unattributable('', 'UNKNOWN', 'malformed JSON');
    }
    if (!isObject(value)) return this.unattributable('', 'UNKNOWN', 'the message is not a JSON object');
    const seqId = typeof value.seq_id === 'string' ? value.seq_id : '';
    const action = value.action;
    if (typeof action !== 'string') return this.unattributable(seqId, 'UNKNOWN', 'the message has no action string');
    if (!KNOWN.has(action)) return this.unattributable(seqId, action, `unknown action ${JSON.stringify(action.slice(0, 64))}`);
    this.request(action, value, seqId);
  }

  private request(action: string, message: Data, seqId: string): void {
    if (action === 'PONG') return this.pong(message);
    const reply = (frame: JsonFrame) => this.peer.sendJson(frame);
    const replySeq = seqId === '' ? this.ctx.nextSeq() : seqId;
    if (typeof message.seq_id !== 'string' || message.seq_id === '') {
      return reply(failure(action, replySeq, 'INVALID_MESSAGE_TYPE', 'seq_id must be a non-empty string'));
    }
    if (message.timestamp !== undefined && typeof message.timestamp !== 'string') {
      return reply(failure(action, seqId, 'INVALID_MESSAGE_TYPE', 'timestamp must be an ISO 8601 string'));
    }
    const data = message.data ?? {};
    if (!isObject(data)) return reply(failure(action, seqId, 'INVALID_MESSAGE_TYPE', 'data must be an object'));
    if (action === 'CONNECT') return this.connect(data, seqId);
    const session = this.session;
    if (!session) return reply(failure(action, seqId, 'AUTH_FAILED', 'send CONNECT with a valid jwt_token first'));
    if (action === 'DISCONNECT') return this.disconnect(data, seqId);
    const handler = HANDLERS[action];
    if (!handler) return;
    let frame: JsonFrame;
    try {
      const user = this.ctx.actingUser ? this.ctx.actingUser(message.user_id, session.user) : session.user;
      frame = handler(this.ctx, { action, seqId, data, user });
    } catch (err) {
      if (!(err instanceof BadField)) throw err;
      frame = failure(action, seqId, err.code, err.detail);
    }
    reply(frame);
  }

  /** assa.D9: missing or not a JWT is AUTH_FAILED; a JWT that fails verification is INVALID_TOKEN. */
  private connect(data: Data, seqId: string): void {
    if (this.session) return this.peer.sendJson(failure('CONNECT', seqId, 'PERMISSION_DENIED', 'this connection is already authenticated'));
    const token = data.jwt_token;
    if (typeof token !== 'string' || token === '') return this.peer.sendJson(failure('CONNECT', seqId, 'AUTH_FAILED', 'data.jwt_token is missing'));
    const verified = this.ctx.verifier.verify(token);
    if (!verified.ok) {
      const code: AssaErrorCode = verified.reason === 'malformed' ? 'AUTH_FAILED' : 'INVALID_TOKEN';
      return this.peer.sendJson(failure('CONNECT', seqId, code, verified.reason === 'malformed' ? 'data.jwt_token is not a JWT' : `invalid token: ${verified.detail}`));
    }
    const identity = identityFromClaims(verified.claims);
    if (!identity) return this.peer.sendJson(failure('CONNECT', seqId, 'INVALID_TOKEN', 'invalid token: sub must be a positive integer'));
    const session = this.ctx.core.openSession(identity.userId, identity.nickname, identity.profileImage, this);
    this.session = session;
    const now = Date.now();
    this.lastPongAt = now;
    this.lastPingAt = now;
    const recovery = this.ctx.core.recoveryInfo(session.user);
    this.ctx.logger.info('authenticated', { remote: this.peer.remote, user: identity.userId, session: session.id });
    this.peer.sendJson(success('CONNECT', seqId, 'connected', {
      user_id: identity.userId, session_id: session.id, server_time: new Date(now).toISOString(),
      reconnection_info: { existing_rooms: recovery.rooms, unread_messages: recovery.unread },
    }));
  }

  private disconnect(data: Data, seqId: string): void {
    const reason = typeof data.reason === 'string' ? data.reason : 'client request';
    this.peer.sendJson(success('DISCONNECT', seqId, 'disconnected', { reason }));
    this.end();
    this.peer.close(CLOSE.normal, 'disconnect');
  }

  private pong(message: Data): void {
    if (!this.session) return;
    const id = message.seq_id;
    if (typeof id === 'string' && id !== '' && (id === this.pingIds[0] || id === this.pingIds[1])) this.lastPongAt = Date.now();
  }

  onOversize(bytes: number): void {
    // assa.D3 over TCP: the line was discarded, so its seq_id cannot be read.
    this.peer.sendJson(errorMessage(this.ctx.nextSeq(), 'MESSAGE_TOO_LONG', 'UNKNOWN', `the message is ${bytes} bytes; the limit is ${this.ctx.limits.maxMessageBytes}`));
  }

  private unattributable(seqId: string, originalAction: string, details: string): void {
    this.peer.sendJson(errorMessage(seqId === '' ? this.ctx.nextSeq() : seqId, 'INVALID_MESSAGE_TYPE', originalAction, details));
  }

  deliver(event: ChatEvent): void {
    const frame = eventFrame(event, this.ctx.nextSeq);
    if (frame) this.peer.sendJson(frame);
  }

  tick(now: number): void {
    if (this.closed) return;
    const { timers, tickInterval } = this.ctx;
    if (!this.session) {
      if (now - this.openedAt >= timers.connectTimeout) {
        this.end();
        this.peer.close(CLOSE.timeout, 'connect timeout');
      }
      return;
    }
    if (now - this.lastPongAt >= timers.pongTimeout) {
      this.ctx.logger.info('dropping connection: no PONG', { remote: this.peer.remote, user: this.session.user.id });
      this.end();
      this.peer.close(CLOSE.timeout, 'pong timeout');
      return;
    }
    if (now - this.lastPingAt >= timers.pingInterval - tickInterval) {
      const id = this.ctx.nextSeq();
      this.pingIds = [id, this.pingIds[0]];
      this.lastPingAt = now;
      this.peer.sendJson(ping(id));
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
