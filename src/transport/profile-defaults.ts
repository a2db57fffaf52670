/**
 * The one rule for connection settings from a profile: its codec and framing, its timers as
 * deadlines (connect 30 s and response 10 s for assa), and an inbound size limit from its message
 * size limit. Callers override single values (a conformance run opens connections under a fixed
 * deadline of its own); a profile that states nothing gets the defaults below.
 */
import type { Profile } from '../profile/types.js';
import type { ConnectOptions } from './types.js';

export const DEFAULT_CONNECT_TIMEOUT = 30_000;
export const DEFAULT_RESPONSE_TIMEOUT = 10_000;
/**
 * The inbound limit is twice the profile's message size limit, and never below this: a reply may
 * quote a whole maximal request (an error echoing it) or carry several messages of the room's
 * history, and must be read and judged rather than cut off, also when a run lowers the limit.
 */
export const MIN_MAX_INBOUND_BYTES = 4 * 1024 * 1024;

export interface TransportDefaults {
  connect: Omit<ConnectOptions, 'url'>;
  /** Deadline of each awaited reply (`receive()`), in ms. */
  responseTimeout: number;
}

export function transportDefaults(
  profile: Pick<Profile, 'codec' | 'framing' | 'limits' | 'timers'>,
  overrides: Partial<Omit<ConnectOptions, 'url'>> & { responseTimeout?: number } = {},
): TransportDefaults {
  const { responseTimeout, ...connect } = overrides;
  const max = profile.limits.maxMessageBytes;
  return {
    connect: {
      codec: profile.codec,
      framing: profile.framing,
      connectTimeout: profile.timers.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT,
      maxInboundBytes: Math.max(MIN_MAX_INBOUND_BYTES, 2 * (max ?? 0)),
      ...connect,
    },
    responseTimeout: responseTimeout ?? profile.timers.responseTimeout ?? DEFAULT_RESPONSE_TIMEOUT,
  };
}
