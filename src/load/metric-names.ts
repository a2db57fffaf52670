/**
 * Every metric name a load run produces, so a threshold or an SLO that names none of them is
 * refused before the run (with the nearest name) instead of failing after it.
 */
import { ERROR_CODES } from '../errors.js';
import type { Profile } from '../profile/types.js';
import { TIME_STATS } from '../report/threshold-expression.js';

/** Latency histograms, in µs. */
export const HISTOGRAMS = ['connect', 'auth', 'reply', 'reply_scheduled', 'delivery'] as const;

/** Counters the engine keeps on its hot path as plain numbers (every one is in every report). */
export const ENGINE_COUNTERS = [
  'messages.sent', 'messages.received', 'bytes.sent', 'bytes.received', 'schema.violations', 'schema.non_strict', 'schema.informational',
  'requests', 'replies', 'timeouts', 'reconnects', 'reconnect.attempts', 'reconnect.failed', 'drops', 'connections.opened', 'connections.closed',
  'connect.errors', 'sends.skipped', 'sends.waiting', 'delivery.unmarked', 'connections.current', 'messages.other', 'replies.lost_on_close',
  'heartbeats.answered',
] as const;

/** Figures of the per-room delivery table, summed over rooms: `delivery.<name>`. */
export const DELIVERY_FIGURES = ['expected', 'delivered', 'lost', 'duplicated', 'reordered', 'self_copies', 'self_missing', 'leaked', 'offline_copies'] as const;

/** Derived from other figures (src/report/thresholds.ts): requests answered plus messages delivered. */
export const DERIVED = ['round_trips', 'delivery.unknown'] as const;

/** The names a run of this profile can produce, for "did you mean". */
export function metricNames(profile: Pick<Profile, 'errorCodes'>): string[] {
  return [
    ...HISTOGRAMS.flatMap((h) => [...TIME_STATS.filter((s) => s !== 'p99.9'), 'count'].map((s) => `${h}.${s}`)),
    ...ENGINE_COUNTERS,
    ...DELIVERY_FIGURES.map((f) => `delivery.${f}`),
    ...DERIVED,
    ...errorCodes(profile).map((c) => `errors.${c}`),
    ...profile.errorCodes.map((c) => `refusals.${c}`),
    ...rateBases().map((b) => `${b}.rate`),
  ];
}

function errorCodes(profile: Pick<Profile, 'errorCodes'>): string[] {
  // UNKNOWN: a failure whose code could not be read; CC_ERR_*: a connection the tool could not open.
  return [...profile.errorCodes, 'UNKNOWN', ...Object.keys(ERROR_CODES)];
}

/** What `<base>.rate` may divide: a counter, or a prefix of counters (`errors`, `schema`). */
function rateBases(): string[] {
  const prefixes = ENGINE_COUNTERS.filter((c) => c.includes('.')).map((c) => c.slice(0, c.indexOf('.')));
  return [...new Set([...ENGINE_COUNTERS, ...prefixes, 'errors', 'refusals', 'delivery'])];
}

/** Whether a run of this profile can produce `metric`. */
export function isKnownMetric(metric: string, profile: Pick<Profile, 'errorCodes'>): boolean {
  const dot = metric.indexOf('.');
  const head = dot > 0 ? metric.slice(0, dot) : metric;
  const tail = dot > 0 ? metric.slice(dot + 1) : '';
  if ((HISTOGRAMS as readonly string[]).includes(head) && ([...TIME_STATS, 'count'] as string[]).includes(tail)) return true;
  if (head === 'errors' && errorCodes(profile).includes(tail)) return true;
  if (head === 'refusals' && profile.errorCodes.includes(tail)) return true;
  if (metric.endsWith('.rate')) return rateBases().includes(metric.slice(0, -'.rate'.length));
  return metricNames(profile).includes(metric);
}
