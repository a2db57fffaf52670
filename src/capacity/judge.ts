/**
 * One capacity step judged from the load run that measured it: throughput, reply latency, each
 * SLO, and what limited the server when a step broke.
 */
import { evaluateThresholds, isTimeMetric, type Threshold } from '../report/threshold-expression.js';
import { formatThresholdActual } from '../reporters/format.js';
import type { CapacityResult, CapacityStep, RunReport } from '../report/model.js';
import { loadMetric } from '../report/thresholds.js';
import type { StepOutcome } from './search.js';

/**
 * Every step also requires that every client got connected and stayed served: no failed connection
 * attempt, and no client that gave up reconnecting (a server that accepts a socket and closes it at
 * once shows up as the latter). A server that turns clients away does not serve that many clients,
 * whatever the latency of the ones it took.
 */
export const CONNECTIONS_SLO = 'connect.errors==0';
export const CLIENTS_SLO = 'reconnect.failed==0';

export function judgeStep(report: RunReport, load: number, unit: CapacityStep['unit'], slos: readonly Threshold[], steadyMs: number): CapacityStep {
  const result = report.load;
  const reply = result?.histograms.reply;
  const counters = result?.counters ?? {};
  const answered = reply?.count ?? 0;
  // Messages the server answered per second of the measured (steady) phase; without replies, what was sent.
  const done = answered > 0 ? answered : counters['messages.sent'] ?? 0;
  const slo = result ? evaluateThresholds(slos, (m) => loadMetric(result, m)) : slos.map((t) => ({ expression: t.expression, metric: t.metric, actual: null, passed: false, source: t.source, unit: t.unit }));
  const connectErrors = counters['connect.errors'] ?? 0;
  const clientsLost = counters['reconnect.failed'] ?? 0;
  const broken = slo.filter((r) => !r.passed).map((r) => r.expression);
  if (connectErrors > 0 && !broken.includes(CONNECTIONS_SLO)) broken.push(CONNECTIONS_SLO);
  if (clientsLost > 0 && !broken.includes(CLIENTS_SLO)) broken.push(CLIENTS_SLO);
  const generator = report.generator;
  const options = report.options as { clients?: number; rate?: number };
  return {
    load,
    unit,
    throughput: Math.round((done * 1000) / Math.max(1, steadyMs) * 10) / 10,
    p50Ms: ms(reply?.p50 ?? 0),
    p99Ms: ms(reply?.p99 ?? 0),
    sloPassed: broken.length === 0,
    broken,
    generatorSaturated: generator?.saturated === true,
    ...(options.clients !== undefined ? { clients: options.clients } : {}),
    ...(options.rate !== undefined ? { ratePerClient: options.rate } : {}),
    slo,
    connectErrors,
    clientsLost,
    ...(generator?.saturated && generator.reason ? { saturation: generator.reason } : {}),
  };
}

function ms(us: number): number {
  return Math.round(us / 10) / 100;
}

export function outcomeOf(step: CapacityStep): StepOutcome {
  if (step.generatorSaturated) return 'untrusted';
  return step.sloPassed ? 'pass' : 'fail';
}

/** What broke first at a step, in the words a capacity planner uses. */
export function limitingFactor(step: CapacityStep): string {
  const at = `at ${step.load} ${step.unit === 'clients' ? 'clients' : 'messages/s'}`;
  const refused = step.connectErrors ?? 0;
  const lost = step.clientsLost ?? 0;
  if (refused > 0 || lost > 0) {
    const what = [refused > 0 ? `${refused} connection attempts failed` : '', lost > 0 ? `${lost} clients gave up reconnecting` : ''].filter(Boolean).join(', ');
    return `the server stopped accepting connections (${what} ${at})`;
  }
  const failed = (step.slo ?? []).filter((r) => !r.passed);
  const first = failed[0];
  if (!first) return `unknown ${at}`;
  const actual = (r: (typeof failed)[number]): string => formatThresholdActual(r);
  const latency = failed.find((r) => isTimeMetric(r.metric));
  const loss = failed.find((r) => /^delivery\.(lost|duplicated|reordered)$/.test(r.metric));
  const errors = failed.find((r) => /^(errors|timeouts|drops|reconnect)/.test(r.metric));
  // Loss and errors say more about a server in trouble than the latency that usually comes with them.
  if (loss) return `message loss: ${loss.expression} broken (actual ${actual(loss)}) ${at}`;
  if (errors) return `errors: ${errors.expression} broken (actual ${actual(errors)}) ${at}`;
  if (latency) return `latency: ${latency.expression} broken (actual ${actual(latency)}) ${at}`;
  return `${first.expression} broken (actual ${actual(first)}) ${at}`;
}

/**
 * The result in one sentence: "knee: 140 clients; first broken at 160: latency: ...", or "no knee
 * found up to 150 clients: the SLO held at every step" when nothing broke, and what limited it.
 */
export function capacityConclusion(c: Pick<CapacityResult, 'vary' | 'knee' | 'heldUpTo' | 'firstBroken' | 'limitingFactor' | 'steps'>): string {
  const unit = c.vary === 'clients' ? 'clients' : 'messages/s';
  const saturated = c.steps.find((s) => s.generatorSaturated);
  if (c.knee !== null) return `knee: ${c.knee} ${unit}, the highest load that met every SLO; first broken: ${c.firstBroken} ${unit}: ${c.limitingFactor ?? 'see the table'}`;
  if (c.firstBroken !== null) return `no knee at or above ${c.firstBroken} ${unit}: the first step already broke the SLO: ${c.limitingFactor ?? 'see the table'}`;
  if (c.heldUpTo !== undefined) {
    return saturated
      ? `no knee found up to ${c.heldUpTo} ${unit}: the SLO held at every step the generator could measure; limited by ${c.limitingFactor ?? 'the load generator'}`
      : `no knee found up to ${c.heldUpTo} ${unit}: the SLO held at every step`;
  }
  return saturated ? `no step could be judged: ${c.limitingFactor ?? 'the load generator saturated'}` : 'no step could be judged';
}
