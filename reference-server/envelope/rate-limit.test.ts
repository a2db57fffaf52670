import { describe, expect, it } from 'vitest';
import { FixedWindowLimiter, RateLimiter } from './rate-limit.js';

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

  it('counts in fixed one-second windows for the other-choices variant: 20 at the end of one window and 20 at the start of the next pass', () => {
    const r = new FixedWindowLimiter(20);
    expect(r.allow(1000)).toBe(true);
    for (let i = 1; i < 20; i++) expect(r.allow(1990)).toBe(true);
    expect(r.allow(1999)).toBe(false);
    // A new window at t=2000: 20 more pass though 39 messages arrived within 10 ms.
    for (let i = 0; i < 20; i++) expect(r.allow(2000 + i)).toBe(true);
    expect(r.allow(2999)).toBe(false);
    expect(r.allow(3000)).toBe(true);
  });

  it('lets a burst straddling a window edge through where the sliding window refuses it', () => {
    const fixed = new FixedWindowLimiter(20);
    const sliding = new RateLimiter(20);
    const times = [1000, ...Array.from({ length: 19 }, () => 1990), ...Array.from({ length: 20 }, () => 2005)];
    expect(times.filter((t) => fixed.allow(t)).length).toBe(40);
    // Only the message of t=1000 has left the sliding window by t=2005.
    expect(times.filter((t) => sliding.allow(t)).length).toBe(21);
  });
});
