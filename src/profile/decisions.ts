import { ccError } from '../errors.js';
import { escapePointerToken, isObject, type Json } from '../spec/pointer.js';
import type { ProfileDecision } from './types.js';

/**
 * Every decision id the document cites, in schemas (`x-decision`) and on messages
 * (`x-decisions`), must be one of its `x-chat-conform` decisions, listed once: a typo would
 * otherwise turn a decision's deviation into a seed FAIL, or cite nothing.
 */
export function checkDecisionRefs(doc: Json, decisions: readonly ProfileDecision[], specPath: string): void {
  const known = new Set<string>();
  for (const d of decisions) {
    if (known.has(d.id)) throw ccError('CC_ERR_SPEC_EXTENSION', { path: specPath, detail: `/x-chat-conform/decisions: ${d.id} is listed twice` });
    known.add(d.id);
  }
  const check = (id: Json, at: string): void => {
    if (typeof id !== 'string' || !known.has(id)) {
      throw ccError('CC_ERR_SPEC_EXTENSION', { path: specPath, detail: `${at}: ${JSON.stringify(id)} is not a decision of /x-chat-conform/decisions` });
    }
  };
  const walk = (node: Json, at: string): void => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`));
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const here = `${at}/${escapePointerToken(key)}`;
      if (key === 'x-decision') check(value, here);
      else if (key === 'x-decisions' && Array.isArray(value)) value.forEach((id, i) => check(id, `${here}/${i}`));
      else if (key !== 'x-chat-conform') walk(value, here);
    }
  };
  walk(doc, '');
}
