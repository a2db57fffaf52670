import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { loadReport } from '../report/fixtures.js';
import { loadMetric } from '../report/thresholds.js';
import { formatThresholdActual } from '../reporters/format.js';
import { evaluateThresholds, parseThreshold } from './thresholds.js';

const assa = loadProfile('assa');
const envelope = loadProfile('envelope');

function refusal(f: () => unknown): { code: string; exitCode: number; message: string; hint: string | undefined } {
  try {
    f();
  } catch (err) {
    const e = err as { code: string; exitCode: number; message: string; hint: string | undefined };
    return { code: e.code, exitCode: e.exitCode, message: e.message, hint: e.hint };
  }
  throw new Error('expected a refusal');
}

describe('parseThreshold', () => {
  it('converts latency units to microseconds and keeps the unit written', () => {
    expect(parseThreshold('reply.p99<100ms')).toEqual({ expression: 'reply.p99<100ms', metric: 'reply.p99', operator: '<', bound: 100_000, unit: 'ms', source: 'flag' });
    expect(parseThreshold('connect.max <= 2s')).toMatchObject({ bound: 2_000_000, unit: 's' });
    expect(parseThreshold('delivery.p50<750us')).toMatchObject({ bound: 750, unit: 'us' });
    expect(parseThreshold('delivery.p50<750µs')).toMatchObject({ bound: 750, unit: 'us' });
  });

  it('keeps counts and percentages as written', () => {
    expect(parseThreshold('delivery.lost==0')).toMatchObject({ metric: 'delivery.lost', operator: '==', bound: 0, unit: '' });
    expect(parseThreshold('errors.rate<0.1%')).toMatchObject({ metric: 'errors.rate', operator: '<', bound: 0.1, unit: '%' });
    expect(parseThreshold('reply.count>=10')).toMatchObject({ bound: 10, unit: '' });
  });

  it('rejects an expression it cannot read, saying what it expects and where it came from (exit 2)', () => {
    expect(refusal(() => parseThreshold('p99 under 100'))).toEqual({
      code: 'CC_ERR_BAD_THRESHOLD', exitCode: 2,
      message: 'invalid threshold "p99 under 100" (command line): expected METRIC OP VALUE[UNIT]',
      hint: 'e.g. reply.p99<100ms, delivery.lost==0, errors.rate<0.1%',
    });
    expect(refusal(() => parseThreshold('reply.p99<100parsecs', 'slo')).message).toBe('invalid threshold "reply.p99<100parsecs" (SLO): expected METRIC OP VALUE[UNIT]');
  });

  it('refuses a time bound without a unit, and says how to write it', () => {
    expect(refusal(() => parseThreshold('reply.p99<100', 'scenario'))).toEqual({
      code: 'CC_ERR_BAD_THRESHOLD', exitCode: 2,
      message: 'invalid threshold "reply.p99<100" (scenario): reply.p99 is a time: its bound needs a unit',
      hint: 'write it as reply.p99<100ms (units: us, ms, s, m)',
    });
    expect(refusal(() => parseThreshold('auth.p99.9<=5%')).message).toBe('invalid threshold "auth.p99.9<=5%" (command line): auth.p99.9 is a time: its bound needs a unit');
  });

  it('refuses a unit on a count and a percentage on anything but a rate', () => {
    expect(refusal(() => parseThreshold('delivery.lost==0ms'))).toMatchObject({ message: 'invalid threshold "delivery.lost==0ms" (command line): delivery.lost is not a time: it takes no unit', hint: 'write delivery.lost==0' });
    expect(refusal(() => parseThreshold('timeouts<1%'))).toMatchObject({ message: 'invalid threshold "timeouts<1%" (command line): timeouts is a count, not a rate', hint: 'write timeouts<1 without %, or use a rate such as errors.rate' });
  });

  it('refuses, given the profile, a metric no run produces, with the nearest name', () => {
    expect(refusal(() => parseThreshold('replly.p99<1s', 'flag', assa))).toEqual({
      code: 'CC_ERR_BAD_THRESHOLD', exitCode: 2,
      message: 'invalid threshold "replly.p99<1s" (command line): unknown metric replly.p99',
      hint: 'did you mean reply.p99? the metrics are listed in docs/load.md#metrics',
    });
    expect(refusal(() => parseThreshold('delivery.lots==0', 'scenario', assa)).hint).toBe('did you mean delivery.lost? the metrics are listed in docs/load.md#metrics');
    expect(refusal(() => parseThreshold('errors.RATE_LIMITED==0', 'flag', envelope)).hint).toBe('did you mean errors.rate_limited? the metrics are listed in docs/load.md#metrics');
    expect(refusal(() => parseThreshold('errors.rate_limited==0', 'flag', assa)).message).toBe('invalid threshold "errors.rate_limited==0" (command line): unknown metric errors.rate_limited');
    expect(refusal(() => parseThreshold('bogus==0', 'flag', assa)).hint).toBe('the metrics are listed in docs/load.md#metrics');
  });

  it('knows every metric a run produces: histograms, counters, delivery figures, error codes, rates', () => {
    for (const e of ['reply.p99.9<1s', 'reply_scheduled.mean<1s', 'auth.count>0', 'schema.violations==0', 'schema.non_strict==0', 'delivery.leaked==0',
      'delivery.self_missing==0', 'round_trips>0', 'errors.MESSAGE_TOO_LONG==0', 'errors.CC_ERR_CONNECT==0', 'errors.UNKNOWN==0', 'refusals.MESSAGE_TOO_LONG>0',
      'timeouts.rate<0.1%', 'errors.rate<1%', 'reconnect.failed==0', 'requests>0']) {
      expect(() => parseThreshold(e, 'flag', assa), e).not.toThrow();
    }
  });
});

describe('evaluateThresholds', () => {
  const metrics: Record<string, number> = { 'reply.p99': 120_000, 'delivery.lost': 0, 'errors.rate': 0.05 };
  const lookup = (m: string) => metrics[m];

  it('passes and fails each threshold on the exact comparison, recording the unit written', () => {
    const results = evaluateThresholds(
      [parseThreshold('reply.p99<100ms'), parseThreshold('reply.p99<=120ms'), parseThreshold('delivery.lost==0'), parseThreshold('errors.rate<0.05')],
      lookup,
    );
    expect(results.map((r) => [r.expression, r.actual, r.passed, r.unit])).toEqual([
      ['reply.p99<100ms', 120_000, false, 'ms'],
      ['reply.p99<=120ms', 120_000, true, 'ms'],
      ['delivery.lost==0', 0, true, ''],
      ['errors.rate<0.05', 0.05, false, '%'],
    ]);
  });

  it('fails a threshold whose metric has no data', () => {
    expect(evaluateThresholds([parseThreshold('auth.p99<1s')], lookup)).toEqual([
      { expression: 'auth.p99<1s', metric: 'auth.p99', actual: null, passed: false, source: 'flag', unit: 's' },
    ]);
  });
});

describe('a latency threshold on a run that recorded no value of it', () => {
  it('has no data (not 0), so reply.p99<100ms FAILs; a count of 0 is still 0', () => {
    const load = loadReport().load!;
    const empty = { ...load, histograms: { ...load.histograms, reply: { ...load.histograms.reply!, count: 0, p50: 0, p99: 0, max: 0 } } };
    expect(loadMetric(empty, 'reply.p99')).toBeUndefined();
    expect(loadMetric(empty, 'reply.count')).toBe(0);
    const [result] = evaluateThresholds([parseThreshold('reply.p99<100ms')], (m) => loadMetric(empty, m));
    expect(result).toMatchObject({ actual: null, passed: false });
    expect(formatThresholdActual(result!)).toBe('no data');
  });

  it('has no timeout rate when no request awaited a reply, and a rate per request when some did', () => {
    const load = loadReport().load!;
    expect(loadMetric({ ...load, counters: { 'messages.sent': 0, timeouts: 0, requests: 0 } }, 'timeouts.rate')).toBeUndefined();
    expect(loadMetric({ ...load, counters: { 'messages.sent': 5000, timeouts: 3, requests: 1000 } }, 'timeouts.rate')).toBe(0.3);
  });
});

describe('formatThresholdActual', () => {
  it('prints the actual value in the unit the bound was written in', () => {
    expect(formatThresholdActual({ metric: 'reply.p99', actual: 3326, unit: 'ms' })).toBe('3.33ms');
    expect(formatThresholdActual({ metric: 'reply.p99', actual: 3326, unit: 'us' })).toBe('3326us');
    expect(formatThresholdActual({ metric: 'reply.p99', actual: 3_326_000, unit: 's' })).toBe('3.33s');
    expect(formatThresholdActual({ metric: 'reply.p99', actual: 420_000, unit: 's' })).toBe('0.42s');
    expect(formatThresholdActual({ metric: 'reply.p99', actual: 90_000_000, unit: 'm' })).toBe('1.5m');
    expect(formatThresholdActual({ metric: 'errors.rate', actual: 0.0123456, unit: '%' })).toBe('0.0123%');
    expect(formatThresholdActual({ metric: 'delivery.lost', actual: 1234, unit: '' })).toBe('1,234');
    expect(formatThresholdActual({ metric: 'reply.p99', actual: null, unit: 'ms' })).toBe('no data');
  });
});
