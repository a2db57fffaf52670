import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newHistogram } from './store.js';
import { Recorder } from './recorder.js';

/** Every value's bucket, read back through the histogram: equal iff the counts arrays agree. */
function profile(h: ReturnType<typeof newHistogram>): number[] {
  const out = [h.totalCount, h.maxValue === 0 ? 0 : h.getValueAtPercentile(100), h.getValueAtPercentile(0), h.mean];
  for (let p = 0.1; p < 100; p += 0.7) out.push(h.getValueAtPercentile(p));
  return out;
}

describe('Recorder', () => {
  it('puts every value in the bucket recordValue would, at bucket edges and beyond 2^31', () => {
    const values = [0, 1, 2, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 65535, 65536, 1_000_000, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 36 + 5, 3.4, 3.6, -7];
    const direct = newHistogram();
    const recorder = new Recorder(newHistogram());
    for (const v of values) {
      direct.recordValue(v > 0 ? Math.round(v) : 0);
      recorder.record(v);
    }
    expect(profile(recorder.flush())).toEqual(profile(direct));
    for (const v of values.filter((x) => x >= 0)) {
      const h = new Recorder(newHistogram());
      h.record(v);
      const d = newHistogram();
      d.recordValue(Math.round(v));
      expect(h.flush().getValueAtPercentile(50), String(v)).toBe(d.getValueAtPercentile(50));
    }
  });

  it('agrees with recordValue on any values (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 2 ** 31, max: 2 ** 40 })), { minLength: 1, maxLength: 300 }), (values) => {
        const direct = newHistogram();
        const recorder = new Recorder(newHistogram());
        for (const v of values) {
          direct.recordValue(v);
          recorder.record(v);
        }
        expect(profile(recorder.flush())).toEqual(profile(direct));
      }),
      { numRuns: 200 },
    );
  });

  it('flushes only once: a second flush adds nothing', () => {
    const r = new Recorder(newHistogram());
    for (let i = 0; i < 100; i++) r.record(i * 37);
    expect(r.flush().totalCount).toBe(100);
    expect(r.flush().totalCount).toBe(100);
    r.record(5);
    expect(r.flush().totalCount).toBe(101);
  });
});
