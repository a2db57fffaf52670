/**
 * A tiny ASSA server over newline-delimited JSON on TCP, for tests of `load` and `capacity` that
 * need a server to misbehave in one exact, counted way:
 * - slow on purpose (capacity): the SEND_MESSAGE reply is held back by `delayMs(connections)`,
 *   where `connections` is the number of TCP connections open at that moment, so a test knows the
 *   true knee exactly: the largest client count n with delayMs(n) under the SLO's bound;
 * - broadcast faults (delivery integrity), counted over the copies of NEW_MESSAGE it writes to the
 *   members other than the sender (n = 1, 2, ...): `echo` also sends the sender its own copy (the
 *   seed allows it); `dropEvery k` drops copy n when n % k == 0; `duplicateEvery k` writes it
 *   twice; `leakEvery k` also writes every k-th message to a client in another room;
 * - `maxConnections`: connections beyond it are closed as soon as they open (a server that stops
 *   accepting connections);
 * - `shapes`: replies and broadcasts that break the schema, for the schema evidence.
 *
 * It speaks just what the bundled load scenario (scenarios/load/assa-chat.yaml) uses: CONNECT
 * (the JWT's `sub` is the user; the token is decoded, not verified: identity is not under test),
 * CREATE_ROOM, JOIN_ROOM, SEND_MESSAGE (NEW_MESSAGE to the other members at once) and PONG.
 * Replies have the shapes of the ASSA schemas so the engine counts no violations.
 */
import net from 'node:net';
import jwt from 'jsonwebtoken';
import { listenOnLoopback } from './loopback-listen.js';

export interface BroadcastFaults {
  echo?: boolean;
  dropEvery?: number;
  duplicateEvery?: number;
  leakEvery?: number;
}

export interface MiniServerOptions {
  /** Reply delay of SEND_MESSAGE in ms, given the connections open when the request arrives (default 0). */
  delayMs?: (connections: number) => number;
  /** Connections beyond this are closed on arrival (default: no limit). */
  maxConnections?: number;
  broadcast?: BroadcastFaults;
  /**
   * Shapes the schema does not allow: `stringIds` sends SEND_MESSAGE_RESPONSE's message_id as a
   * string of digits (a FAIL for every reply); `extraField` adds a field the spec does not define
   * to every NEW_MESSAGE (NON-STRICT).
   */
  shapes?: { stringIds?: boolean; extraField?: boolean };
}

/** Exactly what the server did to the broadcasts. */
export interface BroadcastCounts {
  /** Copies owed to members other than the sender (dropped ones included). */
  copies: number;
  dropped: number;
  duplicated: number;
  /** Copies sent back to their sender. */
  echoes: number;
  /** Copies written to a client outside the room. */
  leaked: number;
}

export interface MiniServer {
  /** tcp://127.0.0.1:port */
  url: string;
  readonly stats: { peakConnections: number; refused: number; replies: number };
  readonly counts: BroadcastCounts;
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

export async function startMiniAssaServer(options: MiniServerOptions = {}): Promise<MiniServer> {
  const stats = { peakConnections: 0, refused: 0, replies: 0 };
  const counts: BroadcastCounts = { copies: 0, dropped: 0, duplicated: 0, echoes: 0, leaked: 0 };
  const faults = options.broadcast ?? {};
  const peers = new Set<Peer>();
  let messages = 0;
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
            data: {
              message_id: messageId, room_id: id, content, message_type: 'text', user: { user_id: peer.userId, nickname: peer.nickname }, created_at: createdAt, reply_to_message_id: null,
              ...(options.shapes?.extraField ? { mood: 'cheerful' } : {}),
            },
          })}\n`;
          for (const m of room.members) {
            if (m.socket.destroyed) continue;
            if (m === peer) {
              if (faults.echo) {
                counts.echoes++;
                m.socket.write(broadcast);
              }
              continue;
            }
            const n = ++counts.copies;
            if (faults.dropEvery && n % faults.dropEvery === 0) {
              counts.dropped++;
              continue;
            }
            m.socket.write(broadcast);
            if (faults.duplicateEvery && n % faults.duplicateEvery === 0) {
              counts.duplicated++;
              m.socket.write(broadcast);
            }
          }
          if (faults.leakEvery && ++messages % faults.leakEvery === 0) {
            // To someone authenticated who is in none of this room's members: another room's client.
            const outsider = [...peers].find((p) => p.userId > 0 && !room.members.has(p) && p.rooms.size > 0 && !p.socket.destroyed);
            if (outsider) {
              counts.leaked++;
              outsider.socket.write(broadcast);
            }
          }
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          stats.replies++;
          reply(peer, req, 'message sent', { message_id: options.shapes?.stringIds ? String(messageId) : messageId, room_id: id, content, message_type: 'text', created_at: createdAt });
        }, Math.max(0, options.delayMs?.(open) ?? 0));
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
    peers.add(peer);
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
      peers.delete(peer);
      for (const id of peer.rooms) rooms.get(id)?.members.delete(peer);
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: `tcp://127.0.0.1:${listening.port}`,
    stats,
    counts,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await listening.close();
    },
  };
}
