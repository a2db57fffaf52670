import { ccError } from '../errors.js';
import { resolveMessage, unwrapSchema } from '../spec/message.js';
import { deref, isObject, resolveLocalRef, unescapePointerToken, type Json, type JsonObject } from '../spec/pointer.js';
import type { Direction, ProfileMessage, ProfileOperation } from './types.js';

/** A message of the document, before the generator has turned it into a schema. */
export interface MessageSource extends ProfileMessage {
  /** The Message Object with its traits merged. */
  message: JsonObject;
  /** Its payload, unwrapped from a `{schemaFormat, schema}` wrapper. */
  payload: Json;
}

/** The message key a reference names: the last token of its final `#/components/messages/...` pointer. */
function messageKey(doc: JsonObject, ref: Json, specPath: string, where: string): { key: string; node: Json } {
  let node: Json = ref;
  let key: string | undefined;
  const seen = new Set<string>();
  // Follow the whole chain (operation → channel message → component message) to the final key.
  while (isObject(node) && typeof node.$ref === 'string') {
    const target: string = node.$ref;
    if (seen.has(target)) throw ccError('CC_ERR_SPEC_REF', { path: specPath, ref: `${target} (a reference cycle)` });
    seen.add(target);
    const tokens = target.split('/');
    key = unescapePointerToken(tokens[tokens.length - 1] ?? '');
    node = resolveLocalRef(doc, target, specPath);
  }
  if (key === undefined) throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `${where} must be a $ref to a message` });
  return { key, node };
}

function nameOf(payload: Json, namingField: string): string | undefined {
  if (!isObject(payload) || !isObject(payload.properties)) return undefined;
  const prop = payload.properties[namingField];
  return isObject(prop) && typeof prop.const === 'string' ? prop.const : undefined;
}

function sectionOf(message: JsonObject): string | undefined {
  const section = message['x-spec-section'];
  return typeof section === 'string' ? section : undefined;
}

/**
 * Derives the messages and operations of a profile from the document's operations, from the
 * server's point of view: `receive` operations carry client messages, `send` operations server ones,
 * and a reply travels the other way. A message's name is the `const` of the naming field in its
 * payload; a message without one (an HTTP reply) uses its AsyncAPI `name` and can only be checked
 * when named explicitly.
 */
export function deriveMessages(doc: JsonObject, namingField: string, specPath: string): { messages: MessageSource[]; operations: ProfileOperation[] } {
  const byId = new Map<string, MessageSource>();
  const operations: ProfileOperation[] = [];

  const add = (ref: Json, direction: Direction, where: string): string => {
    const { key, node } = messageKey(doc, ref, specPath, where);
    const message = resolveMessage(doc, node, specPath, `#/components/messages/${key}`);
    const payload = unwrapSchema(doc, message.payload ?? null, specPath, `#/components/messages/${key}/payload`);
    const wireName = nameOf(deref(doc, payload, specPath), namingField);
    const declared = typeof message.name === 'string' ? message.name : undefined;
    if (wireName !== undefined && declared !== undefined && declared !== wireName) {
      throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `message ${key}: name ${declared} differs from its ${namingField} constant ${wireName}` });
    }
    const name = wireName ?? declared;
    if (name === undefined) {
      throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `message ${key} has neither a const ${namingField} in its payload nor a name` });
    }
    const id = `${direction}.${name}`;
    const existing = byId.get(id);
    if (existing) {
      if (existing.key !== key) {
        throw ccError('CC_ERR_SPEC_INVALID', { path: specPath, detail: `messages ${existing.key} and ${key} are both named ${name} from the ${direction}; a name may have one schema per direction` });
      }
      return id;
    }
    const entry: MessageSource = {
      id,
      name,
      direction,
      key,
      schemaFile: `generated/${direction}/${name}.json`,
      message,
      payload,
    };
    if (typeof message.title === 'string') entry.title = message.title;
    if (typeof message.summary === 'string') entry.summary = message.summary;
    const section = sectionOf(message);
    if (section !== undefined) entry.specSection = section;
    if (wireName === undefined) entry.explicitOnly = true;
    byId.set(id, entry);
    return id;
  };

  const ops = isObject(doc.operations) ? doc.operations : {};
  for (const [opId, opNode] of Object.entries(ops)) {
    const op = deref(doc, opNode, specPath);
    if (!isObject(op)) continue;
    const where = `#/operations/${opId}`;
    const direction: Direction = op.action === 'send' ? 'server' : 'client';
    const replyDirection: Direction = direction === 'client' ? 'server' : 'client';
    const sent = Array.isArray(op.messages) ? op.messages.map((m, i) => add(m, direction, `${where}/messages/${i}`)) : [];
    const reply = op.reply === undefined ? undefined : deref(doc, op.reply, specPath);
    const replies = isObject(reply) && Array.isArray(reply.messages)
      ? reply.messages.map((m, i) => add(m, replyDirection, `${where}/reply/messages/${i}`))
      : [];
    for (const request of sent) operations.push({ id: opId, request, replies });
  }
  const messages = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { messages, operations };
}
