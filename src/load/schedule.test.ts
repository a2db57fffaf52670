import { describe, expect, it } from 'vitest';
import { Scheduler, timetable } from './schedule.js';

describe('timetable', () => {
  it('spaces sends by the rate, offset by the phase, and ends before the end', () => {
    const t = timetable(1000, 2000, 4, 0.5);
    const times: number[] = [];
    for (let at = t.next(); at !== undefined; at = t.next()) times.push(at);
    expect(times).toEqual([1125, 1375, 1625, 1875]);
  });
});

describe('Scheduler', () => {
  it('runs tasks in time order, passing each its scheduled time, on one timer', async () => {
    const s = new Scheduler();
    const start = performance.now();
    const ran: [string, number][] = [];
    const done = new Promise<void>((resolve) => {
      s.at(start + 30, (at) => ran.push(['c', at - start]));
      s.at(start + 10, (at) => ran.push(['a', at - start]));
      s.at(start + 20, (at) => ran.push(['b', at - start]));
      s.at(start + 40, () => resolve());
    });
    await done;
    expect(ran.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(ran.map(([, at]) => Math.round(at))).toEqual([10, 20, 30]);
    s.stop();
  });

  it('keeps insertion order for tasks due at the same time', async () => {
    const s = new Scheduler();
    const at = performance.now() + 5;
    const ran: number[] = [];
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 50; i++) s.at(at, () => ran.push(i));
      s.at(at + 1, () => resolve());
    });
    expect(ran).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('drops pending tasks on stop and accepts no new ones', async () => {
    const s = new Scheduler();
    let ran = 0;
    s.at(performance.now() + 5, () => ran++);
    s.stop();
    s.at(performance.now(), () => ran++);
    await new Promise((r) => setTimeout(r, 30));
    expect(ran).toBe(0);
    expect(s.pending).toBe(0);
  });

  it('runBefore runs the tasks due before a time at once, in order, and leaves the later ones', () => {
    const s = new Scheduler();
    const base = performance.now() + 10_000;
    const ran: number[] = [];
    s.at(base + 30, (at) => ran.push(at - base));
    s.at(base + 10, (at) => ran.push(at - base));
    s.at(base + 50, (at) => ran.push(at - base));
    s.runBefore(base + 40);
    expect(ran).toEqual([10, 30]);
    expect(s.pending).toBe(1);
    s.stop();
  });
});
