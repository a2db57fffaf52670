/**
 * What a tool needs to drive one protocol. A Profile is read from the `x-chat-conform` extension
 * and the messages of an AsyncAPI 3.0 document (`schemas/<name>/asyncapi.yaml`): the document is
 * the single source of truth, nothing about a protocol is hard-coded outside it.
 */

import type { MessageInfo } from '../spec/message.js';
import type { DecisionClass, DecisionPolicy, ServerMessagesPolicy } from '../spec/source.js';

/** Who sends a message (src/spec/message.ts): `client` = client → server, `server` = server → client. */
export type { Direction } from '../spec/message.js';

export type CodecName = 'json' | 'msgpack';

/** How messages are delimited on a byte stream (TCP); WebSocket frames delimit by themselves. */
export type FramingName = 'ndjson' | 'length-prefixed';

export type TransportScheme = 'ws' | 'wss' | 'tcp' | 'tcp+lp' | 'tls';

/** How a client authenticates once the transport is open. */
export type AuthSpec =
  /** ASSA: send a message (e.g. CONNECT) carrying a JWT at `tokenPath` and await its reply. */
  | { kind: 'message'; message: string; tokenPath: string; reply: string }
  /** envelope: the token travels in the WebSocket URL's query string. */
  | { kind: 'query'; param: string }
  /** OpenIRC: POST a JSON body to an HTTP path; the reply names the WebSocket URL at `wsUrlPath`. */
  | { kind: 'http-login'; method: 'POST'; path: string; body: Record<string, unknown>; tokenPath: string; wsUrlPath: string }
  | { kind: 'none' };

export interface HeartbeatSpec {
  /** The message the server sends (e.g. PING) and the one the client answers with (e.g. PONG). */
  ping: string;
  pong: string;
  /** Field the answer must echo from the ping (e.g. seq_id). */
  echoField?: string;
  /** Who sends pings. */
  initiator: 'server' | 'client';
}

export interface CorrelationSpec {
  /** Field a request carries (seq_id, rid, id); a dotted path for nested fields. */
  requestField: string;
  /** Field of the reply that echoes it (seq_id, rid, ref_id). */
  replyField: string;
  /** How a client mints values: a unique string, or a wrapping int32 counter. */
  generator: 'string' | 'int32';
}

/** Numbers the spec states (or the design decides where the spec is silent). Override per run. */
export interface ProfileLimits {
  /** Max characters (Unicode code points) of a text message's content. */
  maxTextChars?: number;
  /** Max bytes of one serialised message. */
  maxMessageBytes?: number;
  /** Max declared size of an image (file_info.file_size). */
  maxImageBytes?: number;
  /** Max concurrent connections a server must sustain. */
  maxConnections?: number;
  /** Max messages per second per client before the server answers rate_limited. */
  maxMessagesPerSecond?: number;
}

/** Timers in milliseconds. */
export interface ProfileTimers {
  /** Time a client has to complete authentication after connecting. */
  connectTimeout?: number;
  /** Time within which every request must be answered. */
  responseTimeout?: number;
  /** Max interval between two heartbeat pings. */
  pingInterval?: number;
  /** Time after the last pong at which a silent client is dropped. */
  pongTimeout?: number;
}

/** One decision taken where the seed spec is silent (docs/decisions.md); cases and schemas cite it by id. */
export interface ProfileDecision {
  id: string;
  /** `reading` caps a deviation at NON-STRICT, `choice` at INFORMATIONAL (unless the policy is `enforce`). */
  class: DecisionClass;
  text: string;
  /** Why it has this class, in one line. */
  reason: string;
}

export interface ProfileIsolation {
  /**
   * Dotted paths of client-message fields that name shared server state, such as a room the
   * client names itself (envelope `data.room`, OpenIRC `target.name`): two cases that send the
   * same literal value in one of them run one after the other.
   */
  fields: string[];
}

/** A message of the profile: the spec's own description of it (src/spec/message.ts). */
export type ProfileMessage = MessageInfo;

export interface ProfileOperation {
  /** AsyncAPI operation id. */
  id: string;
  /** The message sent (ids of ProfileMessage). */
  request: string;
  /** The messages that may answer it, correlated by CorrelationSpec. */
  replies: string[];
}

/** What the load engine needs to know of a protocol beyond its messages (`x-chat-conform.load`). */
export interface LoadSettings {
  /**
   * Whether a broadcast's sender gets its own copy: `expected` (the seed says it does: a missing
   * copy is counted as `self_missing`, never as lost) or `allowed` (the seed is silent, or leaves it
   * to a choice: a copy is counted apart, neither required nor an error). Default `allowed`.
   */
  senderCopy: 'expected' | 'allowed';
  /**
   * How to know that a request the protocol never answers on success (envelope's room.join) has
   * been processed: send `send`, a message the seed says is refused with `code` (an unknown type),
   * after it on the same connection; its refusal comes after the request was handled. Without one
   * the engine can only wait for a reply or the scenario's `ack`.
   */
  barrier?: { send: Record<string, unknown>; code: string };
  /**
   * The error code that refuses a text or message over the limits (ASSA: MESSAGE_TOO_LONG). The
   * limits probes count a refusal with this code; without one, any refusal counts.
   */
  tooLong?: string;
}

export interface Profile {
  /** Short name, used on the command line (`assa`, `envelope`, `openirc`). */
  name: string;
  title: string;
  version: string;
  /** Absolute path of the AsyncAPI document. */
  specPath: string;
  /** Absolute path of the folder with the generated schemas. */
  generatedDir: string;
  /** Field that names a message (`action`, `type`, `kind`). */
  namingField: string;
  correlation: CorrelationSpec;
  codec: CodecName;
  /** Framing on stream transports. */
  framing: FramingName;
  /** Transports the protocol is defined over, preferred first. */
  transports: TransportScheme[];
  /** Default port of the protocol, if the spec gives one. */
  defaultPort?: number;
  auth: AuthSpec;
  heartbeat?: HeartbeatSpec;
  /** Name of the server's error message (`ERROR`, `error`). */
  errorMessage?: string;
  /** Dotted path of the error code in a failed reply or error message (`error_code`, `code`, `list[0].kind`). */
  errorCodePath?: string;
  /** Every error code the spec enumerates. */
  errorCodes: string[];
  limits: ProfileLimits;
  timers: ProfileTimers;
  /** Envelope fields a client fills in when a scenario leaves them out (e.g. timestamp, seq_id). */
  autofill: Record<string, 'now-iso' | 'correlation-id'>;
  load: LoadSettings;
  decisions: ProfileDecision[];
  /** `cap` (default): a decision caps a deviation by its class; `enforce`: deviations from decisions FAIL. */
  decisionPolicy: DecisionPolicy;
  /** `closed` (default): a server message the spec does not define is a reading (NON-STRICT); `open`: a choice (INFORMATIONAL). */
  serverMessages: ServerMessagesPolicy;
  /** What makes two cases share server state beyond their users (rooms named by the client), so that they never run side by side. */
  isolation?: ProfileIsolation;
  messages: ProfileMessage[];
  operations: ProfileOperation[];
}
