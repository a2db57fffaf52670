/**
 * The plumbing of fault injection (FOR TESTING THE CONFORMANCE SUITES ONLY; the faults themselves
 * live in one file per protocol beside this one). Protocol code never checks a fault by name: a
 * fault acts only at these points —
 * - the resolved limits and timers (`adjust`),
 * - every connection's Peer: outbound messages and closes (`outbound`, `ignoreClose`),
 * - every connection's inbound messages (`inbound`),
 * - the JWT verifier (`verifier`), ASSA's text-length rule (`textOver`), the user an ASSA
 *   request acts as (`actingUser`) and OpenIRC's login answer (`loginBody`),
 * - the timer sweep.
 * The hooks sit between a protocol front end and the transport, so they apply to whatever the
 * front end sends, whichever server variant (reference-server/choices.ts) it follows.
 */
import { decode, encode } from '@msgpack/msgpack';
import type { JwtVerifier } from '../../src/auth/jwt.js';
import { ccError } from '../../src/errors.js';
import type { ServerLimits, ServerTimers } from '../shared/config.js';
import type { User } from '../core/model.js';
import { jsonFrame, type JsonFrame } from '../transport/frame.js';
import type { Peer, ProtocolConnection } from '../transport/peer.js';

export type Protocol = 'assa' | 'envelope' | 'openirc';
export type Msg = Record<string, unknown>;

/** What a fault's outbound hook may see and do on one connection. */
export interface PeerState {
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

export interface FaultContext {
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
  /**
   * What the fault breaks: `seed` (a rule the seed states or shows: the suites must FAIL it), or
   * the id of the decision it departs from (docs/decisions.md: capped, so it shows as NON-STRICT
   * or INFORMATIONAL, and FAILs only under `--decisions enforce`). Metadata for the mutation test.
   */
  readonly breaks: string;
  /**
   * Server variants on which the fault departs from nothing, and why (a fault that rewrites a
   * choice the variant does not make). Metadata for the mutation test.
   */
  readonly inert?: Readonly<Record<string, string>>;
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

export const isObj = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);
export const dataOf = (m: Msg): Msg | undefined => (isObj(m.data) ? m.data : undefined);

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

/** The hooks of the faults of `catalogue` named in `names`; an unknown name is a usage error. */
export function createFaultHooks(catalogue: readonly FaultDef[], names: ReadonlySet<string>): FaultHooks {
  const known = new Set(catalogue.map((f) => f.name));
  for (const name of names) {
    if (!known.has(name)) throw ccError('CC_ERR_USAGE', { detail: `unknown fault ${JSON.stringify(name)} (known: ${[...known].join(', ')})` });
  }
  const on = catalogue.filter((f) => names.has(f.name));
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
