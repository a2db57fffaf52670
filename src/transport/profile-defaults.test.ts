import { describe, expect, it } from 'vitest';
import { loadProfile } from '../profile/load.js';
import { transportDefaults } from './profile-defaults.js';

describe('transportDefaults', () => {
  it('takes assa\'s timers, and twice its 1 MiB limit but at least 4 MiB as the inbound limit', () => {
    const d = transportDefaults(loadProfile('assa'));
    expect(d.connect).toEqual({ codec: 'json', framing: 'ndjson', connectTimeout: 30_000, maxInboundBytes: 4 * 1024 * 1024 });
    const big = transportDefaults({ ...loadProfile('assa'), limits: { maxMessageBytes: 3 * 1024 * 1024 } });
    expect(big.connect.maxInboundBytes).toBe(6 * 1024 * 1024);
    expect(d.responseTimeout).toBe(10_000);
  });

  it('lets flags override every value', () => {
    const d = transportDefaults(loadProfile('assa'), { connectTimeout: 500, responseTimeout: 200, codec: 'msgpack', lenient: true });
    expect(d.connect).toMatchObject({ connectTimeout: 500, codec: 'msgpack', lenient: true });
    expect(d.responseTimeout).toBe(200);
  });

  it('falls back to defaults for a profile that states no limits or timers', () => {
    const d = transportDefaults(loadProfile('openirc'));
    expect(d.connect).toEqual({ codec: 'msgpack', framing: 'length-prefixed', connectTimeout: 30_000, maxInboundBytes: 4 * 1024 * 1024 });
    expect(d.responseTimeout).toBe(10_000);
  });
});
