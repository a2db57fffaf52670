/**
 * A tiny ASSA-over-NDJSON server for the runner's integration tests: just enough of CONNECT,
 * CREATE_ROOM, JOIN_ROOM and SEND_MESSAGE to run a room broadcast, with one deliberate fault at a
 * time so each test proves the runner turns that fault into a FAIL with the right evidence.
 * Not a chat server: no auth check, no limits, one process-local room table.
 */
import net from 'node:net';

export type ScenarioFault =
  /** SEND_MESSAGE_RESPONSE echoes the wrong room_id. */
  | 'wrong-value'
  /** SEND_MESSAGE gets no reply at all. */
  | 'no-reply'
  /** SEND_MESSAGE's reply comes `lateMs` late. */
  | 'late-reply'
  /** SEND_MESSAGE_RESPONSE carries message_id as a string (the schema says integer). */
  | 'schema-violation'
  /** NEW_MESSAGE skips the room's last member. */
  | 'miss-member'
  /** NEW_MESSAGE goes to every connected client, members or not. */
  | 'leak-to-non-member'
  /** SEND_MESSAGE_RESPONSE carries a field the spec does not define (data.shiny). */
  | 'extra-field'
  /** After SEND_MESSAGE the sender also gets a message the spec does not define (SURPRISE). */
  | 'unknown-message';

export interface FaultServer {
  url: string;
  close(): Promise<void>;
}

interface Peer {
  socket: net.Socket;
  userId: number;
  nickname: string;
}

const now = (): string => new Date().toISOString();

export async function startFaultServer(fault: ScenarioFault | 'none', options: { lateMs?: number } = {}): Promise<FaultServer> {
  const peers = new Set<Peer>();
  const rooms = new Map<number, Peer[]>();
  let ids = 0;
  const send = (peer: Peer, message: Record<string, unknown>): void => {
    if (!peer.socket.destroyed) peer.socket.write(`${JSON.stringify({ ...message, timestamp: now() })}\n`);
  };
  const reply = (peer: Peer, req: Record<string, unknown>, data: Record<string, unknown>): void =>
    send(peer, { action: `${String(req.action)}_RESPONSE`, success: true, message: 'ok', data, seq_id: req.seq_id });

  const handle = (peer: Peer, req: Record<string, unknown>): void => {
    const data = (req.data ?? {}) as Record<string, unknown>;
    switch (req.action) {
      case 'CONNECT': {
        const claims = JSON.parse(Buffer.from(String(data.jwt_token).split('.')[1] ?? '', 'base64url').toString()) as { sub: string; nickname: string };
        peer.userId = Number(claims.sub);
        peer.nickname = claims.nickname;
        reply(peer, req, { user_id: peer.userId, session_id: `s${peer.userId}`, server_time: now(), reconnection_info: { existing_rooms: [], unread_messages: 0 } });
        return;
      }
      case 'CREATE_ROOM': {
        const roomId = ++ids;
        rooms.set(roomId, [peer]);
        reply(peer, req, { room_id: roomId, name: data.name, description: '', host_user_id: peer.userId, participants: [{ user_id: peer.userId, nickname: peer.nickname, role: 'host' }], created_at: now() });
        return;
      }
      case 'JOIN_ROOM': {
        const members = rooms.get(Number(data.room_id)) ?? [];
        members.push(peer);
        reply(peer, req, {
          room_id: data.room_id,
          room_info: { name: 'r', description: '', host_user_id: members[0]?.userId ?? 0, participants_count: members.length },
          participants: members.map((m, i) => ({ user_id: m.userId, nickname: m.nickname, role: i === 0 ? 'host' : 'member' })),
          recent_messages: [],
        });
        return;
      }
      case 'SEND_MESSAGE': {
        const roomId = Number(data.room_id);
        const messageId = ++ids;
        const created = now();
        const response = {
          message_id: fault === 'schema-violation' ? String(messageId) : messageId,
          room_id: fault === 'wrong-value' ? roomId + 1 : roomId,
          content: data.content,
          message_type: 'text',
          created_at: created,
          ...(fault === 'extra-field' ? { shiny: true } : {}),
        };
        if (fault === 'unknown-message') send(peer, { action: 'SURPRISE', data: {}, seq_id: 'srv-x' });
        if (fault === 'late-reply') setTimeout(() => reply(peer, req, response), options.lateMs ?? 300);
        else if (fault !== 'no-reply') reply(peer, req, response);
        const members = rooms.get(roomId) ?? [];
        let audience = fault === 'leak-to-non-member' ? [...peers] : members;
        audience = audience.filter((m) => m !== peer);
        if (fault === 'miss-member') audience = audience.slice(0, -1);
        for (const m of audience) {
          send(m, {
            action: 'NEW_MESSAGE',
            data: { message_id: messageId, room_id: roomId, content: data.content, message_type: 'text', user: { user_id: peer.userId, nickname: peer.nickname }, created_at: created, reply_to_message_id: null },
            seq_id: `srv-${messageId}`,
          });
        }
        return;
      }
      default:
        return;
    }
  };

  const server = net.createServer((socket) => {
    const peer: Peer = { socket, userId: 0, nickname: '' };
    peers.add(peer);
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          handle(peer, JSON.parse(line) as Record<string, unknown>);
        } catch {
          // Tests send well-formed lines; anything else is ignored.
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => peers.delete(peer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `tcp://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const p of peers) p.socket.destroy();
        server.close(() => resolve());
      }),
  };
}
