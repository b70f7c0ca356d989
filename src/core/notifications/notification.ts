import type { Transaction } from 'sequelize';

/**
 * What core tells people about, by the `Notifier` port. Core publishes an event once (in the
 * transaction that made it true, when there is one); the notifications outbox turns it into one
 * message per channel, also with several replicas. Events carry ids, not text: a channel renders
 * them from the current rows, inside the event's tenant.
 *
 * Kinds are added by the issue that needs them (drift, incidents, …); a channel ignores a kind it
 * does not render.
 */
export type NotificationEvent =
  | { kind: 'run.needs_approval'; tenantId: string; projectId: string | null; runId: string }
  | { kind: 'run.applied'; tenantId: string; projectId: string | null; runId: string }
  | { kind: 'run.errored'; tenantId: string; projectId: string | null; runId: string }
  /** a kept plan nobody applied within ATLANTAS_PLAN_TTL: discarded, its lock released */
  | { kind: 'run.plan_expired'; tenantId: string; projectId: string | null; runId: string }
  | { kind: 'lock.held_long'; tenantId: string; projectId: string | null; lockId: string }
  /** an automated actor asked for a human's approval (the MCP approval gate) */
  | { kind: 'approval.requested'; tenantId: string; projectId: string | null; approvalId: string; runId?: string }
  | { kind: 'approval.decided'; tenantId: string; projectId: string | null; approvalId: string; runId?: string }
  /**
   * drift of a project + workspace appeared (or changed), or went away. `projectId` is null for a
   * root module nobody registered (a discovered directory, an atlantis.yaml project): the
   * repository path says which.
   */
  | ({ kind: 'drift.detected' } & DriftEventFields)
  | ({ kind: 'drift.resolved' } & DriftEventFields)
  | { kind: 'state.alert'; tenantId: string; projectId: string | null; stateId: string; reason: string }
  | { kind: 'incident.opened'; tenantId: string; projectId: string | null; incidentId: string }
  | { kind: 'incident.resolved'; tenantId: string; projectId: string | null; incidentId: string }
  /** the codebase monitor registered a new root module as a project, or unregistered one whose directory is gone */
  | {
    kind: 'codebase.changed'; tenantId: string; projectId: string | null; change: 'registered' | 'unregistered';
    projectName: string; repoFullName: string; dir: string; agentName: string;
  }
  /** another status (open, acknowledged, investigating, closed): channels bring what they posted up to date, and post nothing new */
  | { kind: 'incident.updated'; tenantId: string; projectId: string | null; incidentId: string }
  /** a runbook's notify step (core/runbooks): the execution row holds the message */
  | { kind: 'runbook.notify'; tenantId: string; projectId: string | null; executionId: string; incidentId: string | null; step: number; runbookName: string; message: string }
  /**
   * one delivery of a TFE notification configuration (core/tfe/notifications): a trigger of a run
   * (or a drift) of the configuration's workspace, with the run's status at that moment
   */
  | {
    kind: 'tfe.notification'; tenantId: string; projectId: string | null; configurationId: string; trigger: string;
    runId: string | null; runStatus: string | null; at: string; driftId?: string;
  };

interface DriftEventFields {
  tenantId: string;
  projectId: string | null;
  repoFullName: string;
  dir: string;
  workspace: string;
  driftId: string;
  runId?: string;
}

export type NotificationKind = NotificationEvent['kind'];

export interface PublishOptions {
  /** publish inside this transaction: no message for work that rolled back */
  transaction?: Transaction;
  /**
   * At most one event per tenant with this key is ever delivered (e.g. `drift:<project>:<ws>:<fingerprint>`,
   * `lock-warn:<lock id>`): publishing it again is a no-op.
   */
  dedupeKey?: string;
}

/** The port core services publish through. The server wires the outbox; tests may collect events. */
export interface Notifier {
  publish(event: NotificationEvent, options?: PublishOptions): Promise<void>;
}

/** Until a channel is configured nothing is told: events are dropped. */
export const silentNotifier: Notifier = { publish: async () => {} };

/** Every kind, for settings that pick some (a project's `notify_events`); the check below keeps it complete. */
export const NOTIFICATION_KINDS = [
  'run.needs_approval', 'run.applied', 'run.errored', 'run.plan_expired', 'lock.held_long', 'approval.requested', 'approval.decided',
  'drift.detected', 'drift.resolved', 'state.alert', 'incident.opened', 'codebase.changed',
  'incident.resolved', 'incident.updated', 'runbook.notify', 'tfe.notification',
] as const satisfies readonly NotificationKind[];
type Missing = Exclude<NotificationKind, (typeof NOTIFICATION_KINDS)[number]>;
export const NOTIFICATION_KINDS_COMPLETE: [Missing] extends [never] ? true : { missing: Missing } = true;
