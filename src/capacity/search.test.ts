import { describe, expect, it } from 'vitest';
import { binarySearch, linearLoads, linearSearch, type LoadSearch, type StepOutcome } from './search.js';

/** Drives a search against a server whose true knee is `knee` (every load above it fails). */
function drive(search: LoadSearch, outcome: (load: number) => StepOutcome, limit = 1000): number[] {
  const tried: number[] = [];
  for (let load = search.next(); load !== undefined && tried.length < limit; load = search.next()) {
    tried.push(load);
    search.record(load, outcome(load));
  }
  return tried;
}

const kneeAt = (knee: number) => (load: number): StepOutcome => (load <= knee ? 'pass' : 'fail');

describe('linear stepping', () => {
  it('steps from --from by --step and adds --to when the grid skips it, never above it', () => {
    expect(linearLoads(100, 1000, 100)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(linearLoads(20, 90, 40)).toEqual([20, 60, 90]);
    expect(linearLoads(5, 5, 10)).toEqual([5]);
    expect(linearLoads(0.5, 1.5, 0.25)).toEqual([0.5, 0.75, 1, 1.25, 1.5]);
  });

  it('stops at the first broken step', () => {
    const search = linearSearch(100, 1000, 100);
    expect(drive(search, kneeAt(430))).toEqual([100, 200, 300, 400, 500]);
    expect(search.reason).toBe('an SLO broke at 500');
  });

  it('runs up to --to when nothing breaks', () => {
    const search = linearSearch(100, 350, 100);
    expect(drive(search, () => 'pass')).toEqual([100, 200, 300, 350]);
    expect(search.reason).toBe('reached --to 350');
  });

  it('stops at a step where the generator saturated', () => {
    const search = linearSearch(100, 1000, 100);
    expect(drive(search, (l) => (l >= 300 ? 'untrusted' : 'pass'))).toEqual([100, 200, 300]);
    expect(search.reason).toBe('the load generator saturated at 300');
  });
});

describe('binary search', () => {
  it('doubles until a step breaks, then bisects to the resolution', () => {
    const search = binarySearch(20, 300, 10);
    expect(drive(search, kneeAt(148))).toEqual([20, 40, 80, 160, 120, 140, 150]);
    expect(search.reason).toBe('bisected to 140..150 (resolution 10)');
  });

  it('ends within the resolution below the true knee for any knee in range', () => {
    for (const knee of [20, 33, 99, 100, 101, 257, 299]) {
      const tried = drive(binarySearch(20, 300, 5), kneeAt(knee));
      const passed = tried.filter((l) => l <= knee);
      const broken = tried.filter((l) => l > knee);
      expect(Math.max(...passed)).toBeLessThanOrEqual(knee);
      expect(knee - Math.max(...passed)).toBeLessThan(5);
      expect(Math.min(...broken) - Math.max(...passed)).toBeLessThanOrEqual(5);
      expect(Math.max(...tried)).toBeLessThanOrEqual(300);
      expect(tried.length).toBeLessThanOrEqual(Math.ceil(Math.log2(300 / 20)) + 1 + Math.ceil(Math.log2(280 / 5)) + 1);
    }
  });

  it('stops at --to when every step passes, and after the first step when it breaks', () => {
    const all = binarySearch(20, 300, 10);
    expect(drive(all, () => 'pass')).toEqual([20, 40, 80, 160, 300]);
    expect(all.reason).toBe('reached --to 300');
    const none = binarySearch(20, 300, 10);
    expect(drive(none, () => 'fail')).toEqual([20]);
    expect(none.reason).toBe('an SLO broke at the first step, 20');
  });

  it('gives up at a saturated step', () => {
    const search = binarySearch(20, 300, 10);
    expect(drive(search, (l) => (l >= 80 ? 'untrusted' : 'pass'))).toEqual([20, 40, 80]);
    expect(search.reason).toBe('the load generator saturated at 80');
  });
});
