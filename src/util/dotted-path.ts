/**
 * Dotted paths into JSON values (`data.room_id`, `data.participants[0].user_id`): how scenarios,
 * profiles and load plans name a field. Reading reports whether the field is there at all.
 */

/** Reads a dotted path from a value. */
export function readPath(value: unknown, path: string): { found: boolean; value: unknown } {
  let current = value;
  for (const segment of splitPath(path)) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return { found: false, value: undefined };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return { found: true, value: current };
}

/** `a.b[2].c` → `['a', 'b', 2, 'c']`. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** Sets a dotted path, making the objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = splitPath(path);
  let node: Record<string | number, unknown> = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i] as string | number;
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  }
  node[keys[keys.length - 1] as string | number] = value;
}

/** `data.participants[0].id` as a JSON pointer, `/data/participants/0/id` (for evidence). */
export function pointerOfPath(path: string): string {
  return `/${path.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}
