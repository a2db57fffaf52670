/**
 * The chat core: users, sessions, rooms, messages and receipts, invitations, video rooms and
 * announcements. Pure state and rules; events leave through each session's EventSink.
 */
import type {
  Announcement, ChatEvent, EventSink, FileInfo, MediaState, Member, Message, Outcome, Refusal, Room, Session, User, VideoRoom,
} from './model.js';

export interface CoreOptions {
  roomHistory: number;
  defaultMaxParticipants: number;
  defaultIsOpen: boolean;
  defaultVideoMaxParticipants: number;
  /** A room that is not open admits invited users only (assa.D12); false: anyone may join it. */
  closedRoomNeedsInvitation: boolean;
  /** The sender's own sessions also receive its message in an id room (assa.D11). */
  senderCopy: boolean;
}

export interface NewRoom {
  name: string;
  description: string;
  isOpen?: boolean;
  maxParticipants?: number;
  invited: readonly number[];
}

export interface NewMessage {
  content: string;
  type: 'text' | 'image';
  fileInfo: FileInfo | null;
  replyTo: number | null;
  clientMessageId: string | null;
}

export interface ReceiptReport {
  received: number[];
  failed: number[];
  pending: Message[];
}

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const refuse = <T>(refusal: Refusal): Outcome<T> => ({ ok: false, refusal });

export class ChatCore {
  readonly users = new Map<number, User>();
  readonly rooms = new Map<number, Room>();
  readonly namedRooms = new Map<string, Room>();
  readonly videoRooms = new Map<number, VideoRoom>();
  private nextRoomId = 1;
  private nextMessageId = 1;
  private nextVideoRoomId = 1;
  private nextSessionId = 1;
  private readonly sessionPrefix = `s${Date.now().toString(36)}`;
  messagesPosted = 0;

  constructor(private readonly options: CoreOptions) {}

  // ---- users and sessions ----

  /** Registers an authenticated session; the nickname from the newest token wins. */
  openSession(userId: number, nickname: string, profileImage: string | null, sink: EventSink): Session {
    let user = this.users.get(userId);
    if (!user) {
      user = { id: userId, nickname, profileImage, sessions: new Set() };
      this.users.set(userId, user);
    } else {
      user.nickname = nickname;
      user.profileImage = profileImage;
    }
    const session: Session = { id: `${this.sessionPrefix}-${this.nextSessionId++}`, user, sink, namedRooms: new Set() };
    user.sessions.add(session);
    return session;
  }

  /** Ends a session. Membership of id rooms survives (session recovery); named rooms are left. */
  closeSession(session: Session): void {
    const { user } = session;
    if (!user.sessions.delete(session)) return;
    for (const room of session.namedRooms) this.leaveNamed(session, room);
    if (user.sessions.size === 0) {
      for (const video of this.videoRooms.values()) this.removeParticipant(video, user);
    }
  }

  /** ASSA session recovery: the rooms the user is in (ascending) and how many messages it missed. */
  recoveryInfo(user: User): { rooms: number[]; unread: number } {
    const rooms: number[] = [];
    let unread = 0;
    for (const room of this.rooms.values()) {
      const member = room.named ? undefined : room.members.get(user.id);
      if (!member) continue;
      rooms.push(room.id);
      for (const state of member.receipts.values()) if (state === 'pending') unread++;
    }
    return { rooms: rooms.sort((a, b) => a - b), unread };
  }

  // ---- rooms addressed by id (ASSA) ----

  createRoom(host: User, spec: NewRoom): { room: Room; invitedOnline: User[] } {
    const room = this.makeRoom(spec.name, false, host);
    room.description = spec.description;
    room.isOpen = spec.isOpen ?? this.options.defaultIsOpen;
    room.maxParticipants = spec.maxParticipants ?? this.options.defaultMaxParticipants;
    room.members.set(host.id, { user: host, role: 'host', joinedAt: room.createdAt, receipts: new Map() });
    const invitedOnline: User[] = [];
    for (const id of spec.invited) {
      if (id === host.id || room.invited.has(id)) continue;
      room.invited.add(id);
      const user = this.users.get(id);
      if (user && user.sessions.size > 0) invitedOnline.push(user);
    }
    if (invitedOnline.length > 0) this.emit(invitedOnline, { kind: 'invitation', room, inviter: host, wire: {} });
    return { room, invitedOnline };
  }

  room(id: number): Room | undefined {
    const room = this.rooms.get(id);
    return room && !room.named ? room : undefined;
  }

  /** The room, whoever asks. */
  existingRoom(roomId: number): Outcome<Room> {
    const room = this.room(roomId);
    return room ? ok(room) : refuse('ROOM_NOT_FOUND');
  }

  /** The room, if `user` is a member of it. */
  memberRoom(user: User, roomId: number): Outcome<Room> {
    const found = this.existingRoom(roomId);
    if (found.ok && !found.value.members.has(user.id)) return refuse('USER_NOT_IN_ROOM');
    return found;
  }

  /** Joins a room; joining again is a no-op that still succeeds (and broadcasts nothing). */
  joinRoom(user: User, roomId: number): Outcome<{ room: Room; member: Member; fresh: boolean }> {
    const room = this.room(roomId);
    if (!room) return refuse('ROOM_NOT_FOUND');
    const existing = room.members.get(user.id);
    if (existing) return ok({ room, member: existing, fresh: false });
    if (!room.isOpen && this.options.closedRoomNeedsInvitation && !room.invited.has(user.id)) return refuse('PERMISSION_DENIED');
    if (room.members.size >= room.maxParticipants) return refuse('ROOM_FULL');
    const member: Member = { user, role: 'member', joinedAt: new Date(), receipts: new Map() };
    room.members.set(user.id, member);
    room.invited.delete(user.id);
    this.emit(this.othersOf(room, user), { kind: 'joined', room, member, wire: {} });
    return ok({ room, member, fresh: true });
  }

  exitRoom(user: User, roomId: number): Outcome<Room> {
    const found = this.memberRoom(user, roomId);
    if (!found.ok) return found;
    this.removeMember(found.value, user);
    return found;
  }

  invite(inviter: User, roomId: number, userIds: readonly number[]): Outcome<{ room: Room; invited: { id: number; user: User | undefined; online: boolean }[] }> {
    const found = this.memberRoom(inviter, roomId);
    if (!found.ok) return refuse(found.refusal);
    const room = found.value;
    const invited: { id: number; user: User | undefined; online: boolean }[] = [];
    const online: User[] = [];
    for (const id of userIds) {
      const user = this.users.get(id);
      const isOnline = user !== undefined && user.sessions.size > 0;
      if (!room.members.has(id)) room.invited.add(id);
      invited.push({ id, user, online: isOnline });
      if (isOnline && id !== inviter.id) online.push(user);
    }
    if (online.length > 0) this.emit(online, { kind: 'invitation', room, inviter, wire: {} });
    return ok({ room, invited });
  }

  // ---- messages and receipts ----

  /** Stores a message and delivers it to every member but the sender (unless senderCopy), in send order. */
  postMessage(sender: User, roomId: number, spec: NewMessage): Outcome<Message> {
    const found = this.memberRoom(sender, roomId);
    if (!found.ok) return refuse(found.refusal);
    return ok(this.post(found.value, sender, spec));
  }

  private post(room: Room, sender: User, spec: NewMessage): Message {
    const message: Message = {
      id: this.nextMessageId++, room, sender, content: spec.content, type: spec.type, fileInfo: spec.fileInfo,
      replyTo: spec.replyTo, clientMessageId: spec.clientMessageId, createdAt: new Date(),
    };
    room.messages.push(message);
    room.messageIndex.set(message.id, message);
    if (room.messages.length > this.options.roomHistory) this.forget(room, room.messages.shift() as Message);
    this.messagesPosted++;
    const event: ChatEvent = { kind: 'message', message, wire: {} };
    for (const member of room.members.values()) {
      if (member.user === sender && !this.options.senderCopy) continue;
      if (member.user.sessions.size === 0) member.receipts.set(message.id, 'pending');
      else for (const s of member.user.sessions) s.sink.deliver(event);
    }
    return message;
  }

  private forget(room: Room, message: Message): void {
    room.messageIndex.delete(message.id);
    for (const member of room.members.values()) member.receipts.delete(message.id);
  }

  /**
   * CHECK_RECEIVE (assa.D14): marks the given ids received, reports those that exist and those
   * that do not, and hands over the pending messages (oldest first), which count as delivered.
   */
  checkReceive(user: User, roomId: number, messageIds: readonly number[]): Outcome<ReceiptReport> {
    const found = this.memberRoom(user, roomId);
    if (!found.ok) return refuse(found.refusal);
    const room = found.value;
    const member = room.members.get(user.id) as Member;
    const received: number[] = [];
    const failed: number[] = [];
    for (const id of messageIds) {
      if (room.messageIndex.has(id)) {
        member.receipts.set(id, 'received');
        received.push(id);
      } else failed.push(id);
    }
    const pending: Message[] = [];
    for (const [id, state] of member.receipts) {
      if (state !== 'pending') continue;
      const message = room.messageIndex.get(id);
      if (message) pending.push(message);
      member.receipts.delete(id);
    }
    return ok({ received, failed, pending });
  }

  recentMessages(room: Room, count: number): Message[] {
    return count <= 0 ? [] : room.messages.slice(-count);
  }

  // ---- rooms addressed by name (envelope rooms, OpenIRC channels) ----

  /** Joins a named room, creating it (open, default capacity) on first use. */
  joinNamed(session: Session, name: string): Outcome<{ room: Room; fresh: boolean }> {
    let room = this.namedRooms.get(name);
    if (!room) {
      room = this.makeRoom(name, true, session.user);
      room.isOpen = true;
      room.maxParticipants = this.options.defaultMaxParticipants;
      this.namedRooms.set(name, room);
    }
    session.namedRooms.add(room);
    if (room.members.has(session.user.id)) return ok({ room, fresh: false });
    if (room.members.size >= room.maxParticipants) {
      session.namedRooms.delete(room);
      return refuse('ROOM_FULL');
    }
    const member: Member = { user: session.user, role: room.members.size === 0 ? 'host' : 'member', joinedAt: new Date(), receipts: new Map() };
    room.members.set(session.user.id, member);
    this.emit(this.membersOf(room), { kind: 'joined', room, member, wire: {} });
    return ok({ room, fresh: true });
  }

  namedRoom(name: string): Room | undefined {
    return this.namedRooms.get(name);
  }

  /** Leaves a named room for this session; the user leaves when none of its sessions is in it. */
  leaveNamed(session: Session, room: Room): boolean {
    if (!session.namedRooms.delete(room)) return false;
    for (const other of session.user.sessions) if (other !== session && other.namedRooms.has(room)) return true;
    const members = this.membersOf(room);
    this.removeMember(room, session.user);
    this.emit(members, { kind: 'left', room, user: session.user, wire: {} });
    return true;
  }

  /** Posts to a named room: every member's sessions get it, the sender's included. */
  postNamed(session: Session, room: Room, content: string): Message | undefined {
    if (!session.namedRooms.has(room)) return undefined;
    const message: Message = {
      id: this.nextMessageId++, room, sender: session.user, content, type: 'text', fileInfo: null,
      replyTo: null, clientMessageId: null, createdAt: new Date(),
    };
    this.messagesPosted++;
    this.emit(this.membersOf(room), { kind: 'message', message, wire: {} });
    return message;
  }

  typing(session: Session, room: Room): boolean {
    if (!session.namedRooms.has(room)) return false;
    this.emit(this.othersOf(room, session.user), { kind: 'typing', room, user: session.user, wire: {} });
    return true;
  }

  /** A direct message to every live session of the users with this nickname. */
  direct(from: User, nickname: string, content: string): number {
    const targets: User[] = [];
    for (const user of this.users.values()) if (user.nickname === nickname && user.sessions.size > 0) targets.push(user);
    this.emit(targets, { kind: 'direct', from, to: nickname, content, wire: {} });
    return targets.length;
  }

  // ---- video rooms ----

  createVideoRoom(host: User, chatRoomId: number, name: string, maxParticipants: number | undefined): Outcome<VideoRoom> {
    const found = this.memberRoom(host, chatRoomId);
    if (!found.ok) return refuse(found.refusal);
    const video: VideoRoom = {
      id: this.nextVideoRoomId++, name, chatRoom: found.value, host,
      maxParticipants: maxParticipants ?? this.options.defaultVideoMaxParticipants, createdAt: new Date(), participants: new Map(),
    };
    this.videoRooms.set(video.id, video);
    found.value.videoRooms.add(video);
    return ok(video);
  }

  /** The video room, if `user` may see it (a member of its chat room). */
  videoRoomFor(user: User, videoRoomId: number): Outcome<VideoRoom> {
    const video = this.videoRooms.get(videoRoomId);
    if (!video) return refuse('VIDEO_ROOM_NOT_FOUND');
    if (!video.chatRoom.members.has(user.id)) return refuse('USER_NOT_IN_ROOM');
    return ok(video);
  }

  /** The video room, if `user` is one of its participants. */
  participantRoom(user: User, videoRoomId: number): Outcome<VideoRoom> {
    const video = this.videoRooms.get(videoRoomId);
    if (!video) return refuse('VIDEO_ROOM_NOT_FOUND');
    if (!video.participants.has(user.id)) return refuse('USER_NOT_IN_ROOM');
    return ok(video);
  }

  joinVideoRoom(user: User, videoRoomId: number): Outcome<VideoRoom> {
    const found = this.videoRoomFor(user, videoRoomId);
    if (!found.ok) return found;
    const video = found.value;
    if (!video.participants.has(user.id)) {
      if (video.participants.size >= video.maxParticipants) return refuse('MAX_PARTICIPANTS_REACHED');
      video.participants.set(user.id, { user, media: { audio: true, video: true } });
    }
    return found;
  }

  exitVideoRoom(user: User, videoRoomId: number): Outcome<VideoRoom> {
    const found = this.participantRoom(user, videoRoomId);
    if (found.ok) this.removeParticipant(found.value, user);
    return found;
  }

  /** Relays SDP or ICE to one participant; both ends must be participants. */
  signal(from: User, videoRoomId: number, targetId: number, build: (video: VideoRoom) => ChatEvent): Outcome<VideoRoom> {
    const found = this.participantRoom(from, videoRoomId);
    if (!found.ok) return found;
    const target = found.value.participants.get(targetId);
    if (!target) return refuse('USER_NOT_IN_ROOM');
    this.emit([target.user], build(found.value));
    return found;
  }

  setMedia(user: User, videoRoomId: number, media: MediaState): Outcome<VideoRoom> {
    const found = this.participantRoom(user, videoRoomId);
    if (!found.ok) return found;
    const participant = found.value.participants.get(user.id);
    if (participant) participant.media = { ...media };
    const others: User[] = [];
    for (const p of found.value.participants.values()) if (p.user !== user) others.push(p.user);
    this.emit(others, { kind: 'media', videoRoom: found.value, user, media: { ...media }, wire: {} });
    return found;
  }

  // ---- announcements ----

  /** Delivers to every live session; returns how many received it. */
  announce(announcement: Announcement): number {
    const event: ChatEvent = { kind: 'announcement', announcement, wire: {} };
    let count = 0;
    for (const user of this.users.values()) {
      for (const s of user.sessions) {
        s.sink.deliver(event);
        count++;
      }
    }
    return count;
  }

  // ---- helpers ----

  private makeRoom(name: string, named: boolean, host: User): Room {
    const room: Room = {
      id: this.nextRoomId++, name, named, description: '', isOpen: true, maxParticipants: this.options.defaultMaxParticipants,
      host, createdAt: new Date(), members: new Map(), invited: new Set(), messages: [], messageIndex: new Map(),
      videoRooms: new Set(), topic: '',
    };
    this.rooms.set(room.id, room);
    return room;
  }

  private removeMember(room: Room, user: User): void {
    const member = room.members.get(user.id);
    if (!member) return;
    room.members.delete(user.id);
    for (const video of room.videoRooms) this.removeParticipant(video, user);
    if (room.members.size === 0) {
      this.rooms.delete(room.id);
      if (room.named) this.namedRooms.delete(room.name);
      for (const video of room.videoRooms) this.videoRooms.delete(video.id);
      return;
    }
    // The longest-standing member inherits the host role.
    if (member.role === 'host') {
      const heir = room.members.values().next().value as Member;
      heir.role = 'host';
      room.host = heir.user;
    }
  }

  private removeParticipant(video: VideoRoom, user: User): void {
    video.participants.delete(user.id);
  }

  private membersOf(room: Room): User[] {
    const users: User[] = [];
    for (const m of room.members.values()) users.push(m.user);
    return users;
  }

  private othersOf(room: Room, user: User): User[] {
    const users: User[] = [];
    for (const m of room.members.values()) if (m.user !== user) users.push(m.user);
    return users;
  }

  /** Hands one event object to every live session of the given users. */
  private emit(users: readonly User[], event: ChatEvent): void {
    for (const user of users) for (const s of user.sessions) s.sink.deliver(event);
  }
}
