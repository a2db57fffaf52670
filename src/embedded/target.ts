/**
 * The reference server as a run's target: started in-process on ephemeral loopback ports with the
 * run's key, timers and limits, by whoever composes a run (the command line when there is no
 * --target, a test, the mutation suite), and handed to the run like any other target. The library
 * that runs cases never starts it.
 */
import type { JwtSigningKey } from '../auth/tokens.js';
import type { TransportScheme } from '../profile/types.js';
import { offeredTransports, type RunTarget, type TargetOffer } from '../transport/target.js';
import type { ServerVariant } from '../../reference-server/shared/choices.js';
import type { ReferenceServerOptions, ServerUrls } from '../../reference-server/server.js';

/**
 * Which of the reference server's URLs serve each profile, by scheme, the one clients start from
 * first (OpenIRC: the HTTP login, whose answer names its WebSocket).
 */
const FRONT_ENDS = {
  assa: [['tcp', 'assaTcp'], ['ws', 'assaWs']],
  envelope: [['ws', 'envelopeWs']],
  openirc: [['http', 'openircHttp'], ['ws', 'openircWs']],
} as const satisfies Record<string, readonly (readonly [string, keyof ServerUrls])[]>;

export type EmbeddedProfile = keyof typeof FRONT_ENDS;

export function servesProfile(profile: string): profile is EmbeddedProfile {
  return Object.hasOwn(FRONT_ENDS, profile);
}

/** What the reference server offers each profile's clients, known before it starts. */
export const EMBEDDED_OFFER: TargetOffer = {
  embedded: true,
  transports: (profile: string): TransportScheme[] => (servesProfile(profile) ? offeredTransports(FRONT_ENDS[profile].map(([scheme]) => scheme)) : []),
};

/**
 * Timers of the embedded reference server when the run sets none: short, so the bundled suite's
 * timer cases (pong timeout, connect timeout, ping cadence) take about a second instead of the
 * spec's 30 to 60 s. `--ping-interval 30s --pong-timeout 60s --connect-timeout 30s` restores them.
 */
export const EMBEDDED_TIMERS = { pingInterval: 300, pongTimeout: 1000, connectTimeout: 1000 } as const;

export interface EmbeddedTargetOptions {
  profiles: readonly EmbeddedProfile[];
  /** The run's key: the server verifies the tokens it signs. */
  signingKey: JwtSigningKey;
  timers?: ReferenceServerOptions['timers'];
  limits?: ReferenceServerOptions['limits'];
  /** Named faults (reference-server/faults), for testing the suites only. */
  faults?: readonly string[];
  /** Which of the reference server's variants (reference-server/choices.ts): default `reference`. */
  variant?: ServerVariant;
}

export interface EmbeddedTarget extends RunTarget {
  readonly embedded: true;
  readonly adminUrl: string;
  /** Every URL clients may use, for telling the user where it listens. */
  readonly clientUrls: readonly string[];
}

export async function startEmbeddedTarget(options: EmbeddedTargetOptions): Promise<EmbeddedTarget> {
  const { startReferenceServer } = await import('../../reference-server/server.js');
  const key = options.signingKey;
  const server = await startReferenceServer({
    profiles: [...options.profiles],
    jwt: key.algorithm === 'HS256' ? { secret: String(key.key) } : { publicKey: key.publicKeyPem as string },
    timers: options.timers ?? {},
    limits: options.limits ?? {},
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.variant ? { variant: options.variant } : {}),
  });
  const urls: ServerUrls = server.urls;
  return {
    embedded: true,
    adminUrl: urls.adminHttp,
    clientUrls: Object.entries(urls).filter(([name, url]) => name !== 'adminHttp' && url).map(([, url]) => url as string),
    urls(profile) {
      if (!servesProfile(profile)) return {};
      return Object.fromEntries(FRONT_ENDS[profile].filter(([, name]) => urls[name]).map(([scheme, name]) => [scheme, urls[name] as string]));
    },
    close: () => server.close(),
  };
}
