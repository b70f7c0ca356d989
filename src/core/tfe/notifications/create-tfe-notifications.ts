import type { Sequelize } from 'sequelize';
import type { Logger } from '../../../logger.js';
import type { AuditLog } from '../../audit/audit.service.js';
import type { Clock } from '../../clock.js';
import type { OutboxRepository } from '../../notifications/outbox.repository.js';
import type { OutboundPolicy } from '../../outbound/outbound-guard.js';
import type { Run } from '../../runs/run.model.js';
import type { Encryptor } from '../../secrets/encryption.js';
import { rotateInBatches } from '../../secrets/rotation.js';
import type { Rotatable } from '../../secrets/rotation.js';
import type { TenantsService } from '../../tenants/tenants.service.js';
import { TfeWorkspaceRepository } from '../tfe-workspace.repository.js';
import type { TfeWorkspacesService } from '../tfe-workspaces.service.js';
import { TfeNotificationChannel } from './tfe-notification.channel.js';
import { TfeNotificationFactsReader } from './tfe-notification-facts.js';
import { TfeNotificationRepository } from './tfe-notification.repository.js';
import { TfeNotificationSender, type SmtpOptions } from './tfe-notification-sender.js';
import { TfeNotificationTriggers } from './tfe-notification-triggers.js';
import { TfeNotificationsService } from './tfe-notifications.service.js';

export interface TfeNotificationOptions {
  /** ATLANTAS_SMTP_URL / ATLANTAS_SMTP_FROM: without them email destinations are refused */
  smtp?: SmtpOptions;
  /** ATLANTAS_NOTIFICATION_TIMEOUT: one delivery's time limit (default 10 s) */
  timeoutMs?: number;
  /** ATLANTAS_URL: the run_url of payloads */
  publicUrl?: string;
}

/** TFE notification configurations: the service (core.tfe.notifications), the outbox channel, the run-status triggers, rotation. */
export function createTfeNotifications(deps: {
  sequelize: Sequelize; encryptor: Encryptor; workspaces: TfeWorkspacesService; tenants: TenantsService; audit: AuditLog; clock: Clock; log: Logger;
  outbox: OutboxRepository; policy: OutboundPolicy; runsByIds: (ids: string[]) => Promise<Run[]>; wake: () => void; options?: TfeNotificationOptions;
}) {
  const { sequelize, encryptor, options = {} } = deps;
  const configs = new TfeNotificationRepository({ sequelize, encryptor });
  const sender = new TfeNotificationSender({ policy: deps.policy, smtp: options.smtp ?? null, timeoutMs: options.timeoutMs ?? 10_000 });
  const facts = new TfeNotificationFactsReader({ workspaces: new TfeWorkspaceRepository(sequelize), tenants: deps.tenants, runsByIds: deps.runsByIds, publicUrl: options.publicUrl ?? null });
  const triggers = new TfeNotificationTriggers({
    configs, outbox: deps.outbox, runsByIds: deps.runsByIds, wake: deps.wake, clock: deps.clock, log: deps.log.child({ svc: 'tfe-notifications' }),
  });
  const rotation: Rotatable = {
    name: 'tfe notification configurations',
    rotate: (enc, _log, o) => rotateInBatches(sequelize, o?.batchSize ?? 200, (t, limit) => configs.resealBatch(enc, limit, t)),
  };
  return {
    service: new TfeNotificationsService({ repo: configs, workspaces: deps.workspaces, sender, facts, policy: deps.policy, audit: deps.audit }),
    channel: new TfeNotificationChannel({ configs, facts, sender }),
    triggers,
    rotation,
  };
}
