/**
 * Fault injection, FOR TESTING THE CONFORMANCE SUITES ONLY. A conformant server runs with no
 * faults (the default); `startReferenceServer({ faults: [...] })` or `chat-conform serve --fault
 * NAME` switches on named deviations so a test can prove that the suites catch each of them
 * (docs/conformance.md, mutation table).
 *
 * Protocol code never checks a fault by name: a fault acts only at these points —
 * - the resolved limits and timers (`adjust`),
 * - every connection's Peer: outbound messages and closes (`outbound`, `ignoreClose`),
 * - every connection's inbound messages (`inbound`),
 * - the JWT verifier (`verifier`), ASSA's text-length rule (`textOver`), the user an ASSA
 *   request acts as (`actingUser`) and OpenIRC's login answer (`loginBody`),
 * - the timer sweep.
 */
import { decode, encode } from '@msgpack/msgpack';
import jwt from 'jsonwebtoken';
import type { JwtVerifier } from '../src/auth/jwt.js';
import { ccError } from '../src/errors.js';
import type { ServerLimits, ServerTimers } from './config.js';
import type { User } from './core/model.js';
import { jsonFrame, type JsonFrame } from './transport/frame.js';
import type { Peer, ProtocolConnection } from './transport/peer.js';

type Protocol = 'assa' | 'envelope' | 'openirc';
type Msg = Record<string, unknown>;

/** What a fault's outbound hook may see and do on one connection. */
interface PeerState {
  readonly protocol: Protocol;
  /** The user id the server told this connection in CONNECT_RESPONSE (ASSA), when known. */
  userId: number | undefined;
  /** Per-fault scratch space of this connection. */
  readonly scratch: Map<string, unknown>;
  /** Sends a message on this connection, bypassing the faults. */
  emit(msg: Msg): void;
  /** Sends later (a delayed reply); cancelled when the connection closes. */
  later(ms: number, fn: () => void): void;
}

interface FaultContext {
  limits: ServerLimits;
  timers: ServerTimers;
  /** Every open wrapped connection, for faults that leak a message to others. */
  peers: Set<FaultPeer>;
}

export interface FaultDef {
  readonly name: string;
  readonly protocol: Protocol | 'all';
  /** One line: what the server does wrong. */
  readonly description: string;
  adjust?(limits: ServerLimits, timers: ServerTimers): void;
  /** The message to send instead (`null` drops it). `key` identifies a message shared by all its recipients. */
  outbound?(msg: Msg, state: PeerState, ctx: FaultContext, key: object): Msg | null;
  /** The inbound message to process instead (`null` drops it). */
  inbound?(msg: Msg): Msg | null;
  /** True to leave the connection open instead of closing it for this reason. */
  ignoreClose?(reason: string): boolean;
  verifier?(inner: JwtVerifier): JwtVerifier;
  textOver?(text: string, limit: number): boolean;
  actingUser?(claimed: unknown, user: User, users: ReadonlyMap<number, User>): User;
  /** The body of a successful OpenIRC login answer to send instead. */
  loginBody?(body: Msg): Msg;
}

const isObj = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);
const dataOf = (m: Msg): Msg | undefined => (isObj(m.data) ? m.data : undefined);
const withData = (m: Msg, patch: Msg): Msg => ({ ...m, data: { ...dataOf(m), ...patch } });
/** Rewrites one error code (ASSA `error_code`, envelope `code`). */
const recode = (field: 'error_code' | 'code', from: string, to: string) => (m: Msg): Msg => (m[field] === from ? { ...m, [field]: to } : m);
/** Leaves one field out of `data` of one ASSA action (a missing field). */
const withoutDataField = (action: string, field: string) => (m: Msg): Msg => {
  const d = dataOf(m);
  if (m.action !== action || !d) return m;
  const { [field]: _drop, ...rest } = d;
  return { ...m, data: rest };
};
/** Drops messages of one name for the first recipient of each (a broadcast that misses a member). */
function skipFirstRecipient(nameField: string, name: string): FaultDef['outbound'] {
  const served = new WeakSet<object>();
  return (m, _s, _c, key) => {
    if (m[nameField] !== name || served.has(key)) return m;
    served.add(key);
    return null;
  };
}

export const FAULTS: readonly FaultDef[] = [
  // ---- ASSA (seed 003) ----
  {
    name: 'assa.seq-id-not-echoed', protocol: 'assa',
    description: 'replies (other than CONNECT_RESPONSE) carry a fresh server seq_id instead of the request\'s',
    outbound: (m) => (typeof m.action === 'string' && m.action.endsWith('_RESPONSE') && m.action !== 'CONNECT_RESPONSE' ? { ...m, seq_id: `srv-${Math.random().toString(36).slice(2)}` } : m),
  },
  {
    name: 'assa.create-room-no-room-id', protocol: 'assa',
    description: 'CREATE_ROOM_RESPONSE leaves out data.room_id (a missing field)',
    outbound: withoutDataField('CREATE_ROOM_RESPONSE', 'room_id'),
  },
  {
    name: 'assa.message-id-as-string', protocol: 'assa',
    description: 'NEW_MESSAGE carries data.message_id as a string (a wrong type)',
    outbound: (m) => (m.action === 'NEW_MESSAGE' && dataOf(m) ? withData(m, { message_id: String((dataOf(m) as Msg).message_id) }) : m),
  },
  {
    name: 'assa.timestamp-not-iso', protocol: 'assa',
    description: 'timestamps in Date.toString() form instead of ISO 8601',
    outbound: (m) => (typeof m.timestamp === 'string' ? { ...m, timestamp: new Date(m.timestamp).toString() } : m),
  },
  {
    name: 'assa.room-not-found-as-permission-denied', protocol: 'assa',
    description: 'a missing room is refused with PERMISSION_DENIED instead of ROOM_NOT_FOUND (a wrong error code)',
    outbound: recode('error_code', 'ROOM_NOT_FOUND', 'PERMISSION_DENIED'),
  },
  {
    name: 'assa.room-full-as-max-participants', protocol: 'assa',
    description: 'a full room is refused with MAX_PARTICIPANTS_REACHED instead of ROOM_FULL',
    outbound: recode('error_code', 'ROOM_FULL', 'MAX_PARTICIPANTS_REACHED'),
  },
  {
    name: 'assa.text-limit-off-by-one', protocol: 'assa',
    description: 'the text limit is one code point short (5,000 characters refused)',
    adjust: (limits) => { limits.maxTextChars -= 1; },
  },
  {
    name: 'assa.text-limit-in-bytes', protocol: 'assa',
    description: 'the text limit counts UTF-8 bytes instead of code points (5,000 Hangul refused)',
    textOver: (text, limit) => Buffer.byteLength(text, 'utf8') > limit,
  },
  {
    name: 'assa.text-limit-in-utf16', protocol: 'assa',
    description: 'the text limit counts UTF-16 code units instead of code points (5,000 emoji refused)',
    textOver: (text, limit) => text.length > limit,
  },
  {
    name: 'assa.image-limit-off-by-one', protocol: 'assa',
    description: 'the image limit is one byte short (10,485,760 bytes refused)',
    adjust: (limits) => { limits.maxImageBytes -= 1; },
  },
  {
    name: 'assa.message-size-off-by-one', protocol: 'assa',
    description: 'the message size limit is one byte long (1,048,577 bytes accepted)',
    adjust: (limits) => { limits.maxMessageBytes += 1; },
  },
  {
    name: 'assa.no-ping', protocol: 'assa',
    description: 'the server never sends PING',
    outbound: (m) => (m.action === 'PING' ? null : m),
  },
  {
    name: 'assa.late-ping', protocol: 'assa',
    description: 'PINGs come at four times the interval',
    adjust: (_l, timers) => { timers.pingInterval *= 4; },
  },
  {
    name: 'assa.no-pong-timeout-drop', protocol: 'assa',
    description: 'a client that sends no PONG is never dropped',
    ignoreClose: (reason) => reason === 'pong timeout',
  },
  {
    name: 'assa.drop-despite-pong', protocol: 'assa',
    description: 'PONGs are ignored, so a client that answers every PING is dropped',
    inbound: (m) => (m.action === 'PONG' ? null : m),
  },
  {
    name: 'assa.no-connect-timeout', protocol: 'assa',
    description: 'a connection that never sends CONNECT is kept open',
    ignoreClose: (reason) => reason === 'connect timeout',
  },
  {
    name: 'assa.broadcast-skips-one-member', protocol: 'assa',
    description: 'each NEW_MESSAGE misses one member of the room',
    outbound: skipFirstRecipient('action', 'NEW_MESSAGE'),
  },
  {
    name: 'assa.broadcast-reordered', protocol: 'assa',
    description: 'NEW_MESSAGEs reach a member with each pair swapped',
    outbound: (m, state) => {
      if (m.action !== 'NEW_MESSAGE') return m;
      const held = state.scratch.get('held') as Msg | undefined;
      if (held) {
        state.scratch.delete('held');
        state.later(0, () => state.emit(held));
        return m;
      }
      state.scratch.set('held', m);
      // A lone message is released late rather than lost.
      state.later(30, () => {
        if (state.scratch.get('held') === m) {
          state.scratch.delete('held');
          state.emit(m);
        }
      });
      return null;
    },
  },
  {
    name: 'assa.broadcast-to-non-members', protocol: 'assa',
    description: 'NEW_MESSAGE also goes to every authenticated connection outside the room',
    outbound: (m, state, ctx, key) => {
      if (m.action !== 'NEW_MESSAGE') return m;
      const leaked = state.scratch.get('leaked') as WeakSet<object> | undefined;
      if (leaked?.has(key)) return null;
      for (const other of ctx.peers) {
        if (other.state === state || other.state.protocol !== 'assa' || other.state.userId === undefined) continue;
        let set = other.state.scratch.get('leaked') as WeakSet<object> | undefined;
        if (!set) other.state.scratch.set('leaked', (set = new WeakSet()));
        if (set.has(key)) continue;
        set.add(key);
        other.state.emit(m);
      }
      return m;
    },
  },
  {
    name: 'assa.user-joined-to-joiner', protocol: 'assa',
    description: 'the joiner also receives its own USER_JOINED',
    outbound: (m, state) => {
      const d = dataOf(m);
      if (m.action === 'JOIN_ROOM_RESPONSE' && m.success === true && d && Array.isArray(d.participants)) {
        const me = (d.participants as Msg[]).find((p) => p.user_id === state.userId);
        if (me) state.later(0, () => state.emit({ action: 'USER_JOINED', data: { room_id: d.room_id, user: me, participants_count: (d.participants as unknown[]).length }, timestamp: new Date().toISOString(), seq_id: `srv-echo-${Math.random().toString(36).slice(2)}` }));
      }
      return m;
    },
  },
  {
    name: 'assa.user-id-trusted', protocol: 'assa',
    description: 'the envelope\'s user_id is trusted over the token: the server acts as that user',
    actingUser: (claimed, user, users) => (typeof claimed === 'number' ? users.get(claimed) ?? user : user),
  },
  {
    name: 'assa.check-receive-failed-as-received', protocol: 'assa',
    description: 'CHECK_RECEIVE reports ids that are not in the room as received',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'CHECK_RECEIVE_RESPONSE' || !d || !Array.isArray(d.failed_messages)) return m;
      return withData(m, { received_messages: [...(d.received_messages as unknown[]), ...d.failed_messages], failed_messages: [] });
    },
  },
  {
    name: 'assa.invite-offline-as-invited', protocol: 'assa',
    description: 'INVITE reports offline users as invited',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'INVITE_RESPONSE' || !d || !Array.isArray(d.invited_users)) return m;
      return withData(m, { invited_users: (d.invited_users as Msg[]).map((u) => ({ ...u, status: 'invited' })) });
    },
  },
  {
    name: 'assa.sdp-relay-keeps-target', protocol: 'assa',
    description: 'the relayed SDP carries target_user_id instead of sender_user_id',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'SDP' || !d || !('sender_user_id' in d)) return m;
      const { sender_user_id: sender, ...rest } = d;
      return { ...m, data: { ...rest, target_user_id: sender } };
    },
  },
  {
    name: 'assa.recovery-unread-zero', protocol: 'assa',
    description: 'CONNECT_RESPONSE always reports unread_messages 0',
    outbound: (m) => {
      const info = dataOf(m)?.reconnection_info;
      return m.action === 'CONNECT_RESPONSE' && isObj(info) ? withData(m, { reconnection_info: { ...info, unread_messages: 0 } }) : m;
    },
  },
  {
    name: 'assa.send-reply-late', protocol: 'assa',
    description: 'SEND_MESSAGE_RESPONSE comes 500 ms after the response timeout',
    outbound: (m, state, ctx) => {
      if (m.action !== 'SEND_MESSAGE_RESPONSE') return m;
      state.later(ctx.timers.responseTimeout + 500, () => state.emit(m));
      return null;
    },
  },
  {
    name: 'assa.disconnect-keeps-connection', protocol: 'assa',
    description: 'after DISCONNECT_RESPONSE the connection is left open',
    ignoreClose: (reason) => reason === 'disconnect',
  },
  {
    name: 'assa.error-without-original-action', protocol: 'assa',
    description: 'ERROR messages leave out data.original_action',
    outbound: withoutDataField('ERROR', 'original_action'),
  },
  {
    name: 'assa.announcement-only-to-room-members', protocol: 'assa',
    description: 'SERVER_ANNOUNCEMENT reaches only connections that created or joined a room (a broadcast that walks the rooms, not the connections)',
    outbound: (m, state) => {
      // Whether this connection has been in a room: its own successful CREATE_ROOM or JOIN_ROOM reply passed here.
      if ((m.action === 'CREATE_ROOM_RESPONSE' || m.action === 'JOIN_ROOM_RESPONSE') && m.success === true) state.scratch.set('in-room', true);
      return m.action === 'SERVER_ANNOUNCEMENT' && state.scratch.get('in-room') !== true ? null : m;
    },
  },
  {
    name: 'assa.announcement-without-message', protocol: 'assa',
    description: 'SERVER_ANNOUNCEMENT leaves out data.message (a missing field)',
    outbound: withoutDataField('SERVER_ANNOUNCEMENT', 'message'),
  },
  // ---- every protocol that verifies JWTs (ASSA CONNECT, envelope handshake, OpenIRC login) ----
  {
    name: 'jwt.alg-none-accepted', protocol: 'all',
    description: 'an unsigned JWT (alg none) is accepted',
    verifier: (inner) => ({
      algorithm: inner.algorithm,
      verify(token) {
        const decoded = jwt.decode(token, { complete: true });
        if (decoded && decoded.header.alg === 'none' && isObj(decoded.payload)) return { ok: true, claims: decoded.payload };
        return inner.verify(token);
      },
    }),
  },
  // ---- envelope (seed 000) ----
  {
    name: 'envelope.error-without-ref-id', protocol: 'envelope',
    description: 'error messages leave out ref_id',
    outbound: (m) => {
      if (m.type !== 'error' || !('ref_id' in m)) return m;
      const { ref_id: _drop, ...rest } = m;
      return rest;
    },
  },
  {
    name: 'envelope.rate-limit-not-enforced', protocol: 'envelope',
    description: 'no rate limit: any number of messages per second is accepted',
    adjust: (limits) => { limits.maxMessagesPerSecond = 1_000_000; },
  },
  {
    name: 'envelope.rate-limit-off-by-one', protocol: 'envelope',
    description: 'the rate limit lets 21 messages a second through',
    adjust: (limits) => { limits.maxMessagesPerSecond += 1; },
  },
  {
    name: 'envelope.not-in-room-as-invalid-message', protocol: 'envelope',
    description: 'a message to a room not joined is refused with invalid_message instead of not_in_room',
    outbound: recode('code', 'not_in_room', 'invalid_message'),
  },
  {
    name: 'envelope.chat-skips-one-member', protocol: 'envelope',
    description: 'each chat.message misses one member of the room',
    outbound: skipFirstRecipient('type', 'chat.message'),
  },
  {
    name: 'envelope.no-ping', protocol: 'envelope',
    description: 'the server never sends ping',
    outbound: (m) => (m.type === 'ping' ? null : m),
  },
  {
    name: 'envelope.no-user-left', protocol: 'envelope',
    description: 'room.leave sends no user.left',
    outbound: (m) => (m.type === 'user.left' ? null : m),
  },
  {
    name: 'envelope.ts-not-iso', protocol: 'envelope',
    description: 'chat.message carries ts as epoch milliseconds instead of ISO 8601',
    outbound: (m) => {
      const d = dataOf(m);
      return m.type === 'chat.message' && d && typeof d.ts === 'string' ? withData(m, { ts: String(Date.parse(d.ts)) }) : m;
    },
  },
  // ---- OpenIRC (seed 001) ----
  {
    name: 'openirc.rid-not-echoed', protocol: 'openirc',
    description: 'replies carry the request\'s rid plus one',
    outbound: (m) => (typeof m.rid === 'number' && m.rid >= 0 ? { ...m, rid: m.rid + 1 } : m),
  },
  {
    name: 'openirc.given-rid-missing', protocol: 'openirc',
    description: 'a reply with rid -1 leaves out given_rid',
    outbound: (m) => {
      if (m.rid !== -1) return m;
      const { given_rid: _drop, ...rest } = m;
      return rest;
    },
  },
  {
    name: 'openirc.wrong-context-path', protocol: 'openirc',
    description: 'invalid_type contexts drop the parent path (connid instead of target.connid)',
    outbound: (m) => (Array.isArray(m.list) ? { ...m, list: (m.list as Msg[]).map((e) => (typeof e.context === 'string' ? { ...e, context: e.context.split('.').pop() } : e)) } : m),
  },
  {
    name: 'openirc.given-type-wrong', protocol: 'openirc',
    description: 'invalid_type errors report given_type float64 for every number',
    outbound: (m) => (Array.isArray(m.list) ? { ...m, list: (m.list as Msg[]).map((e) => (e.given_type === 'number' ? { ...e, given_type: 'float64' } : e)) } : m),
  },
  {
    name: 'openirc.login-without-connections', protocol: 'openirc',
    description: 'the login answer leaves out connections (only the ws URL)',
    loginBody: (body) => {
      const { connections: _drop, ...rest } = body;
      return rest;
    },
  },
  {
    name: 'openirc.double-reply', protocol: 'openirc',
    description: 'every ok reply is sent twice',
    outbound: (m, state) => {
      if (m.kind === 'ok') state.later(0, () => state.emit(m));
      return m;
    },
  },
];

/** Fault names this build understands. */
export const KNOWN_FAULTS: ReadonlySet<string> = new Set(FAULTS.map((f) => f.name));

export interface FaultHooks {
  /** True when at least one fault is on. */
  readonly active: boolean;
  /** Applies the faults to copies of the limits and timers. */
  adjust(limits: ServerLimits, timers: ServerTimers): { limits: ServerLimits; timers: ServerTimers };
  /** Wraps a new connection's Peer; identity when no fault touches the wire. */
  wrapPeer(peer: Peer, protocol: Protocol): Peer;
  /** Wraps a connection's inbound side; identity when no fault touches it. */
  wrapConnection<C extends ProtocolConnection>(conn: C, peer: Peer): ProtocolConnection;
  wrapVerifier(verifier: JwtVerifier): JwtVerifier;
  /** ASSA's text rule when a fault changes how it counts; undefined otherwise. */
  readonly textOver: ((text: string, limit: number) => boolean) | undefined;
  /** ASSA: the user a request acts as, when a fault changes it; undefined otherwise. */
  readonly actingUser: FaultDef['actingUser'];
  /** OpenIRC: rewrites a successful login answer, when a fault does; undefined otherwise. */
  readonly loginBody: FaultDef['loginBody'];
  /** False to skip one timer sweep (heartbeats, connect timeouts). */
  sweep(now: number): boolean;
}

export function faultHooks(names: ReadonlySet<string>): FaultHooks {
  for (const name of names) {
    if (!KNOWN_FAULTS.has(name)) throw ccError('CC_ERR_USAGE', { detail: `unknown fault ${JSON.stringify(name)} (known: ${[...KNOWN_FAULTS].join(', ')})` });
  }
  const on = FAULTS.filter((f) => names.has(f.name));
  const ctx: FaultContext = { limits: undefined as unknown as ServerLimits, timers: undefined as unknown as ServerTimers, peers: new Set() };
  const applies = (f: FaultDef, protocol: Protocol): boolean => f.protocol === 'all' || f.protocol === protocol;
  const wired = on.filter((f) => f.outbound || f.ignoreClose || f.inbound);
  return {
    active: on.length > 0,
    adjust(limits, timers) {
      const l = { ...limits };
      const t = { ...timers };
      for (const f of on) f.adjust?.(l, t);
      ctx.limits = l;
      ctx.timers = t;
      return { limits: l, timers: t };
    },
    wrapPeer(peer, protocol) {
      const faults = wired.filter((f) => applies(f, protocol));
      return faults.length === 0 ? peer : new FaultPeer(peer, protocol, faults, ctx);
    },
    wrapConnection(conn, peer) {
      if (!(peer instanceof FaultPeer)) return conn;
      const inbound = peer.faults.filter((f) => f.inbound);
      if (inbound.length === 0) return conn;
      const codec = peer.state.protocol === 'openirc' ? 'msgpack' : 'json';
      return {
        onMessage(data, isBinary) {
          let msg = decodeMessage(data, codec);
          if (msg) {
            for (const f of inbound) {
              msg = (f.inbound as NonNullable<FaultDef['inbound']>)(msg);
              if (msg === null) return;
            }
          }
          conn.onMessage(data, isBinary);
        },
        onOversize: (bytes) => conn.onOversize(bytes),
        onClose: () => conn.onClose(),
        tick: (now) => conn.tick(now),
      };
    },
    wrapVerifier(verifier) {
      return on.reduce((v, f) => f.verifier?.(v) ?? v, verifier);
    },
    textOver: on.find((f) => f.textOver)?.textOver,
    actingUser: on.find((f) => f.actingUser)?.actingUser,
    loginBody: on.find((f) => f.loginBody)?.loginBody,
    sweep: () => true,
  };
}

function decodeMessage(data: Uint8Array, codec: 'json' | 'msgpack'): Msg | null {
  try {
    const value = codec === 'json' ? JSON.parse(Buffer.from(data).toString('utf8')) : decode(data);
    return isObj(value) ? value : null;
  } catch {
    return null;
  }
}

/** A Peer that passes outbound messages and closes through the active faults. */
class FaultPeer implements Peer {
  readonly state: PeerState;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly inner: Peer, protocol: Protocol, readonly faults: FaultDef[], private readonly ctx: FaultContext) {
    this.state = {
      protocol,
      userId: undefined,
      scratch: new Map(),
      emit: (msg) => this.write(msg),
      later: (ms, fn) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          if (this.inner.isOpen) fn();
        }, ms);
        this.timers.add(t);
      },
    };
    ctx.peers.add(this);
  }

  get transport(): Peer['transport'] {
    return this.inner.transport;
  }

  get remote(): string {
    return this.inner.remote;
  }

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  sendJson(frame: JsonFrame): void {
    const msg = decodeMessage(frame.body, 'json');
    if (!msg) return this.inner.sendJson(frame);
    this.pass(msg, frame);
  }

  sendBinary(data: Uint8Array): void {
    const msg = this.state.protocol === 'openirc' ? decodeMessage(data, 'msgpack') : null;
    if (!msg) return this.inner.sendBinary(data);
    this.pass(msg, data);
  }

  close(code: number, reason: string): void {
    if (this.faults.some((f) => f.ignoreClose?.(reason))) return;
    this.release();
    this.inner.close(code, reason);
  }

  private pass(original: Msg, key: object): void {
    if (original.action === 'CONNECT_RESPONSE' && original.success === true) {
      const id = dataOf(original)?.user_id;
      if (typeof id === 'number') this.state.userId = id;
    }
    let msg: Msg | null = original;
    for (const f of this.faults) {
      if (!f.outbound) continue;
      msg = f.outbound(msg, this.state, this.ctx, key);
      if (msg === null) return;
    }
    this.write(msg);
  }

  private write(msg: Msg): void {
    if (!this.inner.isOpen) return this.release();
    if (this.state.protocol === 'openirc') this.inner.sendBinary(encode(msg));
    else this.inner.sendJson(jsonFrame(msg));
  }

  /** Forgets the connection: pending delayed sends are dropped. */
  private release(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ctx.peers.delete(this);
  }
}
