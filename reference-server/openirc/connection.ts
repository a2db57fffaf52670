/**
 * One OpenIRC connection (seed 001, decisions openirc.D2–D5): MessagePack maps in binary frames,
 * every request answered exactly once with its `rid`, bad fields reported with their path.
 */
import { decode, encode } from '@msgpack/msgpack';
import { withExtraFields, type Choices } from '../shared/choices.js';
import type { ChatCore } from '../core/chat-core.js';
import type { ChatEvent, EventSink, Session } from '../core/model.js';
import type { Identity } from '../shared/identity.js';
import type { Peer, ProtocolConnection } from '../transport/peer.js';
import { invalidType, isInt32NonNegative, isMap, type InvalidType } from './types.js';

/** The reference server presents one IRC network to every user. */
export const CONNID = 1;

export interface OpenIrcContext {
  core: ChatCore;
  choices: Choices;
}

type Obj = Record<string, unknown>;

export class OpenIrcConnection implements ProtocolConnection, EventSink {
  private readonly session: Session;
  private closed = false;

  constructor(private readonly ctx: OpenIrcContext, private readonly peer: Peer, identity: Identity) {
    this.session = ctx.core.openSession(identity.userId, identity.nickname, identity.profileImage, this);
  }

  private invalid(context: string, given: unknown, required: string): InvalidType {
    return invalidType(context, given, required, this.ctx.choices.openirc.typeNames);
  }

  onMessage(raw: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    let request: unknown;
    if (!isBinary) request = raw.toString('utf8');
    else {
      try {
        request = decode(raw);
      } catch {
        request = raw;
      }
    }
    if (!isMap(request)) return this.send({ rid: -1, given_rid: null, kind: 'error', list: [this.invalid('', request, 'request')] });
    const rid = request.rid;
    if (!isInt32NonNegative(rid)) {
      return this.send({ rid: -1, given_rid: rid === undefined ? null : rid, kind: 'error', list: [this.invalid('rid', rid, 'int32')] });
    }
    const list = this.handle(request);
    this.send(list.length === 0 ? { rid, kind: 'ok' } : { rid, kind: 'error', list });
  }

  /**
   * Validates the whole request (every bad field is listed), then acts on it. The seed defines one
   * error kind, invalid_type. A request that is well typed but names a channel the user cannot use
   * (not joined, or full) is reported in that form too: the given name is not of the required type
   * `joined_channel` (or `channel_with_room`), so every reply matches the spec.
   */
  private handle(r: Obj): InvalidType[] {
    const errors: InvalidType[] = [];
    const kind = r.kind;
    if (kind !== 'join' && kind !== 'leave' && kind !== 'message') {
      errors.push(this.invalid('kind', kind, 'request_kind'));
      return errors;
    }
    const target = r.target;
    if (!isMap(target)) {
      errors.push(this.invalid('target', target, 'target'));
    } else {
      if (!isInt32NonNegative(target.connid)) errors.push(this.invalid('target.connid', target.connid, 'int32'));
      else if (target.connid !== CONNID) errors.push(this.invalid('target.connid', target.connid, `connid ${CONNID}`));
      const wanted = kind === 'message' ? ['channel', 'user'] : ['channel'];
      if (typeof target.kind !== 'string' || !wanted.includes(target.kind)) {
        errors.push(this.invalid('target.kind', target.kind, kind === 'message' ? 'target_kind' : "'channel'"));
      }
      if (typeof target.name !== 'string' || target.name === '') errors.push(this.invalid('target.name', target.name, 'string'));
    }
    if (kind === 'message' && typeof r.content !== 'string') errors.push(this.invalid('content', r.content, 'string'));
    if (errors.length > 0) return errors;
    const t = target as { kind: string; name: string };
    const core = this.ctx.core;
    if (kind === 'join') {
      if (!core.joinNamed(this.session, t.name).ok) errors.push(this.invalid('target.name', t.name, 'channel_with_room'));
    } else if (kind === 'leave') {
      const room = core.namedRoom(t.name);
      if (room) core.leaveNamed(this.session, room);
    } else if (t.kind === 'user') {
      core.direct(this.session.user, t.name, r.content as string);
    } else {
      const room = core.namedRoom(t.name);
      if (!room || !core.postNamed(this.session, room, r.content as string)) errors.push(this.invalid('target.name', t.name, 'joined_channel'));
    }
    return errors;
  }

  private send(reply: Obj): void {
    const message = withExtraFields(reply, this.ctx.choices);
    let bytes: Uint8Array;
    try {
      bytes = encode(message);
    } catch {
      // A given_rid nested deeper than the encoder's limit (100) cannot be echoed; nil stands in,
      // so the request still gets its one reply.
      bytes = encode({ ...message, given_rid: null });
    }
    this.peer.sendBinary(bytes);
  }

  /**
   * openirc.D5: channel messages reach the other users (and the sender, when it is echoed);
   * direct messages their addressee; joins and leaves every member, when the server pushes them.
   */
  deliver(event: ChatEvent): void {
    const c = this.ctx.choices.openirc;
    let from;
    let message: Obj;
    // Joins and leaves reach the user they are about too, as IRC echoes JOIN and PART.
    let toSelf = c.messageEcho;
    if (event.kind === 'message' && event.message.room.named) {
      from = event.message.sender;
      message = { kind: 'message', target: channelTarget(event.message.room.name), content: event.message.content };
    } else if (event.kind === 'direct') {
      from = event.from;
      message = { kind: 'message', target: { connid: CONNID, kind: 'user', name: event.from.nickname }, content: event.content };
    } else if (c.presenceEvents && event.kind === 'joined' && event.room.named) {
      from = event.member.user;
      message = { kind: 'join', target: channelTarget(event.room.name) };
      toSelf = true;
    } else if (c.presenceEvents && event.kind === 'left') {
      from = event.user;
      message = { kind: 'leave', target: channelTarget(event.room.name) };
      toSelf = true;
    } else return;
    if (from === this.session.user && !toSelf) return;
    let bytes = event.wire.openirc as Uint8Array | undefined;
    if (!bytes) {
      bytes = encode(withExtraFields({ ...message, from: { nickname: from.nickname } }, this.ctx.choices));
      event.wire.openirc = bytes;
    }
    this.peer.sendBinary(bytes);
  }

  onOversize(): void {
    this.send({ rid: -1, given_rid: null, kind: 'error', list: [this.invalid('', new Uint8Array(), 'request')] });
  }

  tick(): void {}

  onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.core.closeSession(this.session);
  }
}

const channelTarget = (name: string): Obj => ({ connid: CONNID, kind: 'channel', name });
