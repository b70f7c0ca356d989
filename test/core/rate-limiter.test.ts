import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/core/auth/rate-limiter.js';
import { RateLimitedError } from '../../src/core/errors.js';

describe('RateLimiter', () => {
  it('allows a burst of the per-minute budget, then refuses with the seconds to wait', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) limiter.take('k');
    let error: RateLimitedError | undefined;
    try {
      limiter.take('k');
    } catch (err) {
      error = err as RateLimitedError;
    }
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error!.retryAfterSeconds).toBe(1);
    now += 1000; // one request refills per second at 60/min
    expect(() => limiter.take('k')).not.toThrow();
    expect(() => limiter.take('other')).not.toThrow();
  });

  it('is off when the limit is 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 10_000; i++) limiter.take('k');
  });
});
