/** Small message rewrites the fault definitions share. */
import { dataOf, type FaultDef, type Msg } from './hooks.js';

export const withData = (m: Msg, patch: Msg): Msg => ({ ...m, data: { ...dataOf(m), ...patch } });
/** Rewrites one error code (ASSA `error_code`, envelope `code`). */
export const recode = (field: 'error_code' | 'code', from: string, to: string) => (m: Msg): Msg => (m[field] === from ? { ...m, [field]: to } : m);
/** Leaves one field out of `data` of one ASSA action (a missing field). */
export const withoutDataField = (action: string, field: string) => (m: Msg): Msg => {
  const d = dataOf(m);
  if (m.action !== action || !d) return m;
  const { [field]: _drop, ...rest } = d;
  return { ...m, data: rest };
};
/** Drops messages of one name for the first recipient of each (a broadcast that misses a member). */
export function skipFirstRecipient(nameField: string, name: string): FaultDef['outbound'] {
  const served = new WeakSet<object>();
  return (m, _s, _c, key) => {
    if (m[nameField] !== name || served.has(key)) return m;
    served.add(key);
    return null;
  };
}
