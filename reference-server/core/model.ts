/**
 * The chat core's nouns. No protocol or socket code lives here: front ends translate requests into
 * core calls and core events into their own wire format.
 */

export interface User {
  readonly id: number;
  nickname: string;
  profileImage: string | null;
  /** Live sessions of this user (one per authenticated connection, any protocol). */
  readonly sessions: Set<Session>;
}

/** Receives the events addressed to one session; implemented by a front end. */
export interface EventSink {
  deliver(event: ChatEvent): void;
}

export interface Session {
  readonly id: string;
  readonly user: User;
  readonly sink: EventSink;
  /** Named rooms this session joined (envelope, OpenIRC): left when the session ends. */
  readonly namedRooms: Set<Room>;
}

/** Per member and message: absent = delivered; otherwise pending (missed while offline) or received. */
export type ReceiptState = 'pending' | 'received';

export interface Member {
  readonly user: User;
  role: 'host' | 'member';
  readonly joinedAt: Date;
  /** Insertion order = message order, so pending messages come out oldest first. */
  readonly receipts: Map<number, ReceiptState>;
}

export interface Room {
  readonly id: number;
  /** Set for rooms addressed by name (envelope rooms, OpenIRC channels). */
  readonly name: string;
  readonly named: boolean;
  description: string;
  isOpen: boolean;
  maxParticipants: number;
  host: User;
  readonly createdAt: Date;
  /** In join order. */
  readonly members: Map<number, Member>;
  readonly invited: Set<number>;
  /** The last `roomHistory` messages, oldest first. */
  readonly messages: Message[];
  readonly messageIndex: Map<number, Message>;
  readonly videoRooms: Set<VideoRoom>;
  topic: string;
}

export interface FileInfo {
  file_path: string;
  file_name: string;
  file_size: number;
  mime_type: string;
}

export interface Message {
  readonly id: number;
  readonly room: Room;
  readonly sender: User;
  readonly content: string;
  readonly type: 'text' | 'image';
  readonly fileInfo: FileInfo | null;
  readonly replyTo: number | null;
  readonly clientMessageId: string | null;
  readonly createdAt: Date;
}

export interface MediaState {
  audio: boolean;
  video: boolean;
}

export interface VideoRoom {
  readonly id: number;
  readonly name: string;
  readonly chatRoom: Room;
  readonly host: User;
  readonly maxParticipants: number;
  readonly createdAt: Date;
  /** In join order. */
  readonly participants: Map<number, { user: User; media: MediaState }>;
}

export interface Announcement {
  title: string;
  message: string;
  priority: string;
  announcement_type: string;
}

/**
 * One event of the core, created once per broadcast and handed to every recipient's sink, so each
 * front end can serialise it once (in `wire`) whatever the number of recipients.
 */
export type ChatEvent = (
  | { kind: 'message'; message: Message }
  | { kind: 'joined'; room: Room; member: Member }
  | { kind: 'left'; room: Room; user: User }
  | { kind: 'typing'; room: Room; user: User }
  | { kind: 'invitation'; room: Room; inviter: User }
  | { kind: 'media'; videoRoom: VideoRoom; user: User; media: MediaState }
  | { kind: 'sdp'; videoRoom: VideoRoom; from: User; sdpType: string; sdp: string }
  | { kind: 'ice'; videoRoom: VideoRoom; from: User; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }
  | { kind: 'direct'; from: User; to: string; content: string }
  | { kind: 'announcement'; announcement: Announcement }
) & { readonly wire: WireCache };

/** Per-protocol serialisations of one event; filled lazily by the front ends. */
export interface WireCache {
  assa?: unknown;
  envelope?: unknown;
  openirc?: unknown;
}

/** Why the core refused an operation; front ends map these to their protocol's codes. */
export type Refusal =
  | 'ROOM_NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'ROOM_FULL'
  | 'USER_NOT_IN_ROOM'
  | 'VIDEO_ROOM_NOT_FOUND'
  | 'MAX_PARTICIPANTS_REACHED';

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };
