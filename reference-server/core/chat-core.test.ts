import { describe, expect, it } from 'vitest';
import { ChatCore } from './chat-core.js';
import type { ChatEvent, EventSink } from './model.js';

function setup(roomHistory = 1000) {
  const core = new ChatCore({ roomHistory, defaultMaxParticipants: 100, defaultIsOpen: true, defaultVideoMaxParticipants: 10, closedRoomNeedsInvitation: true, senderCopy: false });
  const inbox = new Map<number, ChatEvent[]>();
  const connect = (id: number) => {
    const events: ChatEvent[] = [];
    inbox.set(id, events);
    const sink: EventSink = { deliver: (e) => events.push(e) };
    return core.openSession(id, `u${id}`, null, sink);
  };
  return { core, inbox, connect };
}
const text = (content: string) => ({ content, type: 'text' as const, fileInfo: null, replyTo: null, clientMessageId: null });

describe('ChatCore', () => {
  it('hands the host role to the longest-standing member and deletes an empty room', () => {
    const { core, connect } = setup();
    const [a, b, c] = [connect(1), connect(2), connect(3)];
    const { room } = core.createRoom(a.user, { name: 'r', description: '', invited: [] });
    core.joinRoom(b.user, room.id);
    core.joinRoom(c.user, room.id);
    core.exitRoom(a.user, room.id);
    expect(room.host).toBe(b.user);
    expect(room.members.get(2)?.role).toBe('host');
    core.exitRoom(b.user, room.id);
    core.exitRoom(c.user, room.id);
    expect(core.room(room.id)).toBeUndefined();
  });

  it('serialises nothing itself: one event object reaches every recipient', () => {
    const { core, inbox, connect } = setup();
    const [a, b, c] = [connect(1), connect(2), connect(3)];
    const { room } = core.createRoom(a.user, { name: 'r', description: '', invited: [] });
    core.joinRoom(b.user, room.id);
    core.joinRoom(c.user, room.id);
    core.postMessage(a.user, room.id, text('hi'));
    const forB = inbox.get(2)?.filter((e) => e.kind === 'message');
    const forC = inbox.get(3)?.filter((e) => e.kind === 'message');
    expect(forB).toHaveLength(1);
    expect(forB?.[0]).toBe(forC?.[0]);
    expect(inbox.get(1)?.some((e) => e.kind === 'message')).toBe(false);
  });

  it('forgets messages past the room history, and CHECK_RECEIVE then reports them failed', () => {
    const { core, connect } = setup(3);
    const [a, b] = [connect(1), connect(2)];
    const { room } = core.createRoom(a.user, { name: 'r', description: '', invited: [] });
    core.joinRoom(b.user, room.id);
    const ids = [1, 2, 3, 4, 5].map((i) => (core.postMessage(a.user, room.id, text(`m${i}`)) as { ok: true; value: { id: number } }).value.id);
    expect(room.messages.map((m) => m.content)).toEqual(['m3', 'm4', 'm5']);
    const report = core.checkReceive(b.user, room.id, ids);
    expect(report).toMatchObject({ ok: true, value: { received: ids.slice(2), failed: ids.slice(0, 2), pending: [] } });
  });

  it('records pending receipts for offline members and reports them on recovery', () => {
    const { core, connect } = setup();
    const a = connect(1);
    const b = connect(2);
    const { room } = core.createRoom(a.user, { name: 'r', description: '', invited: [] });
    core.joinRoom(b.user, room.id);
    core.closeSession(b);
    core.postMessage(a.user, room.id, text('while away'));
    expect(core.recoveryInfo(b.user)).toEqual({ rooms: [room.id], unread: 1 });
  });
});
