import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { NotificationEvent } from './notification.js';

export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'failed' | 'skipped';

export interface OutboxRow {
  id: string;
  tenantId: string;
  channel: string;
  kind: string;
  projectId: string | null;
  event: NotificationEvent;
  dedupeKey: string | null;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  destination: string | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

type Raw = {
  id: string; tenant_id: string; channel: string; kind: string; project_id: string | null; event: NotificationEvent; dedupe_key: string | null;
  status: OutboxStatus; attempts: number; next_attempt_at: Date; destination: string | null; last_error: string | null; delivered_at: Date | null;
};

const toRow = (r: Raw): OutboxRow => ({
  id: r.id, tenantId: r.tenant_id, channel: r.channel, kind: r.kind, projectId: r.project_id, event: r.event, dedupeKey: r.dedupe_key,
  status: r.status, attempts: r.attempts, nextAttemptAt: new Date(r.next_attempt_at), destination: r.destination, lastError: r.last_error,
  deliveredAt: r.delivered_at && new Date(r.delivered_at),
});

/** Queries on `notification_outbox`. A claim is committed before the delivery starts: no two replicas send one row. */
export class OutboxRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  /** One row per channel; a dedupe key already used in the tenant (per channel) inserts nothing. */
  async insert(event: NotificationEvent, channels: string[], dedupeKey: string | null, transaction?: Transaction): Promise<number> {
    let inserted = 0;
    for (const channel of channels) {
      const rows = await this.deps.sequelize.query(
        `INSERT INTO notification_outbox (id, tenant_id, channel, kind, project_id, event, dedupe_key)
         VALUES (:id, :tenantId, :channel, :kind, :projectId, CAST(:event AS jsonb), :dedupeKey)
         ON CONFLICT (tenant_id, channel, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id`,
        {
          replacements: { id: randomUUID(), tenantId: event.tenantId, channel, kind: event.kind, projectId: event.projectId, event: JSON.stringify(event), dedupeKey },
          type: QueryTypes.SELECT, transaction,
        },
      );
      inserted += rows.length;
    }
    return inserted;
  }

  /**
   * Claims up to `limit` due rows of these channels (and rows whose claimer vanished mid-delivery
   * longer than `leaseMs` ago), skipping rows another replica is claiming right now.
   */
  async claim(channels: string[], now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    if (!channels.length) return [];
    const rows = await this.deps.sequelize.query<Raw>(
      `UPDATE notification_outbox o SET status = 'delivering', attempts = o.attempts + 1, claimed_at = :now
       FROM (
         SELECT id FROM notification_outbox
         WHERE channel IN (:channels)
           AND ((status = 'pending' AND next_attempt_at <= :now) OR (status = 'delivering' AND claimed_at < :stale))
         ORDER BY next_attempt_at, created_at
         LIMIT :limit
         FOR UPDATE SKIP LOCKED
       ) c
       WHERE o.id = c.id
       RETURNING o.*`,
      { replacements: { channels, now, stale: new Date(now.getTime() - leaseMs), limit }, type: QueryTypes.SELECT },
    );
    return rows.map(toRow);
  }

  /** Records how a claimed delivery ended; only while this claim still holds the row. */
  async settle(id: string, values: { status: OutboxStatus; destination?: string | null; lastError?: string | null; nextAttemptAt?: Date; deliveredAt?: Date }): Promise<void> {
    await this.deps.sequelize.query(
      `UPDATE notification_outbox SET status = :status, destination = COALESCE(:destination, destination), last_error = :lastError,
              next_attempt_at = COALESCE(:nextAttemptAt, next_attempt_at), delivered_at = :deliveredAt, claimed_at = NULL
       WHERE id = :id AND status = 'delivering'`,
      {
        replacements: {
          id, status: values.status, destination: values.destination ?? null, lastError: values.lastError ?? null,
          nextAttemptAt: values.nextAttemptAt ?? null, deliveredAt: values.deliveredAt ?? null,
        },
      },
    );
  }

  /** When the next pending row of these channels is due (the dispatcher sleeps until then). */
  async nextDue(channels: string[]): Promise<Date | null> {
    if (!channels.length) return null;
    const [row] = await this.deps.sequelize.query<{ at: Date | null }>(
      `SELECT min(next_attempt_at) AS at FROM notification_outbox WHERE status = 'pending' AND channel IN (:channels)`,
      { replacements: { channels }, type: QueryTypes.SELECT },
    );
    return row?.at ? new Date(row.at) : null;
  }

  /** A tenant's outbox, newest first (operators and tests look at what was told). */
  async list(tenantId: string, limit = 100): Promise<OutboxRow[]> {
    const rows = await this.deps.sequelize.query<Raw>(
      'SELECT * FROM notification_outbox WHERE tenant_id = :tenantId ORDER BY created_at DESC LIMIT :limit',
      { replacements: { tenantId, limit }, type: QueryTypes.SELECT },
    );
    return rows.map(toRow);
  }
}
