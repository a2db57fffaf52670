/**
 * The default gate: its settings and where they come from, and a real run against a server that
 * accepts every connection and never answers, which must fail with the reason first.
 */
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { urlTarget } from '../transport/target.js';
import { loadProfile } from '../profile/load.js';
import { listenOnLoopback } from '../testing/loopback-listen.js';
import { DEFAULT_GATE, gateReasons, gateRelaxations, gateThresholds, resolveGate } from '../report/gate.js';
import { runLoad } from './run.js';
import { readLoadScenario } from './scenario.js';

const root = join(import.meta.dirname, '..', '..');

describe('the gate settings', () => {
  it('defaults to no connect failure and at most 0.1% of requests timed out', () => {
    expect(DEFAULT_GATE).toEqual({ connectFailures: 0, timeoutsPercent: 0.1 });
    expect(gateThresholds(resolveGate()).map((t) => [t.expression, t.source])).toEqual([
      ['round_trips>0', 'gate'], ['connect.errors<=0', 'gate'], ['timeouts.rate<=0.1%', 'gate'], ['delivery.leaked==0', 'gate'],
    ]);
    expect(gateRelaxations(resolveGate())).toEqual([]);
  });

  it('takes the command line over the scenario over the default, and says where a relaxation came from', () => {
    const gate = resolveGate({ connectFailures: 5, timeoutsPercent: 1 }, { timeoutsPercent: 2 });
    expect(gate).toEqual({ connectFailures: 5, timeoutsPercent: 2, from: { connectFailures: 'scenario', timeoutsPercent: 'command line' } });
    expect(gateThresholds(gate).map((t) => t.expression)).toEqual(['round_trips>0', 'connect.errors<=5', 'timeouts.rate<=2%', 'delivery.leaked==0']);
    expect(gateRelaxations(gate)).toEqual([
      'connect failures allowed: 5 (load.gate.connect_failures in the scenario; default 0)',
      'timeouts allowed: 2% of requests (--gate-timeouts; default 0.1%)',
    ]);
  });
});

describe('a run against a server that accepts connections and never answers', () => {
  let close: () => Promise<void>;
  let url: string;
  beforeAll(async () => {
    const server = net.createServer((s) => s.resume());
    const listening = await listenOnLoopback(server);
    close = listening.close;
    url = `tcp://127.0.0.1:${listening.port}`;
  });
  afterAll(() => close());

  it('fails the gate (exit 1) and gives the reason first: no round trip completed', async () => {
    const base = readLoadScenario(join(root, 'scenarios', 'load', 'assa-chat.yaml')).plan;
    // No reconnection: each client sends exactly one CONNECT, which times out.
    const plan = { ...base, clients: 20, rampMs: 100, durationMs: 300, drainMs: 200, reconnectBackoffMs: [], thresholds: ['reply.p99<100ms'] };
    const report = await runLoad({ plan, profile: loadProfile('assa'), target: urlTarget(url), timers: { connectTimeout: 1000, responseTimeout: 300 } });
    const c = report.load!.counters;
    expect([c.requests, c.replies, c.timeouts, c['connect.errors']]).toEqual([20, 0, 20, 0]);
    expect(report.summary.exitCode).toBe(1);
    expect(report.thresholds!.map((t) => [t.expression, t.passed, t.actual])).toEqual([
      ['round_trips>0', false, 0],
      ['connect.errors<=0', true, 0],
      ['timeouts.rate<=0.1%', false, 100],
      ['delivery.leaked==0', true, 0],
      // A threshold on a latency nobody measured fails too: no data, not 0.
      ['reply.p99<100ms', false, null],
    ]);
    expect(gateReasons(report)).toEqual([
      'no round trip completed: 20 requests sent, 0 replies, 20 timeouts',
      '20 of 20 requests timed out (100%; the gate allows 0.1%)',
    ]);
  }, 30_000);
});
