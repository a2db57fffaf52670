/**
 * One function per authenticated ASSA action (seed 003 §4–§7, decisions assa.D2, D4, D12–D16).
 * Each returns the reply frame; broadcasts leave through the core's event sinks.
 */
import type { AssaChoices } from '../shared/choices.js';
import type { ChatCore } from '../core/chat-core.js';
import type { FileInfo, Outcome, Refusal, User } from '../core/model.js';
import type { JsonFrame } from '../transport/frame.js';
import type { RoomDefaults, ServerLimits } from '../shared/config.js';
import * as f from './fields.js';
import { participant, videoParticipants, type AssaRender } from './render.js';

export interface AssaRequest {
  action: string;
  seqId: string;
  data: f.Data;
  user: User;
}

export interface HandlerContext {
  core: ChatCore;
  limits: ServerLimits;
  rooms: RoomDefaults;
  /** What this server does where the seed is silent (choices.ts). */
  choices: AssaChoices;
  render: AssaRender;
  /** Set only by a fault (faults/, tests of the suites): another way of counting the text limit. */
  textOver?: (text: string, limit: number) => boolean;
}

/** The reply frame, or undefined for an action the variant answers only on failure (assa.D7). */
export type Handler = (ctx: HandlerContext, req: AssaRequest) => JsonFrame | undefined;

const refused = ({ render }: HandlerContext, req: AssaRequest, outcome: Outcome<unknown> & { ok: false }): JsonFrame =>
  render.failure(req.action, req.seqId, outcome.refusal);

/** SEND_MESSAGE and INVITE by a non-member: the variant's code (assa.D12). */
const writeRefusal = ({ choices }: HandlerContext, refusal: Refusal): Refusal =>
  refusal === 'USER_NOT_IN_ROOM' ? choices.nonMemberWriteCode : refusal;

/** The success reply of an action the seed shows without one, when the variant sends it (assa.D7). */
const unanswered = (ctx: HandlerContext, req: AssaRequest, message: string, data: f.Data): JsonFrame | undefined =>
  ctx.choices.replyToUnansweredActions ? ctx.render.success(req.action, req.seqId, message, data) : undefined;

const createRoom: Handler = (ctx, req) => {
  const { core, rooms, render } = ctx;
  const d = req.data;
  const name = f.string(d, 'name');
  const description = f.optionalString(d, 'description', '');
  const isOpen = f.optionalBoolean(d, 'is_open') ?? rooms.isOpen;
  const maxParticipants = f.optionalPositive(d, 'max_participants') ?? rooms.maxParticipants;
  const invited = f.ids(d, 'invited_user_ids', { optional: true });
  const { room } = core.createRoom(req.user, { name, description, isOpen, maxParticipants, invited });
  return render.success(req.action, req.seqId, 'room created', {
    room_id: room.id, name: room.name, description: room.description, host_user_id: room.host.id,
    participants: [...room.members.values()].map(participant), created_at: render.time(room.createdAt),
  });
};

const joinRoom: Handler = (ctx, req) => {
  const { core, limits, render } = ctx;
  const outcome = core.joinRoom(req.user, f.id(req.data, 'room_id'));
  if (!outcome.ok) return refused(ctx, req, outcome);
  const { room } = outcome.value;
  return render.success(req.action, req.seqId, 'joined the room', {
    room_id: room.id,
    room_info: { name: room.name, description: room.description, host_user_id: room.host.id, participants_count: room.members.size },
    participants: [...room.members.values()].map(participant),
    recent_messages: core.recentMessages(room, limits.recentMessages).map((m) => render.messageView(m)),
  });
};

const exitRoom: Handler = (ctx, req) => {
  const { core, choices, render } = ctx;
  const roomId = f.id(req.data, 'room_id');
  const room = core.room(roomId);
  if (room && !room.members.has(req.user.id) && choices.exitByNonMember === 'succeed') {
    return render.success(req.action, req.seqId, 'not in the room', { room_id: room.id });
  }
  const outcome = core.exitRoom(req.user, roomId);
  if (!outcome.ok) return refused(ctx, req, outcome);
  return render.success(req.action, req.seqId, 'left the room', { room_id: outcome.value.id });
};

const roomInfo: Handler = (ctx, req) => {
  const { core, choices, render } = ctx;
  const roomId = f.id(req.data, 'room_id');
  const outcome = choices.roomInfoForNonMember === 'answer' ? core.existingRoom(roomId) : core.memberRoom(req.user, roomId);
  if (!outcome.ok) return refused(ctx, req, outcome);
  const room = outcome.value;
  return render.success(req.action, req.seqId, 'room information', {
    room_id: room.id, name: room.name, description: room.description, is_open: room.isOpen, host_user_id: room.host.id,
    participants_count: room.members.size, max_participants: room.maxParticipants, created_at: render.time(room.createdAt),
    participants: [...room.members.values()].map((m) => ({ ...participant(m), joined_at: render.time(m.joinedAt) })),
  });
};

const sendMessage: Handler = (ctx, req) => {
  const { core, limits, textOver, render, choices } = ctx;
  const d = req.data;
  const roomId = f.id(d, 'room_id');
  const content = f.string(d, 'content');
  const type = d.message_type ?? 'text';
  if (type !== 'text' && type !== 'image') {
    return render.failure(req.action, req.seqId, 'INVALID_MESSAGE_TYPE', 'data.message_type must be "text" or "image"');
  }
  const replyTo = f.optionalId(d, 'reply_to_message_id');
  const clientMessageId = f.nullableString(d, 'client_message_id');
  // Membership before content limits: a non-member learns nothing about the room's rules.
  const member = core.memberRoom(req.user, roomId);
  if (!member.ok) return render.failure(req.action, req.seqId, writeRefusal(ctx, member.refusal));
  if ((textOver ?? f.codePointsOver)(content, limits.maxTextChars)) {
    return render.failure(req.action, req.seqId, 'MESSAGE_TOO_LONG', `content is longer than ${limits.maxTextChars} characters`);
  }
  let fileInfo: FileInfo | null = null;
  if (type === 'image') {
    const info = d.file_info;
    if (!f.isObject(info)) return render.failure(req.action, req.seqId, 'FILE_UPLOAD_FAILED', 'an image needs data.file_info');
    const size = info.file_size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      return render.failure(req.action, req.seqId, 'FILE_UPLOAD_FAILED', 'data.file_info.file_size must be a whole number of bytes');
    }
    if (size > limits.maxImageBytes) {
      return render.failure(req.action, req.seqId, 'FILE_UPLOAD_FAILED', `the image is larger than ${limits.maxImageBytes} bytes`);
    }
    fileInfo = {
      file_path: f.optionalString(info, 'file_path', ''), file_name: f.optionalString(info, 'file_name', ''),
      file_size: size, mime_type: f.optionalString(info, 'mime_type', ''),
    };
  }
  const outcome = core.postMessage(req.user, roomId, { content, type, fileInfo, replyTo, clientMessageId });
  if (!outcome.ok) return refused(ctx, req, outcome);
  const m = outcome.value;
  const data: f.Data = {
    message_id: m.id, room_id: m.room.id, content: m.content, message_type: m.type, created_at: render.time(m.createdAt),
  };
  if (choices.absentEcho === 'null') {
    data.client_message_id = m.clientMessageId;
    data.reply_to_message_id = m.replyTo;
  } else if (m.clientMessageId !== null) data.client_message_id = m.clientMessageId;
  if (m.fileInfo) data.file_info = m.fileInfo;
  return render.success(req.action, req.seqId, 'message sent', data);
};

const checkReceive: Handler = (ctx, req) => {
  const { core, render } = ctx;
  const roomId = f.id(req.data, 'room_id');
  const outcome = core.checkReceive(req.user, roomId, f.ids(req.data, 'message_ids'));
  if (!outcome.ok) return refused(ctx, req, outcome);
  const { received, failed, pending } = outcome.value;
  return render.success(req.action, req.seqId, 'receipts recorded', {
    room_id: roomId, received_messages: received, failed_messages: failed,
    pending_messages: pending.map((m) => ({
      message_id: m.id, content: m.content, user: { user_id: m.sender.id, nickname: m.sender.nickname }, created_at: render.time(m.createdAt),
    })),
  });
};

const invite: Handler = (ctx, req) => {
  const { core, render, choices } = ctx;
  const roomId = f.id(req.data, 'room_id');
  const found = core.memberRoom(req.user, roomId);
  if (found.ok && choices.invitesBy === 'host' && found.value.host !== req.user) {
    return render.failure(req.action, req.seqId, 'PERMISSION_DENIED', 'only the host may invite');
  }
  const outcome = core.invite(req.user, roomId, f.ids(req.data, 'invited_user_ids', { nonEmpty: true }));
  if (!outcome.ok) return render.failure(req.action, req.seqId, writeRefusal(ctx, outcome.refusal));
  return render.success(req.action, req.seqId, 'users invited', {
    room_id: roomId,
    invited_users: outcome.value.invited.map((i) => ({ user_id: i.id, nickname: i.user?.nickname ?? '', status: i.online ? 'invited' : 'offline' })),
  });
};

const createVideoRoom: Handler = (ctx, req) => {
  const { core, rooms, choices, render } = ctx;
  const d = req.data;
  const chatRoomId = f.id(d, 'chat_room_id');
  const name = f.optionalString(d, 'video_room_name', '');
  const max = f.optionalPositive(d, 'max_participants') ?? rooms.videoMaxParticipants;
  const outcome = core.createVideoRoom(req.user, chatRoomId, name, max);
  if (!outcome.ok) return refused(ctx, req, outcome);
  const v = outcome.value;
  if (choices.videoCreatorJoins) core.joinVideoRoom(req.user, v.id);
  return render.success(req.action, req.seqId, 'video room created', {
    video_room_id: v.id, video_room_name: v.name, chat_room_id: v.chatRoom.id, host_user_id: v.host.id,
    participants: videoParticipants(v), max_participants: v.maxParticipants, created_at: render.time(v.createdAt),
  });
};

const joinVideoRoom: Handler = (ctx, req) => {
  const outcome = ctx.core.joinVideoRoom(req.user, f.id(req.data, 'video_room_id'));
  if (!outcome.ok) return refused(ctx, req, outcome);
  return ctx.render.success(req.action, req.seqId, 'joined the video room', { video_room_id: outcome.value.id, participants: videoParticipants(outcome.value) });
};

const exitVideoRoom: Handler = (ctx, req) => {
  const outcome = ctx.core.exitVideoRoom(req.user, f.id(req.data, 'video_room_id'));
  if (!outcome.ok) return refused(ctx, req, outcome);
  return unanswered(ctx, req, 'left the video room', { video_room_id: outcome.value.id });
};

const videoParticipantList: Handler = (ctx, req) => {
  const outcome = ctx.core.videoRoomFor(req.user, f.id(req.data, 'video_room_id'));
  if (!outcome.ok) return refused(ctx, req, outcome);
  return ctx.render.success(req.action, req.seqId, 'video room participants', { video_room_id: outcome.value.id, participants: videoParticipants(outcome.value) });
};

const sdp: Handler = (ctx, req) => {
  const d = req.data;
  const videoRoomId = f.id(d, 'video_room_id');
  const targetId = f.id(d, 'target_user_id');
  const sdpType = f.string(d, 'sdp_type');
  const sdpData = f.string(d, 'sdp_data');
  const outcome = ctx.core.signal(req.user, videoRoomId, targetId, (videoRoom) => ({ kind: 'sdp', videoRoom, from: req.user, sdpType, sdp: sdpData, wire: {} }));
  if (!outcome.ok) return refused(ctx, req, outcome);
  return unanswered(ctx, req, 'relayed', { video_room_id: videoRoomId, target_user_id: targetId });
};

const iceCandidate: Handler = (ctx, req) => {
  const d = req.data;
  const videoRoomId = f.id(d, 'video_room_id');
  const targetId = f.id(d, 'target_user_id');
  const candidate = f.string(d, 'candidate');
  const sdpMid = f.nullableString(d, 'sdp_mid');
  const index = d.sdp_mline_index;
  if (index !== undefined && index !== null && !(typeof index === 'number' && Number.isSafeInteger(index) && index >= 0)) {
    throw new f.BadField('data.sdp_mline_index must be a non-negative integer or null');
  }
  const sdpMLineIndex = (index ?? null) as number | null;
  const outcome = ctx.core.signal(req.user, videoRoomId, targetId, (videoRoom) => ({ kind: 'ice', videoRoom, from: req.user, candidate, sdpMid, sdpMLineIndex, wire: {} }));
  if (!outcome.ok) return refused(ctx, req, outcome);
  return unanswered(ctx, req, 'relayed', { video_room_id: videoRoomId, target_user_id: targetId });
};

const mediaStatus: Handler = (ctx, req) => {
  const d = req.data;
  const videoRoomId = f.id(d, 'video_room_id');
  const audio = f.boolean(d, 'audio_enabled');
  const video = f.boolean(d, 'video_enabled');
  const outcome = ctx.core.setMedia(req.user, videoRoomId, { audio, video });
  if (!outcome.ok) return refused(ctx, req, outcome);
  return unanswered(ctx, req, 'media status updated', { video_room_id: videoRoomId, audio_enabled: audio, video_enabled: video });
};

export const HANDLERS: Readonly<Record<string, Handler>> = {
  CREATE_ROOM: createRoom,
  JOIN_ROOM: joinRoom,
  EXIT_ROOM: exitRoom,
  ROOM_INFO: roomInfo,
  SEND_MESSAGE: sendMessage,
  CHECK_RECEIVE: checkReceive,
  INVITE: invite,
  CREATE_VIDEO_ROOM: createVideoRoom,
  JOIN_VIDEO_ROOM: joinVideoRoom,
  EXIT_VIDEO_ROOM: exitVideoRoom,
  GET_VIDEO_ROOM_PARTICIPANT: videoParticipantList,
  SDP: sdp,
  ICE_CANDIDATE: iceCandidate,
  MEDIA_STATUS: mediaStatus,
};
