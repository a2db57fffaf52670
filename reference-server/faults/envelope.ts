/** Faults of envelope (seed 000), FOR TESTING THE CONFORMANCE SUITES ONLY (see hooks.ts). */
import { dataOf, type FaultDef } from './hooks.js';
import { recode, skipFirstRecipient, withData } from './rewrite.js';

export const ENVELOPE_FAULTS: readonly FaultDef[] = [
  {
    name: 'envelope.error-without-ref-id', protocol: 'envelope', breaks: 'envelope.D2.envelope',
    description: 'error messages leave out ref_id',
    outbound: (m) => {
      if (m.type !== 'error' || !('ref_id' in m)) return m;
      const { ref_id: _drop, ...rest } = m;
      return rest;
    },
  },
  {
    name: 'envelope.rate-limit-not-enforced', protocol: 'envelope', breaks: 'seed',
    description: 'no rate limit: any number of messages per second is accepted',
    adjust: (limits) => { limits.maxMessagesPerSecond = 1_000_000; },
  },
  {
    name: 'envelope.rate-limit-off-by-one', protocol: 'envelope', breaks: 'envelope.D4.rate-limit',
    description: 'the rate limit lets 21 messages a second through',
    adjust: (limits) => { limits.maxMessagesPerSecond += 1; },
  },
  {
    name: 'envelope.not-in-room-as-invalid-message', protocol: 'envelope', breaks: 'envelope.D4.errors',
    inert: { 'other-choices': 'the variant refuses a message to a room not joined with a code of its own, forbidden (envelope.D4.errors), never with the not_in_room this fault rewrites' },
    description: 'a message to a room not joined is refused with invalid_message instead of not_in_room',
    outbound: recode('code', 'not_in_room', 'invalid_message'),
  },
  {
    name: 'envelope.chat-skips-one-member', protocol: 'envelope', breaks: 'envelope.D3.delivery',
    description: 'each chat.message misses one member of the room',
    outbound: skipFirstRecipient('type', 'chat.message'),
  },
  {
    name: 'envelope.no-ping', protocol: 'envelope', breaks: 'envelope.D5.heartbeat',
    description: 'the server never sends ping',
    outbound: (m) => (m.type === 'ping' ? null : m),
  },
  {
    name: 'envelope.no-user-left', protocol: 'envelope', breaks: 'envelope.D3.delivery',
    description: 'room.leave sends no user.left',
    outbound: (m) => (m.type === 'user.left' ? null : m),
  },
  {
    name: 'envelope.ts-not-iso', protocol: 'envelope', breaks: 'seed',
    description: 'chat.message carries ts as epoch milliseconds instead of ISO 8601',
    outbound: (m) => {
      const d = dataOf(m);
      return m.type === 'chat.message' && d && typeof d.ts === 'string' ? withData(m, { ts: String(Date.parse(d.ts)) }) : m;
    },
  },
];
