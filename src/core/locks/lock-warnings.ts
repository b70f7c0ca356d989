import { QueryTypes, type Sequelize } from 'sequelize';
import type { Notifier } from '../notifications/notification.js';

/**
 * Tells once about each project lock held longer than ATLANTAS_LOCK_WARN_AFTER (a forgotten PR,
 * a kept plan nobody decided): `lock.held_long` with the dedupe key `lock-warn:<lock id>`, so
 * every sweep on every replica may publish it and one message results. A lock released and
 * taken again is a new lock (a new id) and is told again.
 */
export class LockWarnings {
  constructor(private readonly deps: { sequelize: Sequelize; notifier: Notifier; warnAfterMs: number }) {}

  /** Publishes the warning for every lock older than the threshold at `now`; returns how many locks were over it. */
  async warn(now: Date): Promise<number> {
    const cutoff = new Date(now.getTime() - this.deps.warnAfterMs);
    const locks = await this.deps.sequelize.query<{ id: string; tenant_id: string; project_id: string | null }>(
      `SELECT l.id, l.tenant_id, r.project_id FROM project_locks l LEFT JOIN runs r ON r.id = l.run_id
       WHERE l.locked_at < :cutoff ORDER BY l.locked_at LIMIT 1000`,
      { replacements: { cutoff }, type: QueryTypes.SELECT },
    );
    for (const lock of locks) {
      await this.deps.notifier.publish({ kind: 'lock.held_long', tenantId: lock.tenant_id, projectId: lock.project_id, lockId: lock.id }, { dedupeKey: `lock-warn:${lock.id}` });
    }
    return locks.length;
  }
}
