/** Faults of ASSA (seed 003), FOR TESTING THE CONFORMANCE SUITES ONLY (see hooks.ts). */
import { dataOf, isObj, type FaultDef, type Msg } from './hooks.js';
import { recode, skipFirstRecipient, withData, withoutDataField } from './rewrite.js';

export const ASSA_FAULTS: readonly FaultDef[] = [
  {
    name: 'assa.seq-id-not-echoed', protocol: 'assa', breaks: 'seed',
    description: 'replies (other than CONNECT_RESPONSE) carry a fresh server seq_id instead of the request\'s',
    outbound: (m) => (typeof m.action === 'string' && m.action.endsWith('_RESPONSE') && m.action !== 'CONNECT_RESPONSE' ? { ...m, seq_id: `srv-${Math.random().toString(36).slice(2)}` } : m),
  },
  {
    name: 'assa.create-room-no-room-id', protocol: 'assa', breaks: 'seed',
    description: 'CREATE_ROOM_RESPONSE leaves out data.room_id (a missing field)',
    outbound: withoutDataField('CREATE_ROOM_RESPONSE', 'room_id'),
  },
  {
    name: 'assa.message-id-as-string', protocol: 'assa', breaks: 'seed',
    description: 'NEW_MESSAGE carries data.message_id as a string (a wrong type)',
    outbound: (m) => (m.action === 'NEW_MESSAGE' && dataOf(m) ? withData(m, { message_id: String((dataOf(m) as Msg).message_id) }) : m),
  },
  {
    name: 'assa.timestamp-not-iso', protocol: 'assa', breaks: 'seed',
    description: 'timestamps in Date.toString() form instead of ISO 8601',
    outbound: (m) => (typeof m.timestamp === 'string' ? { ...m, timestamp: new Date(m.timestamp).toString() } : m),
  },
  {
    name: 'assa.room-not-found-as-permission-denied', protocol: 'assa', breaks: 'seed',
    description: 'a missing room is refused with PERMISSION_DENIED instead of ROOM_NOT_FOUND (a wrong error code)',
    outbound: recode('error_code', 'ROOM_NOT_FOUND', 'PERMISSION_DENIED'),
  },
  {
    name: 'assa.room-full-as-max-participants', protocol: 'assa', breaks: 'seed',
    description: 'a full room is refused with MAX_PARTICIPANTS_REACHED instead of ROOM_FULL',
    outbound: recode('error_code', 'ROOM_FULL', 'MAX_PARTICIPANTS_REACHED'),
  },
  {
    name: 'assa.text-limit-off-by-one', protocol: 'assa', breaks: 'seed',
    description: 'the text limit is one code point short (5,000 characters refused)',
    adjust: (limits) => { limits.maxTextChars -= 1; },
  },
  {
    name: 'assa.text-limit-in-bytes', protocol: 'assa', breaks: 'seed',
    description: 'the text limit counts UTF-8 bytes instead of code points (5,000 Hangul refused)',
    textOver: (text, limit) => Buffer.byteLength(text, 'utf8') > limit,
  },
  {
    name: 'assa.text-limit-in-utf16', protocol: 'assa', breaks: 'assa.D2.text-length',
    description: 'the text limit counts UTF-16 code units instead of code points (5,000 emoji refused)',
    textOver: (text, limit) => text.length > limit,
  },
  {
    name: 'assa.image-limit-off-by-one', protocol: 'assa', breaks: 'assa.D4.image',
    description: 'the image limit is one byte short (10,485,760 bytes refused)',
    adjust: (limits) => { limits.maxImageBytes -= 1; },
  },
  {
    name: 'assa.message-size-off-by-one', protocol: 'assa', breaks: 'seed',
    description: 'the message size limit is one byte long (1,048,577 bytes accepted)',
    adjust: (limits) => { limits.maxMessageBytes += 1; },
  },
  {
    name: 'assa.no-ping', protocol: 'assa', breaks: 'seed',
    description: 'the server never sends PING',
    outbound: (m) => (m.action === 'PING' ? null : m),
  },
  {
    name: 'assa.late-ping', protocol: 'assa', breaks: 'seed',
    description: 'PINGs come at four times the interval',
    adjust: (_l, timers) => { timers.pingInterval *= 4; },
  },
  {
    name: 'assa.no-pong-timeout-drop', protocol: 'assa', breaks: 'seed',
    description: 'a client that sends no PONG is never dropped',
    ignoreClose: (reason) => reason === 'pong timeout',
  },
  {
    name: 'assa.drop-despite-pong', protocol: 'assa', breaks: 'seed',
    description: 'PONGs are ignored, so a client that answers every PING is dropped',
    inbound: (m) => (m.action === 'PONG' ? null : m),
  },
  {
    name: 'assa.no-connect-timeout', protocol: 'assa', breaks: 'assa.D6.connect-timeout',
    description: 'a connection that never sends CONNECT is kept open',
    ignoreClose: (reason) => reason === 'connect timeout',
  },
  {
    name: 'assa.broadcast-skips-one-member', protocol: 'assa', breaks: 'seed',
    inert: { 'other-choices': 'the variant sends the sender its own NEW_MESSAGE first (assa.D11.sender-copy), and that copy is the one dropped: every other member still gets the message, the reference server\'s choice' },
    description: 'each NEW_MESSAGE misses one member of the room',
    outbound: skipFirstRecipient('action', 'NEW_MESSAGE'),
  },
  {
    name: 'assa.broadcast-reordered', protocol: 'assa', breaks: 'assa.D11.broadcast',
    description: 'NEW_MESSAGEs reach a member with each pair swapped',
    outbound: (m, state) => {
      if (m.action !== 'NEW_MESSAGE') return m;
      const held = state.scratch.get('held') as Msg | undefined;
      if (held) {
        state.scratch.delete('held');
        state.later(0, () => state.emit(held));
        return m;
      }
      state.scratch.set('held', m);
      // A lone message is released late rather than lost.
      state.later(30, () => {
        if (state.scratch.get('held') === m) {
          state.scratch.delete('held');
          state.emit(m);
        }
      });
      return null;
    },
  },
  {
    name: 'assa.broadcast-to-non-members', protocol: 'assa', breaks: 'seed',
    description: 'NEW_MESSAGE also goes to every authenticated connection outside the room',
    outbound: (m, state, ctx, key) => {
      if (m.action !== 'NEW_MESSAGE') return m;
      const leaked = state.scratch.get('leaked') as WeakSet<object> | undefined;
      if (leaked?.has(key)) return null;
      for (const other of ctx.peers) {
        if (other.state === state || other.state.protocol !== 'assa' || other.state.userId === undefined) continue;
        let set = other.state.scratch.get('leaked') as WeakSet<object> | undefined;
        if (!set) other.state.scratch.set('leaked', (set = new WeakSet()));
        if (set.has(key)) continue;
        set.add(key);
        other.state.emit(m);
      }
      return m;
    },
  },
  {
    name: 'assa.user-joined-to-joiner', protocol: 'assa', breaks: 'seed',
    description: 'the joiner also receives its own USER_JOINED',
    outbound: (m, state) => {
      const d = dataOf(m);
      if (m.action === 'JOIN_ROOM_RESPONSE' && m.success === true && d && Array.isArray(d.participants)) {
        const me = (d.participants as Msg[]).find((p) => p.user_id === state.userId);
        if (me) state.later(0, () => state.emit({ action: 'USER_JOINED', data: { room_id: d.room_id, user: me, participants_count: (d.participants as unknown[]).length }, timestamp: new Date().toISOString(), seq_id: `srv-echo-${Math.random().toString(36).slice(2)}` }));
      }
      return m;
    },
  },
  {
    name: 'assa.user-id-trusted', protocol: 'assa', breaks: 'seed',
    description: 'the envelope\'s user_id is trusted over the token: the server acts as that user',
    actingUser: (claimed, user, users) => (typeof claimed === 'number' ? users.get(claimed) ?? user : user),
  },
  {
    name: 'assa.check-receive-failed-as-received', protocol: 'assa', breaks: 'assa.D14.receipts',
    description: 'CHECK_RECEIVE reports ids that are not in the room as received',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'CHECK_RECEIVE_RESPONSE' || !d || !Array.isArray(d.failed_messages)) return m;
      return withData(m, { received_messages: [...(d.received_messages as unknown[]), ...d.failed_messages], failed_messages: [] });
    },
  },
  {
    name: 'assa.invite-offline-as-invited', protocol: 'assa', breaks: 'assa.D13.invitations',
    description: 'INVITE reports offline users as invited',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'INVITE_RESPONSE' || !d || !Array.isArray(d.invited_users)) return m;
      return withData(m, { invited_users: (d.invited_users as Msg[]).map((u) => ({ ...u, status: 'invited' })) });
    },
  },
  {
    name: 'assa.sdp-relay-keeps-target', protocol: 'assa', breaks: 'seed',
    description: 'the relayed SDP carries target_user_id instead of sender_user_id',
    outbound: (m) => {
      const d = dataOf(m);
      if (m.action !== 'SDP' || !d || !('sender_user_id' in d)) return m;
      const { sender_user_id: sender, ...rest } = d;
      return { ...m, data: { ...rest, target_user_id: sender } };
    },
  },
  {
    name: 'assa.recovery-unread-zero', protocol: 'assa', breaks: 'assa.D15.recovery',
    description: 'CONNECT_RESPONSE always reports unread_messages 0',
    outbound: (m) => {
      const info = dataOf(m)?.reconnection_info;
      return m.action === 'CONNECT_RESPONSE' && isObj(info) ? withData(m, { reconnection_info: { ...info, unread_messages: 0 } }) : m;
    },
  },
  {
    name: 'assa.send-reply-late', protocol: 'assa', breaks: 'seed',
    description: 'SEND_MESSAGE_RESPONSE comes 500 ms after the response timeout',
    outbound: (m, state, ctx) => {
      if (m.action !== 'SEND_MESSAGE_RESPONSE') return m;
      state.later(ctx.timers.responseTimeout + 500, () => state.emit(m));
      return null;
    },
  },
  {
    name: 'assa.disconnect-keeps-connection', protocol: 'assa', breaks: 'seed',
    description: 'after DISCONNECT_RESPONSE the connection is left open',
    ignoreClose: (reason) => reason === 'disconnect',
  },
  {
    name: 'assa.error-without-original-action', protocol: 'assa', breaks: 'assa.D8.failure-form',
    description: 'ERROR messages leave out data.original_action',
    outbound: withoutDataField('ERROR', 'original_action'),
  },
  {
    name: 'assa.announcement-only-to-room-members', protocol: 'assa', breaks: 'seed',
    description: 'SERVER_ANNOUNCEMENT reaches only connections that created or joined a room (a broadcast that walks the rooms, not the connections)',
    outbound: (m, state) => {
      // Whether this connection has been in a room: its own successful CREATE_ROOM or JOIN_ROOM reply passed here.
      if ((m.action === 'CREATE_ROOM_RESPONSE' || m.action === 'JOIN_ROOM_RESPONSE') && m.success === true) state.scratch.set('in-room', true);
      return m.action === 'SERVER_ANNOUNCEMENT' && state.scratch.get('in-room') !== true ? null : m;
    },
  },
  {
    name: 'assa.announcement-without-message', protocol: 'assa', breaks: 'seed',
    description: 'SERVER_ANNOUNCEMENT leaves out data.message (a missing field)',
    outbound: withoutDataField('SERVER_ANNOUNCEMENT', 'message'),
  },
];
