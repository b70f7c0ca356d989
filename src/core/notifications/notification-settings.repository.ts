import { QueryTypes, type Sequelize } from 'sequelize';
import type { ProjectRoute } from './notification-routing.js';

/** The rows routing reads (a project's channel, a tenant's default), always within one tenant. */
export class NotificationSettingsRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async tenantDefault(tenantId: string): Promise<string | null> {
    const [row] = await this.deps.sequelize.query<{ default_channel: string | null }>(
      'SELECT default_channel FROM notification_settings WHERE tenant_id = :tenantId',
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    return row?.default_channel ?? null;
  }

  async setTenantDefault(tenantId: string, channel: string | null): Promise<void> {
    await this.deps.sequelize.query(
      `INSERT INTO notification_settings (tenant_id, default_channel, updated_at) VALUES (:tenantId, :channel, now())
       ON CONFLICT (tenant_id) DO UPDATE SET default_channel = EXCLUDED.default_channel, updated_at = now()`,
      { replacements: { tenantId, channel } },
    );
  }

  async project(tenantId: string, projectId: string): Promise<ProjectRoute | null> {
    const [row] = await this.deps.sequelize.query<{ name: string; slack_channel: string | null; notify_events: string[] | null }>(
      'SELECT name, slack_channel, notify_events FROM projects WHERE tenant_id = :tenantId AND id = :projectId',
      { replacements: { tenantId, projectId }, type: QueryTypes.SELECT },
    );
    return row ? { name: row.name, slackChannel: row.slack_channel, notifyEvents: row.notify_events } : null;
  }

  async tenantSlug(tenantId: string): Promise<string | null> {
    const [row] = await this.deps.sequelize.query<{ slug: string }>('SELECT slug FROM tenants WHERE id = :tenantId', { replacements: { tenantId }, type: QueryTypes.SELECT });
    return row?.slug ?? null;
  }
}
