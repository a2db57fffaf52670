import { describe, expect, it } from 'vitest';
import { resolveConfig, specDefaults } from './config.js';

describe('config', () => {
  it('takes the spec numbers from the profile documents', () => {
    const { limits, timers } = specDefaults();
    expect(limits).toMatchObject({ maxTextChars: 5000, maxMessageBytes: 1_048_576, maxImageBytes: 10_485_760, maxConnections: 1000, maxMessagesPerSecond: 20 });
    expect(timers).toMatchObject({ connectTimeout: 30_000, responseTimeout: 10_000, pingInterval: 30_000, pongTimeout: 60_000 });
  });

  it('lets every option override the defaults and ignores undefined ones', () => {
    const c = resolveConfig({ profiles: ['envelope', 'openirc'], limits: { maxTextChars: 10, maxConnections: undefined }, timers: { pingInterval: 100 } });
    expect([...c.profiles]).toEqual(['envelope', 'openirc']);
    expect(c.limits.maxTextChars).toBe(10);
    expect(c.limits.maxConnections).toBe(1000);
    expect(c.timers.pingInterval).toBe(100);
    expect(c.host).toBe('127.0.0.1');
    expect([c.tcpPort, c.wsPort, c.httpPort]).toEqual([0, 0, 0]);
    expect([...resolveConfig().profiles]).toEqual(['assa', 'envelope', 'openirc']);
  });
});
