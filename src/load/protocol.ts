/**
 * What a slice knows of the protocol, read once from the profile and the plan: where markers,
 * texts, correlation ids and error codes sit, which server message means what, and the facts the
 * engine must never hard-code (whether a sender gets its own copy, the code that refuses an
 * over-long message). The engine asks this object; nothing in it names one protocol.
 */
import { codecFor } from '../codec/index.js';
import type { Codec } from '../codec/types.js';
import type { HeartbeatSpec, Profile } from '../profile/types.js';
import { splitPath } from '../util/dotted-path.js';
import type { SenderCopy } from './integrity.js';
import { readKeys, stampPath } from './paths.js';
import type { LoadPlan } from './plan.js';
import { isoNow, type FillPlan } from './send-template.js';

export type Keys = (string | number)[];

/** Where a failed reply carries its code when the profile does not say (docs/profiles.md, errorCodePath). */
const DEFAULT_ERROR_CODE_PATHS = ['error_code', 'code'];

export class LoadProtocol {
  readonly codec: Codec;
  readonly namingField: string;
  readonly markerKeys: Keys;
  readonly textKeys: Keys;
  readonly replyKeys: Keys;
  readonly requestKeys: Keys;
  readonly autofill: [Keys, 'now-iso' | 'correlation-id'][];
  /** What `fill()` writes, for the send templates. */
  readonly fillPlan: FillPlan;
  /** Correlation ids are a wrapping int32 counter (OpenIRC's rid), not strings. */
  readonly int32Ids: boolean;
  /** The send is answered by a correlated reply other than the error message. */
  readonly sendExpectsReply: boolean;
  readonly senderCopy: SenderCopy;
  /** The sender's own copy of its message is its reply (expected own copies, no correlated success reply). */
  readonly echoIsReply: boolean;
  /** The server message that completes a join without a correlated reply (envelope: user.joined). */
  readonly joinAck: string | undefined;
  /**
   * Sent after a join that no correlated success reply answers, when the profile has a barrier:
   * its refusal, which comes after the join was handled, completes the join. The server's own
   * confirmations (envelope's user.joined to the joiner) are its choice, not something to wait for.
   */
  readonly joinBarrier: { send: Record<string, unknown>; code: string } | undefined;
  readonly deliveryMessage: string;
  readonly errorMessage: string | undefined;
  /** The server's PING, when the server sends them. */
  readonly ping: HeartbeatSpec | undefined;
  /** The code that refuses an over-long text or message (x-chat-conform.load.tooLong); undefined: any refusal counts. */
  readonly tooLong: string | undefined;
  private readonly errorCodeKeys: Keys[];

  constructor(profile: Profile, plan: LoadPlan) {
    this.codec = codecFor(profile.codec);
    this.namingField = profile.namingField;
    this.markerKeys = splitPath(plan.send.markerPath);
    this.textKeys = splitPath(plan.delivery.textPath);
    this.replyKeys = splitPath(profile.correlation.replyField);
    this.requestKeys = splitPath(profile.correlation.requestField);
    this.autofill = Object.entries(profile.autofill).map(([path, kind]) => [splitPath(path), kind]);
    this.fillPlan = { autofill: this.autofill, requestKeys: this.requestKeys };
    this.int32Ids = profile.correlation.generator === 'int32';
    const sendId = profile.messages.find((m) => m.direction === 'client' && m.name === plan.send.message)?.id;
    // A reply the spec lists only as an error (envelope: chat.message is answered only when refused)
    // is not awaited: tracking it would time out every successful send.
    const errorId = profile.messages.find((m) => m.direction === 'server' && m.name === profile.errorMessage)?.id;
    this.sendExpectsReply = profile.operations.some((o) => o.request === sendId && o.replies.some((r) => r !== errorId));
    // The profile says whether a sender gets its own copy; a scenario's `delivery.echo` overrides it.
    this.senderCopy = plan.delivery.echo === undefined ? profile.load.senderCopy : plan.delivery.echo ? 'expected' : 'allowed';
    this.echoIsReply = this.senderCopy === 'expected' && !this.sendExpectsReply;
    this.joinAck = plan.join?.ack;
    const joinId = plan.join ? profile.messages.find((m) => m.direction === 'client' && m.name === plan.join?.message)?.id : undefined;
    const joinAnswered = profile.operations.some((o) => o.request === joinId && o.replies.some((r) => r !== errorId));
    this.joinBarrier = plan.join && !joinAnswered ? profile.load.barrier : undefined;
    this.deliveryMessage = plan.delivery.message;
    this.errorMessage = profile.errorMessage;
    this.ping = profile.heartbeat?.initiator === 'server' ? profile.heartbeat : undefined;
    this.tooLong = profile.load.tooLong;
    this.errorCodeKeys = (profile.errorCodePath === undefined ? DEFAULT_ERROR_CODE_PATHS : [profile.errorCodePath]).map(splitPath);
  }

  /** The code of a failed reply or error message, `UNKNOWN` when it has none where the profile says. */
  errorCode(msg: Record<string, unknown>): string {
    for (const keys of this.errorCodeKeys) {
      const code = readKeys(msg, keys);
      if (code !== undefined && code !== null) return String(code);
    }
    return 'UNKNOWN';
  }

  /** A refusal of an over-long text or message: the profile's code, or any code when it names none. */
  refusesTooLong(code: string): boolean {
    return this.tooLong === undefined || code === this.tooLong;
  }

  /** A correlation value for request `id` of a client whose string ids start with `prefix`. */
  correlationId(prefix: string, id: number): string | number {
    return this.int32Ids ? id : prefix + id;
  }

  /** Autofills what the message leaves out (timestamp, correlation id) and sets the correlation field. */
  fill(message: Record<string, unknown>, prefix: string, id: number): void {
    for (const [keys, kind] of this.autofill) {
      if (readKeys(message, keys) !== undefined) continue;
      stampPath(message, keys, kind === 'now-iso' ? isoNow() : this.correlationId(prefix, id));
    }
    // A correlation field the profile does not autofill is still set: replies need it.
    if (readKeys(message, this.requestKeys) === undefined) stampPath(message, this.requestKeys, this.correlationId(prefix, id));
  }
}
