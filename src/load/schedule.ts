import { performance } from 'node:perf_hooks';

/**
 * The open workload model: every send has a scheduled time fixed in advance by the client's
 * timetable, independent of how fast the server answers. A stalled server delays nothing in the
 * plan, and latency is measured from the scheduled time, so it cannot hide behind coordinated
 * omission (a closed loop would simply send less while the server stalls).
 *
 * One timer drives all clients: a binary min-heap of due times, so 20,000 clients cost one
 * setTimeout, not 20,000 intervals.
 */

type Task = (scheduledAt: number) => void;

interface Entry {
  at: number;
  seq: number;
  task: Task;
}

export class Scheduler {
  private heap: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private counter = 0;
  private stopped = false;
  /** True while `fire` runs tasks: it arms the timer once when they are done, not once per task they add. */
  private firing = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Runs `task(at)` at monotonic time `at` (ms), or as soon as possible after it. */
  at(at: number, task: Task): void {
    if (this.stopped) return;
    this.push({ at, seq: this.counter++, task });
    if (at < this.armedFor && !this.firing) this.arm();
  }

  get pending(): number {
    return this.heap.length;
  }

  /**
   * Runs now, in time order, every task due before `time` that its timer has not fired yet (a
   * lagging event loop fires late): the end of a run must not swallow sends it had scheduled.
   */
  runBefore(time: number): void {
    while (!this.stopped && this.heap.length > 0 && this.heap[0]!.at < time) {
      const entry = this.pop()!;
      entry.task(entry.at);
    }
  }

  /** Drops every pending task and the timer. */
  stop(): void {
    this.stopped = true;
    this.heap = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const first = this.heap[0];
    if (!first) {
      this.timer = undefined;
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = first.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.at - this.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    // Run everything due; tasks scheduled for "now" by a running task (a higher seq than any
    // entry already queued) wait for the next turn.
    const newer = this.counter;
    this.firing = true;
    try {
      while (!this.stopped && this.heap.length > 0 && this.heap[0]!.at <= now && this.heap[0]!.seq < newer) {
        const entry = this.pop()!;
        entry.task(entry.at);
      }
    } finally {
      this.firing = false;
    }
    if (!this.stopped) this.arm();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * A client's send times: `rate` messages per second from `start`, offset by `phase` (0..1 of an
 * interval) so that many clients do not all fire on the same millisecond, ending before `end`.
 */
export function timetable(start: number, end: number, ratePerSecond: number, phase: number): { next(): number | undefined } {
  const interval = 1000 / ratePerSecond;
  let k = 0;
  return {
    next() {
      const at = start + (phase + k) * interval;
      if (at >= end) return undefined;
      k++;
      return at;
    },
  };
}
