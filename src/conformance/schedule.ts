/**
 * The order cases start in: at most `concurrency` at once, in their order, except that a case
 * waits while a case it conflicts with runs (two cases that share a user or a room would see each
 * other's traffic: ./isolation.ts says which do), and a case marked exclusive starts only when
 * nothing runs and runs alone. Exclusive cases go last. A case that must wait lets later ones
 * that need not wait start first, so one shared user does not serialise a whole run.
 */

export interface ScheduleOptions<T> {
  concurrency: number;
  /** Runs last, and alone. */
  exclusive(item: T): boolean;
  /** True when the two must not run at the same time. */
  conflict(a: T, b: T): boolean;
  /** Checked before each start: true stops starting new items (those running finish). */
  stopped?(): boolean;
}

/** Runs every item through `run` under the rules above; resolves when all that started are done. */
export async function runScheduled<T>(items: readonly T[], options: ScheduleOptions<T>, run: (item: T, index: number) => Promise<void>): Promise<void> {
  const pending = [...items.keys()].sort((a, b) => Number(options.exclusive(items[a] as T)) - Number(options.exclusive(items[b] as T)) || a - b);
  const running = new Map<number, Promise<void>>();
  const limit = Math.max(1, options.concurrency);
  let failure: { error: unknown } | undefined;
  const startable = (index: number): boolean => {
    const item = items[index] as T;
    if (options.exclusive(item)) return running.size === 0;
    for (const other of running.keys()) {
      const busy = items[other] as T;
      if (options.exclusive(busy) || options.conflict(item, busy)) return false;
    }
    return true;
  };
  while (pending.length > 0 && !failure && !options.stopped?.()) {
    const at = running.size < limit ? pending.findIndex(startable) : -1;
    if (at < 0) {
      // Something runs (else the first pending case could start): wait for it to end.
      await Promise.race(running.values());
      continue;
    }
    const [index] = pending.splice(at, 1) as [number];
    running.set(index, run(items[index] as T, index).then(
      () => void running.delete(index),
      (error: unknown) => {
        running.delete(index);
        failure ??= { error };
      },
    ));
  }
  await Promise.all(running.values());
  if (failure) throw failure.error;
}
