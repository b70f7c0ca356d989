import type { Logger } from '../../../logger.js';
import type { Clock } from '../../clock.js';
import type { NotificationEvent } from '../../notifications/notification.js';
import type { OutboxRepository } from '../../notifications/outbox.repository.js';
import type { Run } from '../../runs/run.model.js';
import type { RunStatus } from '../../runs/run-status.js';
import type { TfeNotificationRepository } from './tfe-notification.repository.js';
import type { TfeTrigger } from './tfe-notification.schemas.js';

/** The outbox channel TFE notification configurations are delivered through. */
export const TFE_NOTIFICATION_CHANNEL = 'tfe-notifications';

/**
 * What each run status tells. `run:created` rides along with every status (its dedupe key keeps
 * it to one), so a run first seen already planning is still announced; `run:planned` also rides
 * with `applying`, for an auto-apply run that never waits in `planned`.
 */
const TRIGGERS_OF: Partial<Record<RunStatus, TfeTrigger[]>> = {
  pending: [],
  planning: ['run:planning'],
  planned: ['run:planned', 'run:needs_attention'],
  planned_and_finished: ['run:planned', 'run:completed'],
  applying: ['run:planned', 'run:applying'],
  applied: ['run:completed'],
  errored: ['run:errored'],
};

export function triggersOfStatus(status: RunStatus): TfeTrigger[] {
  const own = TRIGGERS_OF[status];
  return own ? ['run:created', ...own] : [];
}

/** The status a trigger reports (`run:created` is the run as it was queued). */
const statusOfTrigger = (trigger: TfeTrigger, status: string): string => (trigger === 'run:created' ? 'pending' : status);

/**
 * Turns run status changes and drift of a TFE workspace's state into one outbox row per
 * (configuration, run or drift, trigger): the dedupe key makes a second sighting (another
 * replica's, the transactional `run.applied` after the status event) insert nothing, so each
 * trigger is told exactly once however many replicas see it. A run belongs to the workspaces that
 * name its project (or its state) in its terraform workspace.
 */
export class TfeNotificationTriggers {
  constructor(private readonly deps: {
    configs: TfeNotificationRepository; outbox: OutboxRepository; runsByIds: (ids: string[]) => Promise<Run[]>;
    wake: () => void; clock: Clock; log: Logger;
  }) {}

  /** A status event (this replica's or another's); failures are logged, never thrown into the emitter. */
  onRunStatus(runId: string, status: RunStatus): void {
    this.forRun(runId, status).catch((err) => this.deps.log.warn({ err, runId, status }, 'could not queue TFE notifications for a run'));
  }

  async forRun(runId: string, status: RunStatus, only?: TfeTrigger[]): Promise<number> {
    const triggers = only ?? triggersOfStatus(status);
    if (!triggers.length) return 0;
    const [run] = await this.deps.runsByIds([runId]);
    if (!run) return 0;
    const at = this.deps.clock.now().toISOString();
    return this.enqueue(run.tenantId, { projectId: run.projectId, stateName: run.stateName, workspace: run.workspace }, triggers, (trigger) => ({
      event: { runId: run.id, runStatus: statusOfTrigger(trigger, status), at },
      key: `${run.id}:${trigger}`,
    }));
  }

  /** A committed core event (OutboxNotifier.observe); failures are logged. */
  onEvent(event: NotificationEvent): void {
    const work = event.kind === 'drift.detected' ? this.forDrift(event) : this.forRunEvent(event);
    work.catch((err) => this.deps.log.warn({ err, kind: event.kind }, 'could not queue TFE notifications for an event'));
  }

  /** Core's run events (run.applied, run.errored, run.needs_approval): the same triggers as the status events, told once. */
  async forRunEvent(event: NotificationEvent): Promise<number> {
    if (event.kind === 'run.applied') return this.forRun(event.runId, 'applied', ['run:completed']);
    if (event.kind === 'run.errored') return this.forRun(event.runId, 'errored', ['run:errored']);
    if (event.kind === 'run.needs_approval') return this.forRun(event.runId, 'planned', ['run:needs_attention']);
    return 0;
  }

  async forDrift(event: Extract<NotificationEvent, { kind: 'drift.detected' }>): Promise<number> {
    const at = this.deps.clock.now().toISOString();
    return this.enqueue(event.tenantId, { projectId: event.projectId, stateName: null, workspace: event.workspace }, ['run:drift_detected', 'assessment:drifted'], (trigger) => ({
      event: { runId: event.runId ?? null, runStatus: null, at, driftId: event.driftId },
      key: `drift:${event.driftId}:${event.runId ?? ''}:${trigger}`,
    }));
  }

  private async enqueue(
    tenantId: string, target: { projectId: string | null; stateName: string | null; workspace: string }, triggers: TfeTrigger[],
    make: (trigger: TfeTrigger) => { event: { runId: string | null; runStatus: string | null; at: string; driftId?: string }; key: string },
  ): Promise<number> {
    let inserted = 0;
    for (const config of await this.deps.configs.listEnabledForTarget(tenantId, target, triggers)) {
      for (const trigger of triggers.filter((t) => config.triggers.includes(t))) {
        const { event, key } = make(trigger);
        inserted += await this.deps.outbox.insert(
          { kind: 'tfe.notification', tenantId, projectId: target.projectId, configurationId: config.id, trigger, ...event },
          [TFE_NOTIFICATION_CHANNEL], `tfe-nc:${config.id}:${key}`,
        );
      }
    }
    if (inserted) this.deps.wake();
    return inserted;
  }
}
