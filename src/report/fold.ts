/**
 * Telling repeated findings apart from different ones: two findings are the same when their code
 * and message agree once the names a case makes for itself are set aside (its id, the `uid()`
 * names its rooms and users get, UUIDs). The console folds them into one line "×N"; root causes
 * quote one wording for many cases.
 */
import type { Finding } from './model.js';

/** `uid()` makes `<prefix->` + the case's run id (base-36 time and pid, `-<case index>`) + `-<counter>`. */
const RUN_UID = /\b[0-9a-z]{8,}(?:-\d+){2}\b/g;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/** The text with the case's own names replaced by placeholders (its id only as a whole word). */
export function setAsideNames(text: string, caseId: string): string {
  const id = caseId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const out = caseId ? text.replace(new RegExp(`(?<![\\w.-])${id}(?![\\w.-])`, 'g'), '<case>') : text;
  return out.replace(UUID, '<id>').replace(RUN_UID, '<id>');
}

/** Equal for findings that say the same thing in different cases. */
export function foldKey(finding: Finding, caseId: string): string {
  return [finding.verdict, finding.code, setAsideNames(finding.message, caseId), finding.source?.kind ?? 'seed', finding.source?.rule ?? ''].join('\u0000');
}

/**
 * Case ids, compactly: ids that share everything before their last dot are written once,
 * `assa.send.{too-long, empty}`; at most `limit` ids, then "and N more".
 */
export function compactIds(ids: readonly string[], limit = 30): string {
  const shown = ids.slice(0, limit);
  const groups = new Map<string, string[]>();
  for (const id of shown) {
    const dot = id.lastIndexOf('.');
    const head = dot > 0 ? id.slice(0, dot) : '';
    const tail = dot > 0 ? id.slice(dot + 1) : id;
    const group = groups.get(head);
    if (group) group.push(tail);
    else groups.set(head, [tail]);
  }
  const parts = [...groups].map(([head, tails]) => {
    if (!head) return tails.join(', ');
    return tails.length === 1 ? `${head}.${tails[0]}` : `${head}.{${tails.join(', ')}}`;
  });
  const rest = ids.length - shown.length;
  return `${parts.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}
