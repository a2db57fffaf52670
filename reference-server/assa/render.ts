/**
 * ASSA messages as the seed (003) shapes them: replies `{action, success, message, data, timestamp,
 * seq_id}`, failures `{action, success: false, message, error_code, timestamp, seq_id}`, the ERROR
 * message, and the server's own messages for core events. Timestamps are ISO 8601 UTC with ms.
 */
import type { ChatEvent, Member, Message, Room, User, VideoRoom } from '../core/model.js';
import { jsonFrame, type JsonFrame } from '../transport/frame.js';
import { ASSA_ERROR_TEXT, type AssaErrorCode } from './codes.js';

export function success(action: string, seqId: string, message: string, data: unknown): JsonFrame {
  return jsonFrame({ action: `${action}_RESPONSE`, success: true, message, data, timestamp: new Date().toISOString(), seq_id: seqId });
}

export function failure(action: string, seqId: string, code: AssaErrorCode, detail?: string): JsonFrame {
  return jsonFrame({
    action: `${action}_RESPONSE`, success: false, message: detail ?? ASSA_ERROR_TEXT[code], error_code: code,
    timestamp: new Date().toISOString(), seq_id: seqId,
  });
}

/** For a message that cannot be attributed to a request (assa.D8). */
export function errorMessage(seqId: string, code: AssaErrorCode, originalAction: string, details: string): JsonFrame {
  return jsonFrame({
    action: 'ERROR', success: false, message: ASSA_ERROR_TEXT[code], error_code: code,
    data: { original_action: originalAction, error_details: details }, timestamp: new Date().toISOString(), seq_id: seqId,
  });
}

export function ping(seqId: string): JsonFrame {
  return jsonFrame({ action: 'PING', timestamp: new Date().toISOString(), seq_id: seqId });
}

export const participant = (m: Member): { user_id: number; nickname: string; role: string } => ({ user_id: m.user.id, nickname: m.user.nickname, role: m.role });

/** `profile_image` comes from the token's `profile_image` claim; without one it is left out (the spec types it a string). */
export function userCard(user: User): { user_id: number; nickname: string; profile_image?: string } {
  return user.profileImage === null ? { user_id: user.id, nickname: user.nickname } : { user_id: user.id, nickname: user.nickname, profile_image: user.profileImage };
}

export function messageView(m: Message): Record<string, unknown> {
  const view: Record<string, unknown> = {
    message_id: m.id, room_id: m.room.id, content: m.content, message_type: m.type, user: userCard(m.sender),
    created_at: m.createdAt.toISOString(), reply_to_message_id: m.replyTo,
  };
  if (m.fileInfo) view.file_info = m.fileInfo;
  return view;
}

export function videoParticipants(video: VideoRoom): unknown[] {
  const list: unknown[] = [];
  for (const p of video.participants.values()) {
    list.push({
      user_id: p.user.id, nickname: p.user.nickname, role: p.user === video.host ? 'host' : 'participant',
      media_status: { audio_enabled: p.media.audio, video_enabled: p.media.video },
    });
  }
  return list;
}

export function roomSummary(room: Room): { name: string; description: string; participants_count: number } {
  return { name: room.name, description: room.description, participants_count: room.members.size };
}

/**
 * The server message for a core event, or undefined when ASSA has no such message (named rooms
 * belong to the other protocols). Serialised once per event: the frame is cached on the event.
 */
export function eventFrame(event: ChatEvent, nextSeq: () => string): JsonFrame | undefined {
  const cached = event.wire.assa as JsonFrame | null | undefined;
  if (cached !== undefined) return cached ?? undefined;
  const data = eventData(event);
  const frame = data ? jsonFrame({ action: data[0], data: data[1], timestamp: new Date().toISOString(), seq_id: nextSeq() }) : null;
  event.wire.assa = frame;
  return frame ?? undefined;
}

function eventData(event: ChatEvent): [string, unknown] | undefined {
  switch (event.kind) {
    case 'message':
      return event.message.room.named ? undefined : ['NEW_MESSAGE', messageView(event.message)];
    case 'joined':
      return event.room.named ? undefined : ['USER_JOINED', { room_id: event.room.id, user: participant(event.member), participants_count: event.room.members.size }];
    case 'invitation':
      return ['INVITATION_RECEIVED', { room_id: event.room.id, room_info: roomSummary(event.room), inviter: userCard(event.inviter) }];
    case 'media':
      return ['PARTICIPANT_MEDIA_STATUS', {
        video_room_id: event.videoRoom.id, user_id: event.user.id, nickname: event.user.nickname,
        audio_enabled: event.media.audio, video_enabled: event.media.video,
      }];
    case 'sdp':
      return ['SDP', { video_room_id: event.videoRoom.id, sender_user_id: event.from.id, sdp_type: event.sdpType, sdp_data: event.sdp }];
    case 'ice':
      return ['ICE_CANDIDATE', {
        video_room_id: event.videoRoom.id, sender_user_id: event.from.id, candidate: event.candidate,
        sdp_mid: event.sdpMid, sdp_mline_index: event.sdpMLineIndex,
      }];
    case 'announcement':
      return ['SERVER_ANNOUNCEMENT', { ...event.announcement }];
    default:
      return undefined;
  }
}
