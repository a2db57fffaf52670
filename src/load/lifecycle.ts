/**
 * A virtual client's life outside its timetable: connect (through the profile's auth: a message
 * with the token, the token in the URL, an HTTP login), create or join its room, come back after a
 * drop with the reconnection policy, and be closed at the end. Membership changes go to the
 * integrity tracker as they happen, so "expected" is exact.
 */
import { performance } from 'node:perf_hooks';
import { ccError, isCcError } from '../errors.js';
import { openClient } from '../auth/open-client.js';
import { splitPath } from '../util/dotted-path.js';
import { evaluate, type Template, type TemplateContext } from '../scenario/template.js';
import { connect } from '../transport/connect.js';
import type { Connection } from '../transport/types.js';
import { ClientState, RequestKind, type RoomState, type VirtualClient } from './client.js';
import { addExample } from './limits.js';
import { readKeys, stampPath } from './paths.js';
import type { MessagePlan } from './plan.js';
import type { LimitProbes } from './probes.js';
import { SendTemplate } from './send-template.js';
import type { SliceState } from './slice-state.js';

export class ClientLifecycle {
  constructor(
    private readonly s: SliceState,
    private readonly probes: LimitProbes,
  ) {}

  start(c: VirtualClient): void {
    if (this.s.stopping || c.state !== ClientState.Idle) return;
    void this.connect(c);
  }

  private async connect(c: VirtualClient): Promise<void> {
    const s = this.s;
    c.state = ClientState.Connecting;
    c.connectStartedAt = performance.now();
    let conn: Connection;
    try {
      conn = await this.open(c, c.token);
    } catch (err) {
      s.counts['connect.errors']++;
      // Counted by its code, and the first of each code kept in words: why the connections failed.
      const code = isCcError(err) ? err.code : 'CC_ERR_INTERNAL';
      s.store.increment(`errors.${code}`);
      s.errorSamples[code] ??= err instanceof Error ? err.message : String(err);
      this.afterLoss(c);
      return;
    }
    if (s.stopping) {
      conn.destroy();
      return;
    }
    s.rec.connect.record((performance.now() - c.connectStartedAt) * 1000);
    s.counts['connections.opened']++;
    s.counts['connections.current']++;
    s.connected++;
    c.conn = conn;
    conn.setListener(c.onEvent);
    const auth = s.profile.auth;
    if (auth.kind === 'message') {
      c.state = ClientState.Authenticating;
      const message: Record<string, unknown> = { [s.protocol.namingField]: auth.message };
      stampPath(message, splitPath(auth.tokenPath), c.token);
      s.request(c, message, RequestKind.Auth, performance.now());
    } else {
      // The token was checked while connecting (query: in the handshake; http-login: the login
      // POST before it): authentication took the whole open.
      if (auth.kind !== 'none') s.rec.auth.record((performance.now() - c.connectStartedAt) * 1000);
      this.authenticated(c);
    }
  }

  private open(c: VirtualClient, token: string): Promise<Connection> {
    const s = this.s;
    const auth = s.profile.auth;
    const { connectTimeout, maxInboundBytes } = s.connection;
    if (auth.kind === 'http-login') {
      // The login dance lives in openClient; no transcript and no frame observer under load (the engine reads neither).
      return openClient(s.profile, { url: s.options.targetUrl, token, connectTimeout, maxInboundBytes, insecure: false, lenient: false, record: false, observe: false })
        .then((r) => {
          if (r.kind === 'open') {
            c.login = r.login ?? null;
            return r.conn;
          }
          // Refused at login (or in the handshake after it): a refusal with its reason, not an outage.
          throw ccError('CC_ERR_TARGET_REFUSED', { target: s.options.targetUrl, reason: r.reason, hint: 'check the signing key and the login the server expects' });
        });
    }
    return connect({
      url: s.options.targetUrl,
      ...s.connection,
      record: false,
      observe: false,
      ...(auth.kind === 'query' && token ? { query: { [auth.param]: token } } : {}),
    });
  }

  /** The reply to a setup request: authentication, the room's creation, a join. */
  onReply(c: VirtualClient, kind: RequestKind.Auth | RequestKind.Create | RequestKind.Join, msg: Record<string, unknown>, failed: boolean, code: string, sentAt: number, at: number): void {
    const s = this.s;
    if (kind === RequestKind.Auth) s.rec.auth.record((at - sentAt) * 1000);
    if (failed) {
      s.store.increment(`errors.${code}`);
      if (kind === RequestKind.Auth) {
        s.tally.authFailed++;
        c.state = ClientState.Dead;
        c.conn?.destroy();
      }
      return;
    }
    if (kind === RequestKind.Auth) return this.authenticated(c);
    if (kind === RequestKind.Create) {
      const room = c.room as RoomState;
      room.id = readKeys(msg, splitPath((s.plan.create as { idPath: string }).idPath));
      this.becomeMember(c);
      for (const w of room.waiting.splice(0)) if (w.state === ClientState.WaitingForRoom) this.join(w);
      return;
    }
    this.becomeMember(c);
  }

  private authenticated(c: VirtualClient): void {
    const s = this.s;
    const now = performance.now();
    if (c.authAt < 0) c.authAt = now;
    c.lastPingAt = now;
    c.awaitingFirstPing = true;
    s.authenticated++;
    if (s.authenticated > s.tally.authenticatedPeak) s.tally.authenticatedPeak = s.authenticated;
    if (c.reconnectAttempt > 0) {
      s.counts.reconnects++;
      c.reconnectAttempt = 0;
    }
    if (c.silent) {
      c.state = ClientState.Silent;
      return;
    }
    const room = c.room;
    if (!room) return this.ready(c);
    if (c.sendProto !== undefined) {
      // Session recovery (assa.D12): membership survives a reconnect, no new join.
      this.becomeMember(c);
      return;
    }
    if (s.plan.create && room.members[0] === c) {
      c.state = ClientState.Joining;
      s.request(c, this.compose(c, s.plan.create), RequestKind.Create, now);
    } else if (room.id === undefined) {
      c.state = ClientState.WaitingForRoom;
      room.waiting.push(c);
    } else this.join(c);
  }

  private join(c: VirtualClient): void {
    const s = this.s;
    if (!s.plan.join) return this.becomeMember(c);
    c.state = ClientState.Joining;
    c.joinId = c.nextId;
    const now = performance.now();
    s.request(c, this.compose(c, s.plan.join), RequestKind.Join, now);
    const barrier = s.protocol.joinBarrier;
    if (barrier) {
      c.barrierId = c.nextId;
      s.request(c, structuredClone(barrier.send), RequestKind.Barrier, now);
    }
  }

  /** Joined (or back after a reconnect): a member, expected to get the room's messages from now on. */
  becomeMember(c: VirtualClient): void {
    const room = c.room as RoomState;
    if (!c.joined) {
      c.joined = true;
      room.active++;
      this.s.tracker.member(room.label, c.name);
    }
    this.ready(c);
  }

  private ready(c: VirtualClient): void {
    const p = this.s.protocol;
    c.state = ClientState.Ready;
    if (c.sendProto !== undefined) return;
    const proto = this.compose(c, this.s.plan.send);
    c.sendProto = proto;
    const original = readKeys(proto, p.markerKeys);
    c.sendSuffix = typeof original === 'string' && original ? ` ${original}` : '';
    if (this.s.profile.codec === 'json') c.sendTemplate = SendTemplate.build(proto, p.markerKeys, c.sendSuffix, p.fillPlan, p.int32Ids ? undefined : c.prefix);
  }

  /** Evaluates a message template for this client (once per client and message, never per send). */
  private compose(c: VirtualClient, spec: MessagePlan): Record<string, unknown> {
    const vars: Record<string, unknown> = {
      client: c.index, user_id: c.userId, nickname: `vu${c.index}`, room: c.room?.index ?? 0, room_id: c.room?.id ?? null, login: c.login,
    };
    const ctx: TemplateContext = {
      lookup: (name) => vars[name],
      has: (name) => name in vars,
      uid: (prefix) => `${prefix}${this.s.options.runTag}${c.index}`,
      now: () => Date.now(),
    };
    const message: Record<string, unknown> = {};
    if (spec.fields) Object.assign(message, evaluate(spec.fields as Template, ctx) as Record<string, unknown>);
    message[this.s.protocol.namingField] = spec.message;
    if (spec.data) message.data = evaluate(spec.data as Template, ctx);
    return message;
  }

  /** Sends wait for it: a room is settled once every member has joined (or given up), never again unsettled. */
  settled(room: RoomState): boolean {
    if (room.settled) return true;
    for (const m of room.members) {
      if (m.state !== ClientState.Ready && m.state !== ClientState.Dead && m.state !== ClientState.Reconnecting) return false;
    }
    room.settled = true;
    return true;
  }

  /** The connection ended: its outstanding requests, its membership, and (the server's doing) a reconnection. */
  onClose(c: VirtualClient, code: number | undefined): void {
    const s = this.s;
    const now = performance.now();
    c.conn = undefined;
    s.connected--;
    s.counts['connections.closed']++;
    s.counts['connections.current']--;
    if (c.room && c.joined) {
      c.joined = false;
      c.room.active--;
      s.tracker.left(c.room.label, c.name);
    }
    const wasAuthenticated = c.state === ClientState.Ready || c.state === ClientState.Silent || c.state === ClientState.Joining || c.state === ClientState.WaitingForRoom;
    if (wasAuthenticated) {
      s.authenticated--;
      c.notePingGap(now - c.lastPingAt, false);
    }
    if (c.pending > 0) c.clearPending((_c, kind) => {
      if (kind === RequestKind.Send) s.counts['replies.lost_on_close']++;
      else s.onExpired(c, kind);
    });
    if (s.stopping || c.state === ClientState.Stopped) {
      c.state = ClientState.Stopped;
      return;
    }
    if (c.state === ClientState.Dead) return;
    s.counts.drops++;
    if (c.serverClosedAt < 0) c.serverClosedAt = now;
    if (c.silent) {
      c.state = ClientState.Dead;
      return;
    }
    if (!this.probes.onServerClose(c, code) && s.plan.limits) {
      s.tally.unexpectedDrops++;
      addExample(s.tally, `client ${c.index} was disconnected${code !== undefined ? ` (close ${code})` : ''} after ${Math.round(now - s.t0)}ms`);
    }
    this.afterLoss(c);
  }

  /** The reconnection policy (ASSA §10.3): a few attempts with growing backoff, then give up. */
  private afterLoss(c: VirtualClient): void {
    const s = this.s;
    const backoff = s.plan.reconnectBackoffMs;
    if (s.stopping) return;
    if (c.reconnectAttempt >= backoff.length) {
      c.state = ClientState.Dead;
      s.counts['reconnect.failed']++;
      return;
    }
    c.state = ClientState.Reconnecting;
    const delay = backoff[c.reconnectAttempt++] as number;
    s.counts['reconnect.attempts']++;
    const t = setTimeout(() => {
      s.timers.delete(t);
      if (!s.stopping) void this.connect(c);
    }, delay);
    s.timers.add(t);
  }

  async close(c: VirtualClient): Promise<void> {
    const conn = c.conn;
    if (c.state !== ClientState.Dead) c.state = ClientState.Stopped;
    if (!conn || conn.closed) return;
    try {
      await conn.close(1000, 'load test finished', 1000);
    } catch {
      conn.destroy();
    }
  }
}
