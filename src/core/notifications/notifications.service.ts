import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { InputError } from '../errors.js';
import type { Notifier, NotificationEvent, PublishOptions } from './notification.js';
import type { NotificationSettingsRepository } from './notification-settings.repository.js';
import type { OutboxRepository, OutboxRow } from './outbox.repository.js';

/** A Slack channel id (C0123…) or name (#ops, ops-alerts). */
const CHANNEL = /^#?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

export function checkChannel(channel: string, field: string): string {
  const trimmed = channel.trim();
  if (!CHANNEL.test(trimmed)) throw new InputError(`${field} "${channel.slice(0, 100)}" is not a channel: use a channel id such as C0123ABCD or a name such as #ops`, { code: 'validation_error' });
  return trimmed;
}

/**
 * `core.notifications`: publishing (the Notifier port, for core and agents) and the tenant's
 * notification settings. Registering a channel is the server's business (CoreInternals).
 */
export class NotificationsService implements Notifier {
  constructor(private readonly deps: { notifier: Notifier; settings: NotificationSettingsRepository; outbox: OutboxRepository; audit: AuditLog }) {}

  publish(event: NotificationEvent, options?: PublishOptions): Promise<void> {
    return this.deps.notifier.publish(event, options);
  }

  /** The channel a tenant's notifications go to when their project names none (null: unset). */
  async defaultChannel(actor: Actor): Promise<string | null> {
    requirePermission(actor, 'tenant:read');
    return this.deps.settings.tenantDefault(actor.tenantId);
  }

  /** Sets (or with null clears) the tenant's default channel; admins only. A Slack installation sets it too. */
  async setDefaultChannel(actor: Actor, channel: string | null): Promise<string | null> {
    requirePermission(actor, 'tenant:manage');
    const value = channel === null ? null : checkChannel(channel, 'default channel');
    await this.deps.settings.setTenantDefault(actor.tenantId, value);
    await this.deps.audit.record(actor, 'notifications.default_channel', { type: 'tenant', id: actor.tenantId }, { channel: value });
    return value;
  }

  /** What was told (or is waiting to be) in the caller's tenant, newest first. */
  async outbox(actor: Actor, limit = 100): Promise<OutboxRow[]> {
    requirePermission(actor, 'audit:read');
    return this.deps.outbox.list(actor.tenantId, limit);
  }
}
