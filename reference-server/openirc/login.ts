/**
 * OpenIRC's token login (openirc.D1): `POST /login/ {"method": "token", "token": <jwt>}` answers
 * the user's connections and a WebSocket URL carrying a one-time session key.
 */
import { randomBytes } from 'node:crypto';
import type { JwtVerifier } from '../../src/auth/jwt.js';
import type { ChatCore } from '../core/chat-core.js';
import { identityFromClaims, type Identity } from '../identity.js';
import { CONNID } from './connection.js';

export interface LoginReply {
  status: number;
  body: unknown;
}

export class OpenIrcLogin {
  private readonly pending = new Map<string, { identity: Identity; expires: number }>();

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly core: ChatCore,
    private readonly keyLifetime: number,
    /** Where the WebSocket lives, known once the server listens. */
    private readonly wsEndpoint: () => { url: string; host: string; port: number },
  ) {}

  login(body: unknown): LoginReply {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: { error: 'invalid_request' } };
    const b = body as Record<string, unknown>;
    if (b.method !== 'token') return { status: 400, body: { error: 'unsupported_method' } };
    if (typeof b.token !== 'string') return { status: 401, body: { error: 'invalid_token' } };
    const verified = this.verifier.verify(b.token);
    const identity = verified.ok ? identityFromClaims(verified.claims) : undefined;
    if (!identity) return { status: 401, body: { error: 'invalid_token' } };
    this.expire(Date.now());
    const key = randomBytes(16).toString('hex');
    this.pending.set(key, { identity, expires: Date.now() + this.keyLifetime });
    const ws = this.wsEndpoint();
    const user = this.core.users.get(identity.userId);
    const channels = [];
    for (const room of this.core.namedRooms.values()) {
      if (!room.members.has(identity.userId)) continue;
      channels.push({ name: room.name, topic: room.topic, users: [...room.members.values()].map((m) => ({ nickname: m.user.nickname })) });
    }
    return {
      status: 200,
      body: {
        connections: [{
          name: 'chat-conform', url: ws.host, port: ws.port, ssl: false, connid: CONNID, seq: this.core.messagesPosted,
          user: { nickname: user?.nickname ?? identity.nickname, realname: identity.nickname, username: `user${identity.userId}`, password: '' },
          channels,
        }],
        ws: `${ws.url}?session=${key}`,
      },
    };
  }

  /** Consumes a session key: valid once, until it expires. */
  redeem(key: string | null): Identity | undefined {
    if (!key) return undefined;
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    this.pending.delete(key);
    return entry.expires >= Date.now() ? entry.identity : undefined;
  }

  private expire(now: number): void {
    for (const [key, entry] of this.pending) if (entry.expires < now) this.pending.delete(key);
  }
}
