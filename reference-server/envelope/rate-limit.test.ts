import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter', () => {
  it('allows 20 messages in any one second and refuses the 21st', () => {
    const r = new RateLimiter(20);
    for (let i = 0; i < 20; i++) expect(r.allow(1000 + i)).toBe(true);
    expect(r.allow(1500)).toBe(false);
    expect(r.allow(1999)).toBe(false);
    // The first accepted message (t=1000) leaves the window at t=2000.
    expect(r.allow(2000)).toBe(true);
    // t=1001 is still inside the window at 2000, and leaves it at 2001.
    expect(r.allow(2000)).toBe(false);
    expect(r.allow(2001)).toBe(true);
  });

  it('does not count refused messages against the window', () => {
    const r = new RateLimiter(2);
    expect([r.allow(0), r.allow(10), r.allow(20), r.allow(30), r.allow(1000), r.allow(1010), r.allow(1011)]).toEqual([true, true, false, false, true, true, false]);
  });
});
