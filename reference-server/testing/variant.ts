/**
 * For the variant tests: the same options started as the reference server and as the
 * other-choices variant, so each test shows what one does and the other does not.
 */
import type { ReferenceServerOptions } from '../shared/config.js';
import { startReferenceServer, type RunningServer } from '../server.js';

export interface ServerPair {
  reference: RunningServer;
  other: RunningServer;
}

const started: RunningServer[] = [];

export async function startPair(options: ReferenceServerOptions): Promise<ServerPair> {
  const [reference, other] = await Promise.all([
    startReferenceServer({ ...options, variant: 'reference' }),
    startReferenceServer({ ...options, variant: 'other-choices' }),
  ]);
  started.push(reference, other);
  return { reference, other };
}

/** Closes every server startPair started; for afterEach / afterAll. */
export async function closePairs(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.close()));
}

/** ISO 8601 UTC with whole seconds, as the variant writes times. */
export const ISO_S = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The extra top-level field the variant adds to every message of every protocol. */
export const SERVER_VERSION = { server_version: '1.0.0-other-choices' };

/**
 * Departures from the generated schemas that the variant may take: its extra fields, and any
 * violation whose source is not the seed (a null in an optional field, a code beyond the seeds'
 * example lists, a decision's constraint such as OpenIRC's given_type names). A seed-sourced
 * violation is never the variant's choice: it would be a bug in the variant.
 */
const CHOSEN: readonly RegExp[] = [
  /^fields the spec does not define (?:\/server_version|\/data\/extra)(?:, (?:\/server_version|\/data\/extra))*$/,
  / \[(?:lenient|reading|choice) [\w.-]+\]$/,
];

/** The schema violations (testing/schema-check.ts) that none of the variant's choices explains. */
export function unchosenViolations(violations: readonly string[]): string[] {
  return violations.filter((v) => {
    const m = /^(\w+): (.*?) in (\{.*)$/s.exec(v);
    if (!m) return true;
    const [, profile, detail, shown] = m as unknown as [string, string, string, string];
    if (profile === 'openirc' && detail === 'unknown-name') return !/^\{"kind":"(?:join|leave)"/.test(shown);
    return !detail.split('; ').every((part) => CHOSEN.some((re) => re.test(part)));
  });
}
