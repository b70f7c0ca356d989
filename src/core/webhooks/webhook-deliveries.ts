import type { WebhookDeliveryRepository } from './webhook-delivery.repository.js';

/**
 * Webhook deliveries seen, by their delivery id (GitHub's X-GitHub-Delivery): a redelivered or
 * replayed event is recognised and does nothing. Entries older than `keepDays` are pruned.
 */
export class WebhookDeliveries {
  private lastPrune = 0;

  constructor(private readonly deps: { repo: WebhookDeliveryRepository; keepDays?: number }) {}

  /** True the first time a delivery id is seen, false for a duplicate. */
  async firstSeen(id: string, event: string): Promise<boolean> {
    const first = await this.deps.repo.insertIfNew(id, event);
    void this.prune();
    return first;
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 3600_000) return;
    this.lastPrune = Date.now();
    await this.deps.repo.deleteOlderThan(this.deps.keepDays ?? 7).catch(() => undefined);
  }
}
