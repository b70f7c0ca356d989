import type { Notifier } from '../notifications/notification.js';
import type { LockRepository } from './lock.repository.js';

/**
 * Tells once about each project lock held longer than ATLANTAS_LOCK_WARN_AFTER (a forgotten PR,
 * a kept plan nobody decided): `lock.held_long` with the dedupe key `lock-warn:<lock id>`, so
 * every sweep on every replica may publish it and one message results. A lock released and
 * taken again is a new lock (a new id) and is told again.
 */
export class LockWarnings {
  constructor(private readonly deps: { repo: LockRepository; notifier: Notifier; warnAfterMs: number }) {}

  /** Publishes the warning for every lock older than the threshold at `now`; returns how many locks were over it. */
  async warn(now: Date): Promise<number> {
    const locks = await this.deps.repo.heldSince(new Date(now.getTime() - this.deps.warnAfterMs));
    for (const lock of locks) {
      await this.deps.notifier.publish({ kind: 'lock.held_long', tenantId: lock.tenantId, projectId: lock.projectId, lockId: lock.id }, { dedupeKey: `lock-warn:${lock.id}` });
    }
    return locks.length;
  }
}
