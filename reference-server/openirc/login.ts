/**
 * OpenIRC's token login (openirc.D1): `POST /login/ {"method": "token", "token": <jwt>}` answers
 * the user's connections and a WebSocket URL carrying a session key, redeemable once or until it
 * expires (choices.ts).
 */
import { randomBytes } from 'node:crypto';
import type { JwtVerifier } from '../../src/auth/jwt.js';
import { withExtraFields, type Choices } from '../shared/choices.js';
import type { ChatCore } from '../core/chat-core.js';
import { identityFromClaims, type Identity } from '../shared/identity.js';
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
    private readonly choices: Choices,
  ) {}

  login(body: unknown): LoginReply {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return { status: 400, body: { error: 'invalid_request' } };
    const b = body as Record<string, unknown>;
    if (b.method !== 'token') return { status: 400, body: { error: 'unsupported_method' } };
    const badToken = { status: this.choices.openirc.badTokenStatus, body: { error: 'invalid_token' } };
    if (typeof b.token !== 'string') return badToken;
    const verified = this.verifier.verify(b.token);
    const identity = verified.ok ? identityFromClaims(verified.claims) : undefined;
    if (!identity) return badToken;
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
      body: withExtraFields({
        connections: [{
          name: 'chat-conform', url: ws.host, port: ws.port, ssl: false, connid: CONNID, seq: this.core.messagesPosted,
          user: { nickname: user?.nickname ?? identity.nickname, realname: identity.nickname, username: `user${identity.userId}`, password: '' },
          channels,
        }],
        ws: `${ws.url}?session=${key}`,
      }, this.choices),
    };
  }

  /** Redeems a session key until it expires: once, or as often as asked (choices.ts). */
  redeem(key: string | null): Identity | undefined {
    if (!key) return undefined;
    const entry = this.pending.get(key);
    if (!entry) return undefined;
    if (this.choices.openirc.sessionKey === 'one-time' || entry.expires < Date.now()) this.pending.delete(key);
    return entry.expires >= Date.now() ? entry.identity : undefined;
  }

  private expire(now: number): void {
    for (const [key, entry] of this.pending) if (entry.expires < now) this.pending.delete(key);
  }
}
