/**
 * The reference server's configuration: what `startReferenceServer` accepts and the resolved form
 * the rest of the server reads. Limit and timer defaults come from the profile documents.
 */
import type { VerificationKey } from '../../src/auth/jwt.js';
import { DEV_JWT_SECRET } from '../../src/auth/jwt.js';
import { ccError } from '../../src/errors.js';
import { loadProfile } from '../../src/profile/load.js';
import { choicesFor, type Choices, type RoomDefaults, type ServerVariant } from './choices.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';

export type ProfileSelection = 'assa' | 'envelope' | 'openirc' | 'all';

export interface ServerLimits {
  /** Max Unicode code points of a text message (ASSA `data.content`). */
  maxTextChars: number;
  /** Max bytes of one serialised inbound message (line without `\n`, or frame payload). */
  maxMessageBytes: number;
  /** Max declared image size (`file_info.file_size`). */
  maxImageBytes: number;
  /** Max concurrent connections over all front ends; the next one is refused at once. */
  maxConnections: number;
  /** envelope: messages per second per connection before `rate_limited`. */
  maxMessagesPerSecond: number;
  /** Outbound bytes buffered for one connection before it is dropped as a slow consumer. */
  maxOutboundBufferBytes: number;
  /** Messages kept per room (older ones are forgotten; CHECK_RECEIVE then reports them failed). */
  roomHistory: number;
  /** Messages returned in JOIN_ROOM_RESPONSE `recent_messages`. */
  recentMessages: number;
}

export interface ServerTimers {
  /** Time a connection has to complete CONNECT (ASSA) or to present its session (OpenIRC). */
  connectTimeout: number;
  /** The spec's reply deadline. The server answers synchronously, so this is only reported. */
  responseTimeout: number;
  /** Max interval between two heartbeat pings. */
  pingInterval: number;
  /** A connection silent (no pong) this long after its last pong is dropped. */
  pongTimeout: number;
  /** How long close() waits for connections to end before destroying them. */
  closeGrace: number;
}

export interface ReferenceServerOptions {
  profiles?: ProfileSelection | ProfileSelection[];
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = ephemeral (the default for the API). */
  tcpPort?: number;
  wsPort?: number;
  httpPort?: number;
  /** Default: HS256 with DEV_JWT_SECRET. */
  jwt?: VerificationKey;
  limits?: Partial<ServerLimits>;
  timers?: Partial<ServerTimers>;
  /** Overrides the variant's room defaults. */
  rooms?: Partial<RoomDefaults>;
  logger?: Logger;
  /**
   * Which choices the server makes where the seeds are silent (choices.ts): `reference` (the
   * default, docs/decisions.md) or `other-choices` (the opposite reading at every silent point).
   */
  variant?: ServerVariant;
  /** Named fault points that alter behaviour (see faults/); empty for a conformant server. Apply on top of the variant. */
  faults?: Iterable<string>;
}

export interface ServerConfig {
  profiles: ReadonlySet<'assa' | 'envelope' | 'openirc'>;
  host: string;
  tcpPort: number;
  wsPort: number;
  httpPort: number;
  jwt: VerificationKey;
  limits: ServerLimits;
  timers: ServerTimers;
  rooms: RoomDefaults;
  logger: Logger;
  variant: ServerVariant;
  choices: Choices;
  faults: ReadonlySet<string>;
}

/**
 * Defaults: the spec's numbers come from the profile documents (`x-chat-conform.limits` and
 * `.timers` of schemas/assa and schemas/envelope, read by loadProfile); only the server's own
 * internals (buffers, history, close grace) are set here. Room defaults belong to the variant.
 */
export function specDefaults(): { limits: ServerLimits; timers: ServerTimers } {
  const assa = loadProfile('assa');
  const envelope = loadProfile('envelope');
  const need = (value: number | undefined, what: string): number => {
    if (value === undefined) throw ccError('CC_ERR_SPEC_EXTENSION', { path: assa.specPath, detail: `no default for ${what}` });
    return value;
  };
  return {
    limits: {
      maxTextChars: need(assa.limits.maxTextChars, 'limits.maxTextChars'),
      maxMessageBytes: need(assa.limits.maxMessageBytes, 'limits.maxMessageBytes'),
      maxImageBytes: need(assa.limits.maxImageBytes, 'limits.maxImageBytes'),
      maxConnections: need(assa.limits.maxConnections, 'limits.maxConnections'),
      maxMessagesPerSecond: need(envelope.limits.maxMessagesPerSecond, 'envelope limits.maxMessagesPerSecond'),
      maxOutboundBufferBytes: 8 * 1024 * 1024,
      roomHistory: 1000,
      recentMessages: 50,
    },
    timers: {
      connectTimeout: need(assa.timers.connectTimeout, 'timers.connectTimeout'),
      responseTimeout: need(assa.timers.responseTimeout, 'timers.responseTimeout'),
      pingInterval: need(assa.timers.pingInterval, 'timers.pingInterval'),
      pongTimeout: need(assa.timers.pongTimeout, 'timers.pongTimeout'),
      closeGrace: 1000,
    },
  };
}

export function resolveConfig(options: ReferenceServerOptions = {}): ServerConfig {
  const defaults = specDefaults();
  const choices = choicesFor(options.variant);
  const selected = Array.isArray(options.profiles) ? options.profiles : [options.profiles ?? 'all'];
  const profiles = new Set<'assa' | 'envelope' | 'openirc'>();
  for (const p of selected) {
    if (p === 'all') ['assa', 'envelope', 'openirc'].forEach((n) => profiles.add(n as 'assa'));
    else profiles.add(p);
  }
  return {
    profiles,
    host: options.host ?? '127.0.0.1',
    tcpPort: options.tcpPort ?? 0,
    wsPort: options.wsPort ?? 0,
    httpPort: options.httpPort ?? 0,
    jwt: options.jwt ?? { secret: DEV_JWT_SECRET },
    limits: { ...defaults.limits, ...stripUndefined(options.limits) },
    timers: { ...defaults.timers, ...stripUndefined(options.timers) },
    rooms: { ...choices.rooms, ...stripUndefined(options.rooms) },
    logger: options.logger ?? silentLogger,
    variant: choices.variant,
    choices,
    faults: new Set(options.faults ?? []),
  };
}

export type { RoomDefaults, ServerVariant };

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
