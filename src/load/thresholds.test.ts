import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold } from './thresholds.js';

describe('parseThreshold', () => {
  it('converts latency units to microseconds', () => {
    expect(parseThreshold('reply.p99<100ms')).toEqual({ expression: 'reply.p99<100ms', metric: 'reply.p99', operator: '<', bound: 100_000, source: 'flag' });
    expect(parseThreshold('connect.max <= 2s').bound).toBe(2_000_000);
    expect(parseThreshold('delivery.p50<750us').bound).toBe(750);
  });

  it('keeps counts and percentages as written', () => {
    expect(parseThreshold('delivery.lost==0')).toMatchObject({ metric: 'delivery.lost', operator: '==', bound: 0 });
    expect(parseThreshold('errors.rate<0.1%')).toMatchObject({ metric: 'errors.rate', operator: '<', bound: 0.1 });
  });

  it('rejects an expression it cannot read, saying what it expects', () => {
    expect(() => parseThreshold('p99 under 100')).toThrowError(/invalid value "p99 under 100" for --threshold: expected METRIC OP VALUE\[UNIT\]/);
    expect(() => parseThreshold('reply.p99<100parsecs', 'slo')).toThrowError(/for --slo/);
  });
});

describe('evaluateThresholds', () => {
  const metrics: Record<string, number> = { 'reply.p99': 120_000, 'delivery.lost': 0, 'errors.rate': 0.05 };
  const lookup = (m: string) => metrics[m];

  it('passes and fails each threshold on the exact comparison', () => {
    const results = evaluateThresholds(
      [parseThreshold('reply.p99<100ms'), parseThreshold('reply.p99<=120ms'), parseThreshold('delivery.lost==0'), parseThreshold('errors.rate<0.05%')],
      lookup,
    );
    expect(results.map((r) => [r.expression, r.actual, r.passed])).toEqual([
      ['reply.p99<100ms', 120_000, false],
      ['reply.p99<=120ms', 120_000, true],
      ['delivery.lost==0', 0, true],
      ['errors.rate<0.05%', 0.05, false],
    ]);
  });

  it('fails a threshold on a metric the run did not produce', () => {
    expect(evaluateThresholds([parseThreshold('replly.p99<1s')], lookup)).toEqual([
      { expression: 'replly.p99<1s', metric: 'replly.p99', actual: null, passed: false, source: 'flag' },
    ]);
  });
});
