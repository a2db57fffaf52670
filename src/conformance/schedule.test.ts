/**
 * The scheduler alone, with work that only waits: the order of starts and ends shows which items
 * ran side by side. No wall-clock assertion: only the order of events.
 */
import { describe, expect, it } from 'vitest';
import { runScheduled } from './schedule.js';

interface Item {
  name: string;
  keys: string[];
  exclusive?: boolean;
}

/** Runs the items, each waiting a few ms, and returns the log of `+name` (start) and `-name` (end). */
async function trace(items: Item[], concurrency = 16, stopAfter?: string): Promise<string[]> {
  const log: string[] = [];
  let stop = false;
  await runScheduled(items, {
    concurrency,
    exclusive: (i) => i.exclusive === true,
    conflict: (a, b) => a.keys.some((k) => b.keys.includes(k)),
    stopped: () => stop,
  }, async (item) => {
    log.push(`+${item.name}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    log.push(`-${item.name}`);
    if (item.name === stopAfter) stop = true;
  });
  return log;
}

/** The names running together with `name`: started before it ended and ended after it started. */
function sideBySide(log: string[], name: string): string[] {
  const start = log.indexOf(`+${name}`);
  const end = log.indexOf(`-${name}`);
  return log.filter((e, i) => e.startsWith('+') && e !== `+${name}` && i < end && log.indexOf(`-${e.slice(1)}`) > start).map((e) => e.slice(1));
}

describe('the case scheduler', () => {
  it('runs items that share nothing side by side', async () => {
    const log = await trace([{ name: 'a', keys: ['user:1'] }, { name: 'b', keys: ['user:2'] }, { name: 'c', keys: [] }]);
    expect(log.slice(0, 3)).toEqual(['+a', '+b', '+c']);
    expect(sideBySide(log, 'a')).toEqual(['b', 'c']);
  });

  it('never runs two items that share a key at once, and lets later items pass one that waits', async () => {
    const log = await trace([{ name: 'a', keys: ['user:1'] }, { name: 'b', keys: ['user:1', 'user:3'] }, { name: 'c', keys: ['user:2'] }]);
    expect(log.slice(0, 2)).toEqual(['+a', '+c']);
    expect(sideBySide(log, 'a')).toEqual(['c']);
    expect(sideBySide(log, 'b')).not.toContain('a');
    expect(log.indexOf('+b')).toBeGreaterThan(log.indexOf('-a'));
  });

  it('keeps to the concurrency', async () => {
    const log = await trace(['a', 'b', 'c', 'd'].map((name) => ({ name, keys: [] })), 2);
    let running = 0;
    let most = 0;
    for (const e of log) {
      running += e.startsWith('+') ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBe(2);
  });

  it('runs exclusive items last, each alone', async () => {
    const log = await trace([{ name: 'x', keys: [], exclusive: true }, { name: 'a', keys: [] }, { name: 'y', keys: [], exclusive: true }, { name: 'b', keys: [] }]);
    expect(log).toEqual(['+a', '+b', '-a', '-b', '+x', '-x', '+y', '-y']);
  });

  it('starts nothing new once stopped, and lets what runs finish', async () => {
    const log = await trace([{ name: 'a', keys: ['k'] }, { name: 'b', keys: ['k'] }, { name: 'c', keys: ['k'] }], 16, 'a');
    expect(log).toEqual(['+a', '-a']);
  });
});
