/**
 * Adding up what slices, worker threads and shards of one load run found: the per-room delivery
 * rows and the schema-violation evidence. A run adds up its slices with these, and `report merge`
 * its shards, so both give the same figures.
 */
import type { DeliveryRow, SchemaViolation } from './model.js';

/** Distinct (message, pointer, class) kinds of schema violation kept; more are counted, not listed. */
export const MAX_KINDS = 200;

/** Rows of the same room (from workers or shards, or a leak seen in another slice) added up. */
export function mergeDeliveryRows(rows: readonly DeliveryRow[]): DeliveryRow[] {
  const rooms = new Map<string, DeliveryRow>();
  const keys = ['expected', 'delivered', 'lost', 'duplicated', 'reordered', 'selfCopies', 'selfMissing', 'leaked', 'offlineCopies'] as const;
  for (const d of rows) {
    const r = rooms.get(d.room);
    if (!r) rooms.set(d.room, { ...d });
    else for (const k of keys) if (d[k] !== undefined || r[k] !== undefined) r[k] = (r[k] ?? 0) + (d[k] ?? 0);
  }
  return [...rooms.values()].sort((a, b) => a.room.localeCompare(b.room, 'en', { numeric: true }));
}

const CLASS_ORDER: Record<SchemaViolation['class'], number> = { FAIL: 0, 'NON-STRICT': 1, INFORMATIONAL: 2 };

/** Adds up the logs of slices or shards: counts summed, the first sample kept; FAIL first, most frequent first. */
export function mergeViolations(lists: readonly (readonly SchemaViolation[])[]): { violations: SchemaViolation[]; omitted: number } {
  const kinds = new Map<string, SchemaViolation>();
  let omitted = 0;
  for (const list of lists) {
    for (const v of list) {
      const key = `${v.class}\u0000${v.message}\u0000${v.pointer}`;
      const seen = kinds.get(key);
      if (seen) seen.count += v.count;
      else if (kinds.size < MAX_KINDS) kinds.set(key, { ...v });
      else omitted += v.count;
    }
  }
  const violations = [...kinds.values()].sort((a, b) => CLASS_ORDER[a.class] - CLASS_ORDER[b.class] || b.count - a.count || (a.message < b.message ? -1 : a.message > b.message ? 1 : a.pointer < b.pointer ? -1 : 1));
  return { violations, omitted };
}
