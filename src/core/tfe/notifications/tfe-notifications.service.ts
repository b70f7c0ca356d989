import { randomBytes } from 'node:crypto';
import { requirePermission, type Actor } from '../../actor.js';
import type { AuditLog } from '../../audit/audit.service.js';
import { InputError, NotFoundError } from '../../errors.js';
import { assertOutboundUrl, type OutboundPolicy } from '../../outbound/outbound-guard.js';
import type { TfeWorkspacesService } from '../tfe-workspaces.service.js';
import type { TfeNotificationFactsReader } from './tfe-notification-facts.js';
import type { NotificationSecrets, TfeNotificationConfiguration, TfeNotificationRepository } from './tfe-notification.repository.js';
import { assertComplete, type NotificationSettings } from './tfe-notification.schemas.js';
import type { TfeNotificationSender } from './tfe-notification-sender.js';

/** A configuration as callers see it: no token and no Slack URL (both are credentials); a generic URL without its query. */
export interface TfeNotificationView extends TfeNotificationConfiguration {
  url: string | null;
}

const invalid = (message: string) => new InputError(message, { code: 'tfe_notification_invalid' });
const notFound = (id: string) => new NotFoundError(`notification configuration ${id} not found`, { code: 'notification_configuration_not_found' });

/**
 * TFE notification configurations of a workspace. Reading needs read on the workspace; creating,
 * changing, deleting and verifying need the right to change the workspace (`project:write`, the
 * workspace's `can-update`). Another tenant's workspace or configuration does not exist (404).
 * URLs pass the outbound guard when set (and again at every delivery); the URL and token are sealed.
 */
export class TfeNotificationsService {
  constructor(private readonly deps: {
    repo: TfeNotificationRepository; workspaces: TfeWorkspacesService; sender: TfeNotificationSender; facts: TfeNotificationFactsReader;
    policy: OutboundPolicy; audit: AuditLog;
  }) {}

  async list(actor: Actor, workspaceId: string): Promise<TfeNotificationView[]> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    return Promise.all((await this.deps.repo.listByWorkspace(actor.tenantId, ws.id)).map((c) => this.view(c)));
  }

  async get(actor: Actor, id: string): Promise<TfeNotificationView> {
    return this.view(await this.require(actor, id));
  }

  async create(actor: Actor, workspaceId: string, s: NotificationSettings): Promise<TfeNotificationView> {
    const ws = await this.deps.workspaces.require(actor, workspaceId);
    requirePermission(actor, 'project:write');
    if (!s.destinationType) throw invalid('data.attributes.destination-type: is required (generic, slack or email)');
    const merged = { name: s.name ?? '', destinationType: s.destinationType, enabled: s.enabled ?? false, triggers: s.triggers ?? [], emailAddresses: s.emailAddresses ?? [] };
    const secrets = await this.checkSecrets(merged, { url: s.url ?? null, token: s.token ?? null }, { tokenSent: s.token !== undefined, urlChanged: true });
    const id = `nc-${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
    const created = await this.deps.repo.insert({ id, tenantId: actor.tenantId, workspaceId: ws.id, ...merged }, secrets);
    await this.deps.audit.record(actor, 'tfe.notification.create', { type: 'tfe_notification_configuration', id }, { workspace: ws.id, destination: merged.destinationType, triggers: merged.triggers });
    return this.view(created);
  }

  /** Only what is sent changes; a token or url sent as null is removed. */
  async update(actor: Actor, id: string, s: NotificationSettings): Promise<TfeNotificationView> {
    const before = await this.require(actor, id);
    requirePermission(actor, 'project:write');
    const merged = {
      name: s.name ?? before.name, destinationType: s.destinationType ?? before.destinationType, enabled: s.enabled ?? before.enabled,
      triggers: s.triggers ?? before.triggers, emailAddresses: s.emailAddresses ?? before.emailAddresses,
    };
    const old = await this.deps.repo.secrets(actor.tenantId, id);
    const secrets = await this.checkSecrets(merged, { url: s.url !== undefined ? s.url : old.url, token: s.token !== undefined ? s.token : old.token }, {
      tokenSent: s.token !== undefined, urlChanged: s.url !== undefined || merged.destinationType !== before.destinationType,
    });
    const updated = await this.deps.repo.update(actor.tenantId, id, merged, secrets);
    if (!updated) throw notFound(id);
    await this.deps.audit.record(actor, 'tfe.notification.update', { type: 'tfe_notification_configuration', id }, {
      changed: Object.keys(s).filter((k) => s[k as keyof NotificationSettings] !== undefined),
    });
    return this.view(updated);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.require(actor, id);
    requirePermission(actor, 'project:write');
    if (!(await this.deps.repo.delete(actor.tenantId, id))) throw notFound(id);
    await this.deps.audit.record(actor, 'tfe.notification.delete', { type: 'tfe_notification_configuration', id }, {});
  }

  /** Sends a verification payload now and answers the configuration with that delivery's response first. */
  async verify(actor: Actor, id: string): Promise<TfeNotificationView> {
    const config = await this.require(actor, id);
    requirePermission(actor, 'project:write');
    const facts = await this.deps.facts.forVerification(config);
    if (!facts) throw notFound(id);
    const result = await this.deps.sender.send(config, await this.deps.repo.secrets(actor.tenantId, id), facts);
    const view = await this.view(config);
    const response = {
      url: view.url, code: result.code, body: result.body || (result.reason ?? ''), successful: result.outcome === 'delivered', 'sent-at': new Date().toISOString(),
    };
    await this.deps.repo.recordResponse(actor.tenantId, id, response);
    await this.deps.audit.record(actor, 'tfe.notification.verify', { type: 'tfe_notification_configuration', id }, { code: result.code, successful: response.successful });
    return this.view((await this.deps.repo.get(actor.tenantId, id))!);
  }

  private async require(actor: Actor, id: string): Promise<TfeNotificationConfiguration> {
    requirePermission(actor, 'project:read');
    const config = await this.deps.repo.get(actor.tenantId, id);
    if (!config) throw notFound(id);
    return config;
  }

  /**
   * The destination's fields are complete, a new URL is one the server may call (a kept one is
   * checked again at every delivery), and a token goes with a generic destination only.
   */
  private async checkSecrets(
    c: Pick<TfeNotificationConfiguration, 'name' | 'destinationType' | 'emailAddresses'>, secrets: NotificationSecrets, sent: { tokenSent: boolean; urlChanged: boolean },
  ): Promise<NotificationSecrets> {
    const { tokenSent, urlChanged } = sent;
    const url = c.destinationType === 'email' ? null : secrets.url;
    if (tokenSent && secrets.token && c.destinationType !== 'generic') {
      throw invalid(`data.attributes.token: only a generic destination signs its payloads; remove the token for a ${c.destinationType} destination`);
    }
    assertComplete({ ...c, url });
    if (url && urlChanged) await assertOutboundUrl(url, this.deps.policy, 'data.attributes.url');
    if (c.destinationType === 'email' && !this.deps.sender.emailAvailable) {
      throw invalid('data.attributes.destination-type: email notifications need an SMTP server, which the operator sets with ATLANTAS_SMTP_URL');
    }
    return { url, token: c.destinationType === 'generic' ? secrets.token : null };
  }

  private async view(c: TfeNotificationConfiguration): Promise<TfeNotificationView> {
    if (c.destinationType !== 'generic' || !c.hasUrl) return { ...c, url: null };
    const { url } = await this.deps.repo.secrets(c.tenantId, c.id);
    if (!url) return { ...c, url: null };
    const u = new URL(url);
    return { ...c, url: `${u.origin}${u.pathname}` };
  }
}
