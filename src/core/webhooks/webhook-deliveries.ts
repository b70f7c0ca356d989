import { noopMetrics, type Metrics, type WebhookResult } from '../ports/metrics.js';
import type { WebhookDeliveryRepository } from './webhook-delivery.repository.js';

/**
 * Webhook deliveries seen, by their delivery id (GitHub's X-GitHub-Delivery): a redelivered or
 * replayed event is recognised and does nothing. Entries older than `keepDays` are pruned.
 */
export class WebhookDeliveries {
  private lastPrune = 0;

  constructor(private readonly deps: { repo: WebhookDeliveryRepository; keepDays?: number; metrics?: Metrics }) {}

  /** True the first time a delivery id is seen, false for a duplicate. */
  async firstSeen(id: string, event: string): Promise<boolean> {
    const first = await this.deps.repo.insertIfNew(id, event);
    void this.prune();
    this.counted(first ? 'accepted' : 'duplicate');
    return first;
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
    await this.deps.repo.deleteOlderThan(this.deps.keepDays ?? 7).catch(() => undefined);
  }
}
