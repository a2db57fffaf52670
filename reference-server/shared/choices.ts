/**
 * What the reference server does where the seeds are silent, as one typed object per server
 * variant. The front ends consult these fields; none of them tests a variant by name.
 *
 * - `reference`: the choices of docs/decisions.md, which the bundled suites were written against.
 * - `other-choices`: a second opinion. At every silent point it takes the opposite (or another
 *   legitimate) choice, while keeping everything the seeds state or show: message names, the
 *   fields and types of the seeds' examples, the listed limits and timers, and each listed error
 *   code used for its stated meaning. It is a correct server by another author's reading, so a
 *   suite that FAILs it is judging our decisions, not the spec (issue 13).
 *
 * Each field names the decision (docs/decisions.md) whose silent point it covers.
 */
import { ccError } from '../../src/errors.js';

export const SERVER_VARIANTS = ['reference', 'other-choices'] as const;
export type ServerVariant = (typeof SERVER_VARIANTS)[number];

/** Defaults of a room whose creation request leaves them out. */
export interface RoomDefaults {
  /** ASSA CREATE_ROOM without `max_participants` (assa.D12); also the capacity of named rooms. */
  maxParticipants: number;
  /** ASSA CREATE_ROOM without `is_open` (assa.D12). */
  isOpen: boolean;
  /** CREATE_VIDEO_ROOM without `max_participants` (assa.D16). */
  videoMaxParticipants: number;
}

/** Codes ASSA uses beyond §9.2's list ("main error codes", an open list). */
export type AssaExtraCode = 'INVALID_JSON' | 'UNKNOWN_ACTION' | 'INVALID_PARAMETER';

export interface AssaChoices {
  /**
   * A field echoing what the request did not give. `omit`: SEND_MESSAGE_RESPONSE leaves out
   * `client_message_id` (and `reply_to_message_id`), ERROR says `original_action: "UNKNOWN"` when
   * the action cannot be read. `null`: each is present as null. assa.D7, assa.D8.
   */
  absentEcho: 'omit' | 'null';
  /** Timestamps: ISO 8601 with milliseconds, or whole seconds (`2024-01-01T12:00:00Z`). assa.D11. */
  timestamps: 'ms' | 's';
  /** Server-originated seq_ids: a counter with a boot prefix, or UUIDs. assa.D11. */
  serverSeqIds: 'counter' | 'uuid';
  /** The sender also receives its own NEW_MESSAGE (before its SEND_MESSAGE_RESPONSE). assa.D11. */
  senderCopy: boolean;
  /** Whether a room created with `is_open: false` needs an invitation to join. assa.D12. */
  closedRoomNeedsInvitation: boolean;
  /** ROOM_INFO by a non-member: refused (USER_NOT_IN_ROOM), or answered in full. assa.D12. */
  roomInfoForNonMember: 'refuse' | 'answer';
  /** EXIT_ROOM by a non-member of an existing room: refused, or a success (idempotent). assa.D12. */
  exitByNonMember: 'refuse' | 'succeed';
  /** The code refusing SEND_MESSAGE and INVITE by a non-member (both fit §9.2's meanings). assa.D12. */
  nonMemberWriteCode: 'USER_NOT_IN_ROOM' | 'PERMISSION_DENIED';
  /** Who may INVITE: any member, or the host only (others: PERMISSION_DENIED). assa.D12. */
  invitesBy: 'member' | 'host';
  /** Order of CONNECT_RESPONSE `reconnection_info.existing_rooms`. assa.D15. */
  existingRoomsOrder: 'ascending' | 'descending';
  /** The creator of a video room is its first participant (listed in the reply). assa.D16. */
  videoCreatorJoins: boolean;
  /** SDP, ICE_CANDIDATE, MEDIA_STATUS, EXIT_VIDEO_ROOM and DISCONNECT, which the seed shows without a reply: answered on success, or not (a failure is still answered). assa.D7. */
  replyToUnansweredActions: boolean;
  /** A request other than CONNECT before CONNECT: `<ACTION>_RESPONSE` or `ERROR` (AUTH_FAILED either way). assa.D8, assa.D9. */
  beforeConnectForm: 'response' | 'error';
  /** CONNECT whose jwt_token is missing, empty or not a JWT at all. assa.D9. */
  notAJwtCode: 'AUTH_FAILED' | 'INVALID_TOKEN';
  /** Codes for malformed input (§9.2's INVALID_MESSAGE_TYPE, or codes of the server's own). assa.D8. */
  malformedCodes: {
    /** Not UTF-8, not JSON, not an object, a binary frame. */
    notJson: 'INVALID_MESSAGE_TYPE' | AssaExtraCode;
    /** No `action`, or one the server does not know. */
    unknownAction: 'INVALID_MESSAGE_TYPE' | AssaExtraCode;
    /** A known action with a field of the wrong type (or no seq_id). */
    badField: 'INVALID_MESSAGE_TYPE' | AssaExtraCode;
  };
  /** WebSocket close codes of the two timers (TCP has none). assa.D5, assa.D6. */
  closeCodes: { connectTimeout: number; pongTimeout: number };
  /**
   * Heartbeat. `pingEvery`: a PING every interval, or every half interval (both are "at most the
   * interval apart"). `dropFrom`: the pong timeout runs from the last PONG (or CONNECT_RESPONSE),
   * or from the first PING left unanswered since the last PONG. assa.D5.
   */
  heartbeat: { pingEvery: 'interval' | 'half-interval'; dropFrom: 'last-pong' | 'first-unanswered-ping' };
  /** A message over the size limit: an ERROR reply, or closing the connection (WebSocket 1009). assa.D3. */
  oversize: { tcp: 'error' | 'close'; ws: 'error' | 'close' };
  /** Connection number maxConnections + 1: closed at once (WebSocket 1013, TCP an ERROR line), or refused before it opens (WebSocket HTTP 503, TCP closed without a line). assa.D18. */
  overCapacity: 'close' | 'refuse';
}

export type EnvelopeCode = 'unknown_type' | 'rate_limited' | 'invalid_message' | 'not_in_room' | 'invalid_json' | 'forbidden' | 'bad_request' | 'room_full';

export interface EnvelopeChoices {
  /** A missing or invalid token: HTTP 401 in the handshake, or accept and close with this code. envelope.D1. */
  badToken: { refuse: 'handshake' } | { refuse: 'close'; code: number };
  /** `user.joined` / `user.left` also reach the joiner / leaver. envelope.D3. */
  presenceToSelf: boolean;
  /** `chat.message` also reaches its sender. envelope.D3. */
  chatEcho: boolean;
  /** `ts` of chat.message: ISO 8601 with milliseconds or whole seconds (the seed shows seconds). envelope.D3. */
  timestamps: 'ms' | 's';
  /** Codes beyond the seed's two examples (unknown_type, rate_limited). envelope.D4. */
  codes: { notJson: EnvelopeCode; badShape: EnvelopeCode; notInRoom: EnvelopeCode; roomFull: EnvelopeCode };
  /** The 20 messages per second counted over a sliding window, or in fixed one-second windows. envelope.D4. */
  rateWindow: 'sliding' | 'fixed';
  /** A ping every interval with the drop counted from the last pong, or one ping outstanding at a time with the drop counted from it. envelope.D5. */
  heartbeat: 'interval' | 'one-outstanding';
  /** WebSocket close code on the pong timeout. envelope.D5. */
  pongTimeoutClose: number;
}

/** Names for `given_type` (openirc.D3). The seed shows "number" for 12.34, so every variant keeps it. */
export interface TypeNames {
  nil: string;
  boolean: string;
  number: 'number';
  string: string;
  binary: string;
  array: string;
  map: string;
  extension: string;
}

export interface OpenIrcChoices {
  /** HTTP status of a login with a bad token. openirc.D1. */
  badTokenStatus: 401 | 403;
  /** The WebSocket URL's session key: redeemable once, or until it expires. openirc.D1. */
  sessionKey: 'one-time' | 'reusable';
  /** `given_type` vocabulary. openirc.D3. */
  typeNames: TypeNames;
  /** The server pushes `join` and `leave` events to channel members. openirc.D5. */
  presenceEvents: boolean;
  /** Channel `message` events also reach their sender. openirc.D5. */
  messageEcho: boolean;
}

export interface Choices {
  readonly variant: ServerVariant;
  /** Fields added to every reply and server message of every protocol (none for the reference). */
  readonly extraFields: Readonly<Record<string, unknown>> | undefined;
  /** ASSA only: a field added to every `data` that is an object. */
  readonly extraData: Readonly<Record<string, unknown>> | undefined;
  readonly rooms: RoomDefaults;
  readonly assa: AssaChoices;
  readonly envelope: EnvelopeChoices;
  readonly openirc: OpenIrcChoices;
}

const MSGPACK_TYPE_NAMES: TypeNames = { nil: 'nil', boolean: 'boolean', number: 'number', string: 'string', binary: 'binary', array: 'array', map: 'map', extension: 'extension' };

const REFERENCE: Choices = {
  variant: 'reference',
  extraFields: undefined,
  extraData: undefined,
  rooms: { maxParticipants: 100, isOpen: true, videoMaxParticipants: 10 },
  assa: {
    absentEcho: 'omit',
    timestamps: 'ms',
    serverSeqIds: 'counter',
    senderCopy: false,
    closedRoomNeedsInvitation: true,
    roomInfoForNonMember: 'refuse',
    exitByNonMember: 'refuse',
    nonMemberWriteCode: 'USER_NOT_IN_ROOM',
    invitesBy: 'member',
    existingRoomsOrder: 'ascending',
    videoCreatorJoins: false,
    replyToUnansweredActions: true,
    beforeConnectForm: 'response',
    notAJwtCode: 'AUTH_FAILED',
    malformedCodes: { notJson: 'INVALID_MESSAGE_TYPE', unknownAction: 'INVALID_MESSAGE_TYPE', badField: 'INVALID_MESSAGE_TYPE' },
    closeCodes: { connectTimeout: 4408, pongTimeout: 4408 },
    heartbeat: { pingEvery: 'interval', dropFrom: 'last-pong' },
    oversize: { tcp: 'error', ws: 'close' },
    overCapacity: 'close',
  },
  envelope: {
    badToken: { refuse: 'handshake' },
    presenceToSelf: true,
    chatEcho: true,
    timestamps: 'ms',
    codes: { notJson: 'invalid_message', badShape: 'invalid_message', notInRoom: 'not_in_room', roomFull: 'invalid_message' },
    rateWindow: 'sliding',
    heartbeat: 'interval',
    pongTimeoutClose: 4408,
  },
  openirc: {
    badTokenStatus: 401,
    sessionKey: 'one-time',
    typeNames: MSGPACK_TYPE_NAMES,
    presenceEvents: false,
    messageEcho: false,
  },
};

const OTHER: Choices = {
  variant: 'other-choices',
  extraFields: { server_version: '1.0.0-other-choices' },
  extraData: { extra: { node: 'node-1' } },
  rooms: { maxParticipants: 1000, isOpen: false, videoMaxParticipants: 16 },
  assa: {
    absentEcho: 'null',
    timestamps: 's',
    serverSeqIds: 'uuid',
    senderCopy: true,
    closedRoomNeedsInvitation: false,
    roomInfoForNonMember: 'answer',
    exitByNonMember: 'succeed',
    nonMemberWriteCode: 'PERMISSION_DENIED',
    invitesBy: 'host',
    existingRoomsOrder: 'descending',
    videoCreatorJoins: true,
    replyToUnansweredActions: false,
    beforeConnectForm: 'error',
    notAJwtCode: 'INVALID_TOKEN',
    malformedCodes: { notJson: 'INVALID_JSON', unknownAction: 'UNKNOWN_ACTION', badField: 'INVALID_PARAMETER' },
    closeCodes: { connectTimeout: 1008, pongTimeout: 1001 },
    heartbeat: { pingEvery: 'half-interval', dropFrom: 'first-unanswered-ping' },
    oversize: { tcp: 'close', ws: 'error' },
    overCapacity: 'refuse',
  },
  envelope: {
    badToken: { refuse: 'close', code: 4401 },
    presenceToSelf: false,
    chatEcho: false,
    timestamps: 's',
    codes: { notJson: 'invalid_json', badShape: 'bad_request', notInRoom: 'forbidden', roomFull: 'room_full' },
    rateWindow: 'fixed',
    heartbeat: 'one-outstanding',
    pongTimeoutClose: 1001,
  },
  openirc: {
    badTokenStatus: 403,
    sessionKey: 'reusable',
    typeNames: { nil: 'null', boolean: 'bool', number: 'number', string: 'str', binary: 'bytes', array: 'list', map: 'dict', extension: 'ext' },
    presenceEvents: true,
    messageEcho: true,
  },
};

const BY_VARIANT: Readonly<Record<ServerVariant, Choices>> = { reference: REFERENCE, 'other-choices': OTHER };

export function choicesFor(variant: string = 'reference'): Choices {
  const choices = BY_VARIANT[variant as ServerVariant];
  if (!choices) throw ccError('CC_ERR_USAGE', { detail: `unknown server variant ${JSON.stringify(variant)} (known: ${SERVER_VARIANTS.join(', ')})` });
  return choices;
}

/** An ISO 8601 UTC timestamp with milliseconds, or with whole seconds. */
export function isoTime(date: Date, precision: 'ms' | 's'): string {
  const iso = date.toISOString();
  return precision === 'ms' ? iso : `${iso.slice(0, 19)}Z`;
}

/** `value` with the variant's extra top-level fields (the same object when there are none). */
export function withExtraFields<T extends object>(value: T, choices: Choices): T {
  return choices.extraFields ? { ...value, ...choices.extraFields } : value;
}
