import { delivered, permanentFailure, retryLater, type DeliveryResult, type NotificationChannel } from '../../notifications/notification-channel.js';
import type { NotificationEvent, NotificationKind } from '../../notifications/notification.js';
import type { TfeNotificationFactsReader } from './tfe-notification-facts.js';
import type { TfeNotificationRepository } from './tfe-notification.repository.js';
import type { TfeNotificationSender } from './tfe-notification-sender.js';
import { TFE_NOTIFICATION_CHANNEL } from './tfe-notification-triggers.js';

/**
 * TFE notification configurations as an outbox channel: a `tfe.notification` row is one delivery
 * to one configuration, retried by the outbox with backoff (TfeNotificationTriggers queues them).
 */
export class TfeNotificationChannel implements NotificationChannel {
  readonly name = TFE_NOTIFICATION_CHANNEL;
  readonly kinds: readonly NotificationKind[] = ['tfe.notification'];

  constructor(private readonly deps: {
    configs: TfeNotificationRepository; facts: TfeNotificationFactsReader; sender: TfeNotificationSender;
  }) {}

  /** A delivery goes to its configuration while it exists and is enabled (else it is skipped). */
  async route(event: NotificationEvent): Promise<string | null> {
    if (event.kind !== 'tfe.notification') return null;
    const config = await this.deps.configs.get(event.tenantId, event.configurationId);
    return config?.enabled ? config.id : null;
  }

  async deliver(event: NotificationEvent): Promise<DeliveryResult> {
    if (event.kind !== 'tfe.notification') return delivered();

    const config = await this.deps.configs.get(event.tenantId, event.configurationId);
    if (!config?.enabled) return delivered();
    const facts = await this.deps.facts.forEvent(config, event);
    if (!facts) return permanentFailure('the workspace of this notification configuration is gone');
    const secrets = await this.deps.configs.secrets(config.tenantId, config.id);
    const result = await this.deps.sender.send(config, secrets, facts);
    await this.deps.configs.recordResponse(config.tenantId, config.id, {
      url: null, code: result.code, body: result.body, successful: result.outcome === 'delivered', 'sent-at': new Date().toISOString(),
    });
    if (result.outcome === 'delivered') return delivered();
    return result.outcome === 'retry' ? retryLater(result.reason ?? 'not delivered') : permanentFailure(result.reason ?? 'not delivered');
  }
}
