/**
 * ASSA messages as the seed (003) shapes them: replies `{action, success, message, data, timestamp,
 * seq_id}`, failures `{action, success: false, message, error_code, timestamp, seq_id}`, the ERROR
 * message, and the server's own messages for core events. One renderer per server: the variant's
 * choices (choices.ts) set the timestamp precision and any extra fields, the same on every message.
 */
import type { Choices } from '../shared/choices.js';
import { isoTime, withExtraFields } from '../shared/choices.js';
import type { ChatEvent, Member, Message, Room, User, VideoRoom } from '../core/model.js';
import { jsonFrame, type JsonFrame } from '../transport/frame.js';
import { ASSA_ERROR_TEXT, type AssaWireCode } from './codes.js';

type Obj = Record<string, unknown>;

export const participant = (m: Member): { user_id: number; nickname: string; role: string } => ({ user_id: m.user.id, nickname: m.user.nickname, role: m.role });

/** `profile_image` comes from the token's `profile_image` claim; without one it is left out (the spec types it a string). */
export function userCard(user: User): { user_id: number; nickname: string; profile_image?: string } {
  return user.profileImage === null ? { user_id: user.id, nickname: user.nickname } : { user_id: user.id, nickname: user.nickname, profile_image: user.profileImage };
}

export function roomSummary(room: Room): { name: string; description: string; participants_count: number } {
  return { name: room.name, description: room.description, participants_count: room.members.size };
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

export class AssaRender {
  private readonly precision: 'ms' | 's';

  constructor(private readonly choices: Choices) {
    this.precision = choices.assa.timestamps;
  }

  /** A time of the protocol (timestamps, created_at, joined_at, server_time). */
  time(date: Date = new Date()): string {
    return isoTime(date, this.precision);
  }

  success(action: string, seqId: string, message: string, data: Obj): JsonFrame {
    return this.frame({ action: `${action}_RESPONSE`, success: true, message, data, timestamp: this.time(), seq_id: seqId });
  }

  failure(action: string, seqId: string, code: AssaWireCode, detail?: string): JsonFrame {
    return this.frame({
      action: `${action}_RESPONSE`, success: false, message: detail ?? ASSA_ERROR_TEXT[code], error_code: code,
      timestamp: this.time(), seq_id: seqId,
    });
  }

  /** For a message that cannot be attributed to a request, or is refused in that form (assa.D8). */
  error(seqId: string, code: AssaWireCode, originalAction: string | null, details: string): JsonFrame {
    return this.frame({
      action: 'ERROR', success: false, message: ASSA_ERROR_TEXT[code], error_code: code,
      data: { original_action: originalAction, error_details: details }, timestamp: this.time(), seq_id: seqId,
    });
  }

  ping(seqId: string): JsonFrame {
    return this.frame({ action: 'PING', timestamp: this.time(), seq_id: seqId });
  }

  messageView(m: Message): Obj {
    const view: Obj = {
      message_id: m.id, room_id: m.room.id, content: m.content, message_type: m.type, user: userCard(m.sender),
      created_at: this.time(m.createdAt), reply_to_message_id: m.replyTo,
    };
    if (m.fileInfo) view.file_info = m.fileInfo;
    return view;
  }

  /**
   * The server message for a core event, or undefined when ASSA has no such message (named rooms
   * belong to the other protocols). Serialised once per event: the frame is cached on the event.
   */
  eventFrame(event: ChatEvent, nextSeq: () => string): JsonFrame | undefined {
    const cached = event.wire.assa as JsonFrame | null | undefined;
    if (cached !== undefined) return cached ?? undefined;
    const data = this.eventData(event);
    const frame = data ? this.frame({ action: data[0], data: data[1], timestamp: this.time(), seq_id: nextSeq() }) : null;
    event.wire.assa = frame;
    return frame ?? undefined;
  }

  /** Serialises a message, with the variant's extra fields (top level, and in `data` when it is an object). */
  private frame(message: Obj): JsonFrame {
    const { extraData } = this.choices;
    const data = message.data;
    if (extraData && typeof data === 'object' && data !== null && !Array.isArray(data)) message.data = { ...data, ...extraData };
    return jsonFrame(withExtraFields(message, this.choices));
  }

  private eventData(event: ChatEvent): [string, Obj] | undefined {
    switch (event.kind) {
      case 'message':
        return event.message.room.named ? undefined : ['NEW_MESSAGE', this.messageView(event.message)];
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
}
