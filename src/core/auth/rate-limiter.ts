import { RateLimitedError } from '../errors.js';

/**
 * A token bucket per key (an API token, a user session, a login address): `perMinute` requests
 * refill evenly over a minute, with bursts up to `perMinute`. In-process: each replica enforces
 * its own budget. 0 disables the limit.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `key`'s budget or throws RateLimitedError with the wait in seconds. */
  take(key: string, what = 'requests'): void {
    if (this.perMinute <= 0) return;
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
      throw new RateLimitedError(`too many ${what}: limit is ${this.perMinute} per minute; retry in ${retryAfter}s`, retryAfter);
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [key, b] of this.buckets) if (now - b.at > 120_000) this.buckets.delete(key);
  }
}
