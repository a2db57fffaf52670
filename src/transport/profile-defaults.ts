/**
 * Connect options from a profile: its codec and framing, its timers as deadlines (connect 30 s and
 * response 10 s for assa), and its message size limit plus a margin as the inbound limit. Flags
 * override each value; a profile that states nothing gets the defaults below.
 */
import type { Profile } from '../profile/types.js';
import type { ConnectOptions } from './types.js';

export const DEFAULT_CONNECT_TIMEOUT = 30_000;
export const DEFAULT_RESPONSE_TIMEOUT = 10_000;
/** Inbound limit when a profile states no message size. */
export const DEFAULT_MAX_INBOUND_BYTES = 16 * 1024 * 1024;
/**
 * Room over the profile's own limit, so a server's reply that quotes a maximal request (an error
 * echoing it, an envelope around it) is still read and judged rather than cut off.
 */
export const INBOUND_MARGIN_BYTES = 64 * 1024;

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
      maxInboundBytes: max === undefined ? DEFAULT_MAX_INBOUND_BYTES : max + INBOUND_MARGIN_BYTES,
      ...connect,
    },
    responseTimeout: responseTimeout ?? profile.timers.responseTimeout ?? DEFAULT_RESPONSE_TIMEOUT,
  };
}
