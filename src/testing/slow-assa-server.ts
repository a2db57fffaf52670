/**
 * A test server for `chat-conform capacity`: a tiny ASSA server over newline-delimited JSON on TCP
 * that is slow on purpose. Its SEND_MESSAGE reply is held back by `delayMs(connections)`, where
 * `connections` is the number of TCP connections open at that moment, so a test knows the true
 * knee exactly: the largest client count n with delayMs(n) under the SLO's bound.
 *
 * It speaks just what the bundled load scenario (scenarios/load/assa-chat.yaml) uses: CONNECT
 * (the JWT's `sub` is the user; the token is decoded, not verified: identity is not under test),
 * CREATE_ROOM, JOIN_ROOM, SEND_MESSAGE (reply delayed, NEW_MESSAGE to the other members at once)
 * and PONG. Replies have the shapes of the ASSA schemas so the engine counts no violations.
 * With `maxConnections`, connections beyond it are closed as soon as they open (a server that
 * stops accepting connections).
 */
import net from 'node:net';
import jwt from 'jsonwebtoken';
import { listenOnLoopback } from './loopback-listen.js';

export interface SlowServerOptions {
  /** Reply delay of SEND_MESSAGE in ms, given the connections open when the request arrives. */
  delayMs: (connections: number) => number;
  /** Connections beyond this are closed on arrival (default: no limit). */
  maxConnections?: number;
}

export interface SlowServer {
  /** tcp://127.0.0.1:port */
  url: string;
  readonly stats: { peakConnections: number; refused: number; replies: number };
  close(): Promise<void>;
}

interface Peer {
  socket: net.Socket;
  userId: number;
  nickname: string;
  rooms: Set<number>;
}

interface Request {
  action?: string;
  seq_id?: string;
  data?: Record<string, unknown>;
}

const now = (): string => new Date().toISOString();

export async function startSlowAssaServer(options: SlowServerOptions): Promise<SlowServer> {
  const stats = { peakConnections: 0, refused: 0, replies: 0 };
  const rooms = new Map<number, { name: string; host: number; members: Set<Peer> }>();
  const timers = new Set<NodeJS.Timeout>();
  let open = 0;
  let nextRoom = 1;
  let nextMessage = 1;
  let nextSeq = 1;

  const write = (peer: Peer, value: unknown): void => {
    if (!peer.socket.destroyed) peer.socket.write(`${JSON.stringify(value)}\n`);
  };
  const reply = (peer: Peer, req: Request, message: string, data: unknown): void =>
    write(peer, { action: `${req.action}_RESPONSE`, success: true, message, data, timestamp: now(), seq_id: req.seq_id });
  const participants = (members: Set<Peer>): unknown[] => [...members].map((m) => ({ user_id: m.userId, nickname: m.nickname, role: 'member' }));

  const handle = (peer: Peer, req: Request): void => {
    const data = req.data ?? {};
    switch (req.action) {
      case 'CONNECT': {
        const claims = jwt.decode(String(data.jwt_token ?? '')) as { sub?: string; nickname?: string } | null;
        peer.userId = Number(claims?.sub ?? 0);
        peer.nickname = claims?.nickname ?? `u${peer.userId}`;
        reply(peer, req, 'connected', { user_id: peer.userId, session_id: `s${peer.userId}`, server_time: now(), reconnection_info: { existing_rooms: [], unread_messages: 0 } });
        return;
      }
      case 'CREATE_ROOM': {
        const id = nextRoom++;
        const room = { name: String(data.name ?? ''), host: peer.userId, members: new Set([peer]) };
        rooms.set(id, room);
        peer.rooms.add(id);
        reply(peer, req, 'room created', { room_id: id, name: room.name, description: '', host_user_id: peer.userId, participants: participants(room.members), created_at: now() });
        return;
      }
      case 'JOIN_ROOM': {
        const id = Number(data.room_id);
        const room = rooms.get(id);
        if (!room) {
          write(peer, { action: 'JOIN_ROOM_RESPONSE', success: false, message: 'no such room', error_code: 'ROOM_NOT_FOUND', timestamp: now(), seq_id: req.seq_id });
          return;
        }
        room.members.add(peer);
        peer.rooms.add(id);
        reply(peer, req, 'joined the room', {
          room_id: id, room_info: { name: room.name, description: '', host_user_id: room.host, participants_count: room.members.size },
          participants: participants(room.members), recent_messages: [],
        });
        return;
      }
      case 'SEND_MESSAGE': {
        const id = Number(data.room_id);
        const room = rooms.get(id);
        const content = String(data.content ?? '');
        const messageId = nextMessage++;
        const createdAt = now();
        if (room) {
          const broadcast = `${JSON.stringify({
            action: 'NEW_MESSAGE', timestamp: createdAt, seq_id: `srv-${nextSeq++}`,
            data: { message_id: messageId, room_id: id, content, message_type: 'text', user: { user_id: peer.userId, nickname: peer.nickname }, created_at: createdAt, reply_to_message_id: null },
          })}\n`;
          for (const m of room.members) if (m !== peer && !m.socket.destroyed) m.socket.write(broadcast);
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          stats.replies++;
          reply(peer, req, 'message sent', { message_id: messageId, room_id: id, content, message_type: 'text', created_at: createdAt });
        }, Math.max(0, options.delayMs(open)));
        timers.add(timer);
        return;
      }
      default:
        // PONG and anything else: no reply.
        return;
    }
  };

  const server = net.createServer((socket) => {
    if (options.maxConnections !== undefined && open >= options.maxConnections) {
      stats.refused++;
      socket.destroy();
      return;
    }
    open++;
    stats.peakConnections = Math.max(stats.peakConnections, open);
    const peer: Peer = { socket, userId: 0, nickname: '', rooms: new Set() };
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) {
          try {
            handle(peer, JSON.parse(line) as Request);
          } catch {
            // Not JSON: this server only serves the load engine, which never sends such lines.
          }
        }
        nl = buffer.indexOf('\n');
      }
    });
    socket.on('close', () => {
      open--;
      for (const id of peer.rooms) rooms.get(id)?.members.delete(peer);
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: `tcp://127.0.0.1:${listening.port}`,
    stats,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await listening.close();
    },
  };
}
