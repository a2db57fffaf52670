/**
 * Which load to try next. Pure state machines fed with each step's outcome, so the stepping rules
 * (stop once broken, never above --to, give up on an untrustworthy step) are tested without a
 * server. Both are bounded: a linear grid has at most (to - from) / step + 2 points, a binary search
 * at most log2(to / from) + 1 doublings and log2((to - from) / resolution) + 1 bisections.
 */

/** A step's outcome: met every SLO, broke one, or cannot be judged (the generator saturated). */
export type StepOutcome = 'pass' | 'fail' | 'untrusted';

export interface LoadSearch {
  /** The next load to run, or undefined when the search is over. */
  next(): number | undefined;
  /** Records the outcome of the load `next()` returned. */
  record(load: number, outcome: StepOutcome): void;
  /** Why the search ended (valid once next() returned undefined). */
  readonly reason: string;
}

/** from, from + step, ... up to and including `to` (added when the grid skips it). */
export function linearLoads(from: number, to: number, step: number): number[] {
  const loads: number[] = [];
  for (let i = 0; from + i * step <= to && i <= 100_000; i++) loads.push(round(from + i * step));
  if (loads[loads.length - 1] !== to) loads.push(to);
  return loads;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function linearSearch(from: number, to: number, step: number): LoadSearch {
  const loads = linearLoads(from, to, step);
  let index = 0;
  let over = false;
  let reason = `reached --to ${to}`;
  return {
    next: () => (over || index >= loads.length ? undefined : loads[index]),
    record(load, outcome) {
      index++;
      if (outcome === 'fail') {
        over = true;
        reason = `an SLO broke at ${load}`;
      } else if (outcome === 'untrusted') {
        over = true;
        reason = `the load generator saturated at ${load}`;
      }
    },
    get reason() {
      return reason;
    },
  };
}

/**
 * Doubles the load from `from` (never above `to`) until a step breaks, then bisects between the
 * last passing and the first broken load until they are at most `resolution` apart. Assumes that
 * a server meeting the SLO at some load meets it at every lower load.
 */
export function binarySearch(from: number, to: number, resolution: number): LoadSearch {
  let pending: number | undefined = from;
  let lo: number | undefined;
  let hi: number | undefined;
  let reason = '';
  const bisect = (): number | undefined => {
    if (lo === undefined || hi === undefined) return undefined;
    if (hi - lo <= resolution) {
      reason = `bisected to ${lo}..${hi} (resolution ${resolution})`;
      return undefined;
    }
    const mid = Math.round((lo + hi) / 2);
    return mid > lo && mid < hi ? mid : undefined;
  };
  return {
    next: () => pending,
    record(load, outcome) {
      if (outcome === 'untrusted') {
        pending = undefined;
        reason = `the load generator saturated at ${load}`;
        return;
      }
      if (outcome === 'pass') {
        lo = load;
        if (hi === undefined) {
          if (load >= to) {
            pending = undefined;
            reason = `reached --to ${to}`;
            return;
          }
          pending = Math.min(to, Math.max(load + resolution, load * 2));
          return;
        }
      } else {
        hi = load;
        if (lo === undefined) {
          pending = undefined;
          reason = `an SLO broke at the first step, ${load}`;
          return;
        }
      }
      pending = bisect();
      if (pending === undefined && !reason) reason = `bisected to ${lo}..${hi}`;
    },
    get reason() {
      return reason;
    },
  };
}
