import type { NotificationEvent } from '../../notifications/notification.js';
import type { Run } from '../../runs/run.model.js';
import type { TenantsService } from '../../tenants/tenants.service.js';
import type { TfeWorkspaceRepository } from '../tfe-workspace.repository.js';
import { triggerMessage, type NotificationFacts } from './tfe-notification-payload.js';
import type { TfeNotificationConfiguration } from './tfe-notification.repository.js';
import type { TfeTrigger } from './tfe-notification.schemas.js';

type TfeEvent = Extract<NotificationEvent, { kind: 'tfe.notification' }>;

/** What a notification says, read from the current rows of the configuration's tenant (null: the workspace is gone). */
export class TfeNotificationFactsReader {
  constructor(private readonly deps: {
    workspaces: TfeWorkspaceRepository; tenants: TenantsService; runsByIds: (ids: string[]) => Promise<Run[]>; publicUrl: string | null;
  }) {}

  async forEvent(config: TfeNotificationConfiguration, event: TfeEvent): Promise<NotificationFacts | null> {
    const base = await this.base(config, event.trigger as TfeTrigger);
    if (!base) return null;
    const [run] = event.runId ? await this.deps.runsByIds([event.runId]) : [];
    if (!run || run.tenantId !== config.tenantId) return { ...base, run: null, runUrl: null };
    const updatedBy = ['applying', 'applied'].includes(event.runStatus ?? '') && run.approvedBy ? run.approvedBy : run.actorName;
    return {
      ...base,
      run: {
        id: run.id, message: run.title || `${run.operation} of ${run.projectName || run.dir}, queued via ${run.source}`, createdAt: run.createdAt, createdBy: run.actorName,
        status: event.runStatus ?? run.status, updatedAt: new Date(event.at), updatedBy,
      },
      runUrl: this.deps.publicUrl ? `${this.deps.publicUrl}/api/v1/runs/${run.id}` : null,
    };
  }

  async forVerification(config: TfeNotificationConfiguration): Promise<NotificationFacts | null> {
    const base = await this.base(config, 'verification');
    return base && { ...base, run: null, runUrl: null };
  }

  private async base(config: TfeNotificationConfiguration, trigger: TfeTrigger | 'verification') {
    const ws = await this.deps.workspaces.findById(config.tenantId, config.workspaceId);
    if (!ws) return null;
    const tenant = await this.deps.tenants.require(config.tenantId);
    return {
      configurationId: config.id, workspaceId: ws.id, workspaceName: ws.name, organization: tenant.slug, trigger,
      message: triggerMessage(trigger, config.name),
    };
  }
}
