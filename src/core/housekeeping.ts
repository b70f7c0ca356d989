import type { Logger } from '../logger.js';
import type { Clock } from './clock.js';
import type { LockWarnings } from './locks/lock-warnings.js';
import type { RunsService } from './runs/runs.service.js';

/**
 * The sweeps time alone triggers: kept plans past ATLANTAS_PLAN_TTL end (their lock released)
 * and locks past ATLANTAS_LOCK_WARN_AFTER are told once. Every replica sweeps; each step is a
 * conditional update or a deduplicated publish, so sweeping twice changes nothing twice.
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly deps: { runs: RunsService; lockWarnings: LockWarnings; planTtlMs: number; clock: Clock; log: Logger; everyMs?: number }) {}

  start(): void {
    if (this.timer) return;
    // A minute at most, so an expiry is seen within a minute of its time; sooner for short TTLs.
    const every = this.deps.everyMs ?? Math.max(1000, Math.min(60_000, Math.floor(this.deps.planTtlMs / 10)));
    this.timer = setInterval(() => {
      if (!this.ticking) this.ticking = this.tick().then(() => {}, (err) => this.deps.log.error({ err }, 'housekeeping failed')).finally(() => (this.ticking = undefined));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One sweep as of `now` (tests pass a moved clock instead of waiting). */
  async tick(now: Date = this.deps.clock.now()): Promise<{ expired: string[]; longLocks: number }> {
    const expired = await this.deps.runs.expireKeptPlans(now, this.deps.planTtlMs);
    const longLocks = await this.deps.lockWarnings.warn(now);
    if (expired.length) this.deps.log.info({ runs: expired.map((r) => r.id) }, 'kept plans expired; their locks were released');
    return { expired: expired.map((r) => r.id), longLocks };
  }
}
