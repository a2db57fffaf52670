/**
 * Validation cost per message: chat-conform's profile validator (name lookup, the generated
 * schema compiled once, extras detection folded into the same call) against a hand-written ajv
 * schema for the same message, compiled by hand and measured in the same run.
 *
 *   npx tsx bench/validate.ts
 *
 * Bounded: 5 rounds of ~200 ms per case. Prints ns/message (median of the rounds) and the ratio.
 * The last row is the `date-time` check alone on a timestamp: chat-conform's hand-written
 * equivalent (src/spec/date-time.ts) against ajv-formats' own, which the hand ajv schemas use.
 */
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadProfile } from '../src/profile/load.js';
import type { Direction } from '../src/profile/types.js';
import { addFormatsTo } from '../src/spec/ajv.js';
import { isDateTime } from '../src/spec/date-time.js';
import { getValidator, warmValidator } from '../src/profile/validator.js';

const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;
const ajvFormatsDateTime = (addFormats.get('date-time') as { validate: (s: string) => boolean }).validate;

const ts = '2024-01-01T12:00:00.000Z';
const sendMessage = {
  action: 'SEND_MESSAGE',
  data: { room_id: 100, content: '안녕하세요!', message_type: 'text', reply_to_message_id: null, client_message_id: 'client_msg_001' },
  timestamp: ts,
  seq_id: 'send_msg_001',
  user_id: 123,
};
const newMessage = {
  action: 'NEW_MESSAGE',
  data: {
    message_id: 1001,
    room_id: 100,
    content: '안녕하세요!',
    message_type: 'text',
    user: { user_id: 123, nickname: '발신자닉네임', profile_image: '/storage/profiles/123.jpg' },
    created_at: ts,
    reply_to_message_id: null,
  },
  timestamp: ts,
  seq_id: 'broadcast_msg_001',
};

// What a person would write for the same two messages with ajv directly (closed objects, same formats).
const envelope = {
  timestamp: { type: 'string', format: 'date-time' },
  seq_id: { type: 'string' },
  user_id: { type: 'integer' },
  session_id: { type: 'string' },
};
const handSend = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'data', 'timestamp', 'seq_id'],
  properties: {
    action: { const: 'SEND_MESSAGE' },
    ...envelope,
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['room_id', 'content', 'message_type'],
      properties: {
        room_id: { type: 'integer', minimum: 1 },
        content: { type: 'string', maxLength: 5000 },
        message_type: { enum: ['text', 'image'] },
        reply_to_message_id: { type: ['integer', 'null'] },
        client_message_id: { type: 'string' },
        file_info: { type: 'object' },
      },
    },
  },
};
const handNew = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'data', 'timestamp', 'seq_id'],
  properties: {
    action: { const: 'NEW_MESSAGE' },
    ...envelope,
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['message_id', 'room_id', 'content', 'message_type', 'user', 'created_at'],
      properties: {
        message_id: { type: 'integer', minimum: 1 },
        room_id: { type: 'integer', minimum: 1 },
        content: { type: 'string' },
        message_type: { enum: ['text', 'image'] },
        user: {
          type: 'object',
          additionalProperties: false,
          required: ['user_id', 'nickname'],
          properties: { user_id: { type: 'integer' }, nickname: { type: 'string' }, profile_image: { type: 'string' } },
        },
        created_at: { type: 'string', format: 'date-time' },
        reply_to_message_id: { type: ['integer', 'null'] },
        client_message_id: { type: 'string' },
        file_info: { type: 'object' },
      },
    },
  },
};

const ajv = new Ajv({ allowUnionTypes: true });
// The same formats as chat-conform's (ajv-formats with the hand-written date-time), so the ratio
// measures the validator's own overhead; the last row compares the two date-time checks.
addFormatsTo(ajv);
const handSendFn = ajv.compile(handSend);
const handNewFn = ajv.compile(handNew);

const profile = loadProfile('assa');
warmValidator(profile);
const validator = getValidator(profile);

let sink = 0;

/** ns per call: calls fn in batches for ~budgetMs and divides. */
function measure(fn: () => boolean, budgetMs: number): number {
  const batch = 10_000;
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(budgetMs) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) if (fn()) sink++;
    calls += batch;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Case {
  label: string;
  ours: () => boolean;
  hand: () => boolean;
}

const cases: Case[] = [
  { label: 'SEND_MESSAGE (client)', ours: () => validator.validate('client' as Direction, sendMessage).kind === 'valid', hand: () => handSendFn(sendMessage) },
  { label: 'NEW_MESSAGE (server)', ours: () => validator.validate('server' as Direction, newMessage).kind === 'valid', hand: () => handNewFn(newMessage) },
  { label: 'date-time format only', ours: () => isDateTime(ts), hand: () => ajvFormatsDateTime(ts) },
];

for (const c of cases) {
  if (!c.ours() || !c.hand()) throw new Error(`${c.label}: the sample message does not validate`);
  measure(c.ours, 100);
  measure(c.hand, 100);
}

const ROUNDS = 5;
const BUDGET_MS = 200;
const rows: string[][] = [['message', 'chat-conform ns/msg', 'hand ajv ns/msg', 'ratio']];
for (const c of cases) {
  const ours: number[] = [];
  const hand: number[] = [];
  // Interleave so drift in machine load hits both sides alike.
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(measure(c.ours, BUDGET_MS));
    hand.push(measure(c.hand, BUDGET_MS));
  }
  const o = median(ours);
  const h = median(hand);
  rows.push([c.label, o.toFixed(0), h.toFixed(0), `${(o / h).toFixed(2)}x`]);
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`\n(median of ${ROUNDS} rounds of ${BUDGET_MS} ms each; goal: ratio within 1.5x; node ${process.version}; checksum ${sink % 7})`);
