/**
 * Reading and writing a message's fields by a path already split into keys (`data.content` is
 * ['data', 'content']): the hot path's helpers, allocation-light, shared by the engine and the
 * send templates.
 */

/**
 * Sets `value` at `keys` in a copy of `proto` that shares everything off that path, so a send
 * copies a few small objects instead of the whole message.
 */
export function stampPath(root: Record<string, unknown>, keys: readonly (string | number)[], value: unknown): Record<string, unknown> {
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const child = node[key];
    const copy: Record<string | number, unknown> = Array.isArray(child) ? [...child] as unknown as Record<number, unknown> : { ...(child as Record<string, unknown> | undefined) };
    node[key] = copy;
    node = copy;
  }
  node[keys[keys.length - 1]!] = value;
  return root;
}

export function readKeys(value: unknown, keys: readonly (string | number)[]): unknown {
  let v = value;
  for (let i = 0; i < keys.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[keys[i]!];
  }
  return v;
}
