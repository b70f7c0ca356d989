import { QueryTypes, type Sequelize } from 'sequelize';
import { noopMetrics, type Metrics, type WebhookResult } from '../ports/metrics.js';

/**
 * Webhook deliveries seen, by their delivery id (GitHub's X-GitHub-Delivery): a redelivered or
 * replayed event is recognised and does nothing. Entries older than `keepDays` are pruned.
 */
export class WebhookDeliveries {
  private lastPrune = 0;

  constructor(private readonly deps: { sequelize: Sequelize; keepDays?: number; metrics?: Metrics }) {}

  /** True the first time a delivery id is seen, false for a duplicate. */
  async firstSeen(id: string, event: string): Promise<boolean> {
    const rows = await this.deps.sequelize.query(
      'INSERT INTO webhook_deliveries (id, event) VALUES (:id, :event) ON CONFLICT (id) DO NOTHING RETURNING id',
      { replacements: { id, event }, type: QueryTypes.SELECT },
    );
    void this.prune();
    this.counted(rows.length === 1 ? 'accepted' : 'duplicate');
    return rows.length === 1;
  }

  /** A delivery the receiver refused before it was recorded (bad signature, missing headers, too large). */
  refused(result: Exclude<WebhookResult, 'accepted' | 'duplicate'>): void {
    this.counted(result);
  }

  private counted(result: WebhookResult): void {
    (this.deps.metrics ?? noopMetrics).webhookDelivery(result);
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 3600_000) return;
    this.lastPrune = Date.now();
    await this.deps.sequelize
      .query(`DELETE FROM webhook_deliveries WHERE received_at < now() - make_interval(days => :days)`, { replacements: { days: this.deps.keepDays ?? 7 } })
      .catch(() => undefined);
  }
}
