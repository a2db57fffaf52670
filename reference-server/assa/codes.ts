/** ASSA error codes (seed 003 §9.2) and the actions a client may send. */
import type { AssaExtraCode } from '../shared/choices.js';

export const ASSA_ERROR = {
  AUTH_FAILED: 'AUTH_FAILED',
  INVALID_TOKEN: 'INVALID_TOKEN',
  ROOM_NOT_FOUND: 'ROOM_NOT_FOUND',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  ROOM_FULL: 'ROOM_FULL',
  USER_NOT_IN_ROOM: 'USER_NOT_IN_ROOM',
  MESSAGE_TOO_LONG: 'MESSAGE_TOO_LONG',
  INVALID_MESSAGE_TYPE: 'INVALID_MESSAGE_TYPE',
  FILE_UPLOAD_FAILED: 'FILE_UPLOAD_FAILED',
  VIDEO_ROOM_NOT_FOUND: 'VIDEO_ROOM_NOT_FOUND',
  MAX_PARTICIPANTS_REACHED: 'MAX_PARTICIPANTS_REACHED',
} as const;

export type AssaErrorCode = keyof typeof ASSA_ERROR;

/** A code the server may send: §9.2's, or one a variant adds for malformed input (choices.ts). */
export type AssaWireCode = AssaErrorCode | AssaExtraCode;

/** The one-line messages that accompany each code. */
export const ASSA_ERROR_TEXT: Record<AssaWireCode, string> = {
  AUTH_FAILED: 'authentication failed',
  INVALID_TOKEN: 'invalid token',
  ROOM_NOT_FOUND: 'room not found',
  PERMISSION_DENIED: 'permission denied',
  ROOM_FULL: 'the room is full',
  USER_NOT_IN_ROOM: 'the user is not in the room',
  MESSAGE_TOO_LONG: 'message too long',
  INVALID_MESSAGE_TYPE: 'invalid message',
  FILE_UPLOAD_FAILED: 'file upload failed',
  VIDEO_ROOM_NOT_FOUND: 'video room not found',
  MAX_PARTICIPANTS_REACHED: 'maximum number of participants reached',
  INVALID_JSON: 'the message is not a JSON object',
  UNKNOWN_ACTION: 'unknown action',
  INVALID_PARAMETER: 'invalid parameter',
};

/** Client → server actions. PONG gets no reply (assa.D7); every other one gets `<ACTION>_RESPONSE`. */
export const CLIENT_ACTIONS = [
  'CONNECT', 'DISCONNECT', 'CREATE_ROOM', 'JOIN_ROOM', 'EXIT_ROOM', 'ROOM_INFO', 'SEND_MESSAGE', 'CHECK_RECEIVE',
  'INVITE', 'CREATE_VIDEO_ROOM', 'JOIN_VIDEO_ROOM', 'SDP', 'ICE_CANDIDATE', 'MEDIA_STATUS', 'EXIT_VIDEO_ROOM',
  'GET_VIDEO_ROOM_PARTICIPANT', 'PONG',
] as const;

export type ClientAction = (typeof CLIENT_ACTIONS)[number];
