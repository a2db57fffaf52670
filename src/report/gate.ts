/**
 * The default gate: what every load run must show before it can exit 0, whatever its thresholds
 * say. A run against a server that accepts connections and never answers sends requests, gets no
 * reply, and has no threshold of its own to break; it must not be green.
 *
 * - `round_trips>0`: at least one request answered or one message delivered;
 * - `connect.errors<=N`: connection attempts that failed (N = `connect_failures`, default 0);
 * - `timeouts.rate<=P%`: requests that timed out, per request awaiting a reply (P = `timeouts`,
 *   default 0.1%);
 * - `delivery.leaked==0`: no message reached a client outside its room.
 * A scenario (`load.gate`) or the command line may relax N and P; the report records the values
 * and where they came from, and the summary says so. The gate is judged like any threshold, and
 * a report says in words why it failed (gateReasons) and what was relaxed (gateRelaxations).
 */
import type { LoadResult, RunReport, ThresholdResult } from './model.js';
import { readThreshold, type Threshold } from './threshold-expression.js';

/** What a run's default gate allows; a scenario's `load.gate` or the command line may relax it. */
export interface GateSettings {
  /** Failed connection attempts allowed (default 0). */
  connectFailures: number;
  /** Requests that may time out, in percent of the requests awaiting a reply (default 0.1). */
  timeoutsPercent: number;
}

export const DEFAULT_GATE: GateSettings = { connectFailures: 0, timeoutsPercent: 0.1 };

export type GateOrigin = 'default' | 'scenario' | 'command line';

/** The gate as run: its settings, and where each came from (in the report's options). */
export interface ResolvedGate extends GateSettings {
  from: Record<keyof GateSettings, GateOrigin>;
}

/** The command line over the scenario over the defaults. */
export function resolveGate(scenario: Partial<GateSettings> = {}, commandLine: Partial<GateSettings> = {}): ResolvedGate {
  const pick = (key: keyof GateSettings): [number, GateOrigin] =>
    commandLine[key] !== undefined ? [commandLine[key], 'command line'] : scenario[key] !== undefined ? [scenario[key], 'scenario'] : [DEFAULT_GATE[key], 'default'];
  const [connectFailures, cf] = pick('connectFailures');
  const [timeoutsPercent, tp] = pick('timeoutsPercent');
  return { connectFailures, timeoutsPercent, from: { connectFailures: cf, timeoutsPercent: tp } };
}

export function gateThresholds(gate: GateSettings): Threshold[] {
  return [
    'round_trips>0',
    `connect.errors<=${gate.connectFailures}`,
    `timeouts.rate<=${gate.timeoutsPercent}%`,
    'delivery.leaked==0',
  ].map((e) => readThreshold(e, 'gate'));
}

/** Where a relaxed setting was set, as a person looks for it. */
const WHERE: Record<keyof GateSettings, Record<Exclude<GateOrigin, 'default'>, string>> = {
  connectFailures: { scenario: 'load.gate.connect_failures in the scenario', 'command line': '--gate-connect-failures' },
  timeoutsPercent: { scenario: 'load.gate.timeouts in the scenario', 'command line': '--gate-timeouts' },
};

/** "connect failures allowed: 5 (--gate-connect-failures; default 0)", one per setting that differs from its default. */
export function gateRelaxations(gate: ResolvedGate): string[] {
  const out: string[] = [];
  if (gate.connectFailures !== DEFAULT_GATE.connectFailures && gate.from.connectFailures !== 'default') {
    out.push(`connect failures allowed: ${gate.connectFailures} (${WHERE.connectFailures[gate.from.connectFailures]}; default ${DEFAULT_GATE.connectFailures})`);
  }
  if (gate.timeoutsPercent !== DEFAULT_GATE.timeoutsPercent && gate.from.timeoutsPercent !== 'default') {
    out.push(`timeouts allowed: ${gate.timeoutsPercent}% of requests (${WHERE.timeoutsPercent[gate.from.timeoutsPercent]}; default ${DEFAULT_GATE.timeoutsPercent}%)`);
  }
  return out;
}

/**
 * Why the gate failed, most telling reason first, in words: "no round trip completed: 800 requests
 * sent, 0 replies, 800 timeouts". Empty when the gate held.
 */
export function gateReasons(report: Pick<RunReport, 'thresholds' | 'load'>): string[] {
  const failed = new Map<string, ThresholdResult>((report.thresholds ?? []).filter((t) => t.source === 'gate' && !t.passed).map((t) => [t.metric, t]));
  const load = report.load as LoadResult | undefined;
  if (!failed.size || !load) return [];
  const c = load.counters;
  const n = (name: string): number => c[name] ?? 0;
  const reasons: string[] = [];
  if (failed.has('round_trips')) {
    const refused = n('connect.errors') > 0 ? `, ${n('connect.errors')} connection attempts failed` : '';
    reasons.push(`no round trip completed: ${n('requests')} requests sent, ${n('replies')} replies, ${n('timeouts')} timeouts${refused}`);
  }
  const connect = failed.get('connect.errors');
  if (connect) {
    const first = Object.values(load.errorSamples ?? {})[0];
    reasons.push(`${n('connect.errors')} connection attempts failed (the gate allows ${boundOf(connect)})${first ? `; the first: ${first}` : ''}`);
  }
  const timeouts = failed.get('timeouts.rate');
  if (timeouts && timeouts.actual !== null) {
    reasons.push(`${n('timeouts')} of ${n('requests')} requests timed out (${Math.round(timeouts.actual * 1000) / 1000}%; the gate allows ${boundOf(timeouts)}%)`);
  }
  const leaked = failed.get('delivery.leaked');
  if (leaked) reasons.push(`${leaked.actual ?? 0} messages reached clients that were not members of the room (leaked)`);
  return reasons;
}

function boundOf(t: ThresholdResult): string {
  return /(?:<=)\s*([\d.]+)/.exec(t.expression)?.[1] ?? '?';
}
