import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLoadScenario } from '../load/scenario.js';
import { urlTarget } from '../transport/target.js';
import { stepPlan, validateCapacityOptions, type CapacityOptions } from './run.js';

const { plan, profile } = readLoadScenario(join(import.meta.dirname, '..', '..', 'scenarios', 'load', 'assa-chat.yaml'));
const base: CapacityOptions = { plan, profile, target: urlTarget('tcp://127.0.0.1:12345'), slo: ['reply.p99<100ms'], from: 100, to: 1000, step: 100, stepDurationMs: 10_000 };

describe('a step\'s plan', () => {
  it('runs the scenario with the step\'s clients, a ramp scaled from the scenario\'s, fresh users, no probes or thresholds', () => {
    // The bundled scenario: 1,000 clients over a 10 s ramp, 1 message per second each.
    const p = stepPlan(base, 300, 2);
    expect(p).toMatchObject({ clients: 300, rate: 1, rampMs: 3000, durationMs: 10_000, thresholds: [], userIdBase: plan.userIdBase + 2 * 1000 * 2 });
    expect(p.limits).toBeUndefined();
    expect(stepPlan({ ...base, rampMs: 500, ratePerClient: 4 }, 300, 0)).toMatchObject({ clients: 300, rate: 4, rampMs: 500, userIdBase: plan.userIdBase });
  });

  it('with vary rate keeps the clients and splits the total rate among them', () => {
    expect(stepPlan({ ...base, vary: 'rate', clients: 200 }, 600, 1)).toMatchObject({ clients: 200, rate: 3, rampMs: 2000 });
  });
});

describe('capacity options', () => {
  const reject = (o: Partial<Parameters<typeof validateCapacityOptions>[0]>) => () => validateCapacityOptions({ ...base, ...o });

  it('refuses loads that cannot be run, naming the option (exit 2); the command line says its flags', () => {
    expect(reject({ from: 0 })).toThrowError(expect.objectContaining({ code: 'CC_ERR_BAD_OPTION', exitCode: 2, message: 'invalid value 0 for `from`: expected a load above 0' }));
    expect(reject({ to: 50 })).toThrowError('invalid value 50 for `to`: expected at least `from` (100)');
    expect(reject({ step: 2.5 })).toThrowError('invalid value 2.5 for `step`: a client count is a whole number');
    expect(reject({ stepDurationMs: 0 })).toThrowError('invalid value 0 for `stepDurationMs`: expected a duration above 0');
    expect(reject({ slo: [] })).toThrowError('invalid value [] for `slo`: at least one SLO is needed, e.g. reply.p99<100ms');
    // A baseline beside the reference server as the target: the embedded server, before it starts.
    expect(reject({ target: { embedded: true }, baseline: { embedded: true } })).toThrowError('invalid value "reference" for `baseline`: compares `target` with the reference server; without `target` the run is already against it');
    expect(reject({ vary: 'rate', ratePerClient: 2 })).toThrowError(/^invalid value 2 for `ratePerClient`: sets the per-client rate of a client search/);
    expect(reject({ clients: 50 })).toThrowError('invalid value 50 for `clients`: is the fixed count of a `vary` rate search; a client search steps it from `from` to `to`');
  });

  it('accepts fractional loads for a rate search', () => {
    expect(reject({ vary: 'rate', from: 0.5, to: 2.5, step: 0.5 })).not.toThrow();
  });
});
