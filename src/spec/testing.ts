import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes a one-channel AsyncAPI 3.0 profile to a fresh temporary folder for tests: `client` and
 * `server` map message keys to Message Objects (received and sent by the server), `schemas` are
 * the components. Returns the document's path; the caller removes `dir`.
 */
export function writeTestProfile(options: {
  client?: Record<string, unknown>;
  server?: Record<string, unknown>;
  schemas?: Record<string, unknown>;
  messageTraits?: Record<string, unknown>;
  /** Entries of `x-chat-conform.decisions`, for schemas that cite them with `x-decision`. */
  decisions?: { id: string; class: 'reading' | 'choice'; text: string; reason: string }[];
}): { dir: string; specPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cc-spec-'));
  const messages = { ...options.client, ...options.server };
  const ref = (key: string) => ({ $ref: `#/channels/main/messages/${key}` });
  const operations: Record<string, unknown> = {};
  for (const key of Object.keys(options.client ?? {})) operations[`receive${key}`] = { action: 'receive', channel: { $ref: '#/channels/main' }, messages: [ref(key)] };
  for (const key of Object.keys(options.server ?? {})) operations[`send${key}`] = { action: 'send', channel: { $ref: '#/channels/main' }, messages: [ref(key)] };
  const doc = {
    asyncapi: '3.0.0',
    info: { title: 'test', version: '1.0.0' },
    channels: {
      main: {
        address: '/',
        messages: Object.fromEntries(Object.keys(messages).map((k) => [k, { $ref: `#/components/messages/${k}` }])),
      },
    },
    operations,
    components: { messages, schemas: options.schemas ?? {}, messageTraits: options.messageTraits ?? {} },
    'x-chat-conform': {
      name: 'test',
      namingField: 'type',
      correlation: { requestField: 'id', replyField: 'id', generator: 'string' },
      codec: 'json',
      framing: 'ndjson',
      transports: ['ws'],
      auth: { kind: 'none' },
      errorCodes: [],
      ...(options.decisions ? { decisions: options.decisions } : {}),
    },
  };
  mkdirSync(join(dir, 'test'));
  const specPath = join(dir, 'test', 'asyncapi.yaml');
  writeFileSync(specPath, JSON.stringify(doc, null, 2));
  return { dir, specPath };
}
