import type { TfeConfigurationVersion } from '../../core/tfe/tfe-configuration-version.repository.js';
import type { TfeRunTrigger } from '../../core/tfe/tfe-run.repository.js';
import type { TfeRunView } from '../../core/tfe/tfe-run-view.js';
import { iso } from '../presenters/iso.js';
import type { Resource } from './jsonapi.js';

/** Renders TFE runs, plans, applies, configuration versions and run triggers as go-tfe unmarshals them. */

export const planId = (runId: string) => `plan-${runId}`;
export const applyId = (runId: string) => `apply-${runId}`;

/** `uploadUrl` only on the creating answer: the token is shown once. */
export function configurationVersionResource(cv: TfeConfigurationVersion, uploadUrl: string | null = null): Resource {
  return {
    id: cv.id,
    type: 'configuration-versions',
    attributes: {
      status: cv.status, 'error-message': cv.errorMessage, source: 'tfe-api', 'auto-queue-runs': cv.autoQueueRuns, speculative: cv.speculative,
      provisional: cv.provisional, 'upload-url': uploadUrl, 'created-at': iso(cv.createdAt),
      'status-timestamps': cv.uploadedAt ? { 'uploaded-at': iso(cv.uploadedAt) } : {},
    },
    relationships: { workspace: { data: { id: cv.workspaceId, type: 'workspaces' } } },
  };
}

export function runResource(v: TfeRunView): Resource {
  const { run, tfe } = v;
  return {
    id: `run-${run.id}`,
    type: 'runs',
    attributes: {
      status: v.status, 'has-changes': !!run.hasChanges, 'is-destroy': tfe.isDestroy, 'refresh-only': tfe.refreshOnly, 'plan-only': tfe.planOnly,
      message: tfe.message, source: 'tfe-api', 'trigger-reason': tfe.triggeredBy ? 'run-trigger' : 'manual', 'auto-apply': run.autoApply,
      'target-addrs': tfe.targetAddrs.length ? tfe.targetAddrs : null, 'replace-addrs': tfe.replaceAddrs.length ? tfe.replaceAddrs : null,
      'created-at': iso(run.createdAt), 'position-in-queue': 0, 'status-timestamps': timestamps(v), actions: v.actions, permissions: v.permissions,
      'atlantas-run-id': run.id, 'status-reason': run.statusReason,
    },
    relationships: {
      workspace: { data: { id: tfe.workspaceId, type: 'workspaces' } },
      'configuration-version': { data: { id: tfe.configurationVersionId, type: 'configuration-versions' } },
      plan: { data: { id: planId(run.id), type: 'plans' } },
      apply: { data: { id: applyId(run.id), type: 'applies' } },
      'cost-estimate': { data: null },
      'policy-checks': { data: [] },
      'run-events': { data: [] },
      'task-stages': { data: [] },
    },
    links: { self: `/api/v2/runs/run-${run.id}` },
  };
}

export function planResource(v: TfeRunView, logUrl: string): Resource {
  const { run } = v;
  return {
    id: planId(run.id),
    type: 'plans',
    attributes: {
      status: v.planStatus, 'has-changes': !!run.hasChanges, 'resource-additions': run.resourcesAdded ?? 0, 'resource-changes': run.resourcesChanged ?? 0,
      'resource-destructions': run.resourcesDestroyed ?? 0, 'resource-imports': run.resourcesImported ?? 0, 'generated-configuration': false,
      'log-read-url': logUrl, 'status-timestamps': run.plannedAt ? { 'finished-at': iso(run.plannedAt) } : {},
    },
    relationships: { run: { data: { id: `run-${run.id}`, type: 'runs' } } },
  };
}

export function applyResource(v: TfeRunView, logUrl: string): Resource {
  const { run } = v;
  const done = v.applyStatus === 'finished';
  return {
    id: applyId(run.id),
    type: 'applies',
    attributes: {
      status: v.applyStatus, 'resource-additions': done ? (run.resourcesAdded ?? 0) : 0, 'resource-changes': done ? (run.resourcesChanged ?? 0) : 0,
      'resource-destructions': done ? (run.resourcesDestroyed ?? 0) : 0, 'resource-imports': done ? (run.resourcesImported ?? 0) : 0,
      'log-read-url': logUrl, 'status-timestamps': run.finishedAt && done ? { 'finished-at': iso(run.finishedAt) } : {},
    },
    relationships: { run: { data: { id: `run-${run.id}`, type: 'runs' } } },
  };
}

/**
 * The plan as JSON (json-output / json-output-redacted): what the run stored of `terraform show
 * -json`, sensitive values already redacted; the plan file itself never leaves sealed storage.
 */
export function planJson(v: TfeRunView): Record<string, unknown> {
  const actions = (a: string) => (a === 'replace' ? ['delete', 'create'] : a === 'no-op' ? ['no-op'] : [a]);
  return {
    format_version: '1.2',
    resource_changes: (v.run.resourceChanges ?? []).map((c) => ({
      address: c.address,
      change: {
        actions: actions(c.action),
        ...(c.changes ? { before: Object.fromEntries(c.changes.map((x) => [x.name, x.before])), after: Object.fromEntries(c.changes.map((x) => [x.name, x.after])) } : {}),
      },
    })),
    resource_drift: (v.run.resourceDrift ?? []).map((c) => ({ address: c.address, change: { actions: actions(c.action) } })),
  };
}

export function runTriggerResource(t: TfeRunTrigger, names: { workspace: string; sourceable: string }): Resource {
  return {
    id: t.id,
    type: 'run-triggers',
    attributes: { 'created-at': iso(t.createdAt), 'workspace-name': names.workspace, 'sourceable-name': names.sourceable },
    relationships: {
      workspace: { data: { id: t.workspaceId, type: 'workspaces' } },
      sourceable: { data: { id: t.sourceableId, type: 'workspaces' } },
    },
  };
}

function timestamps(v: TfeRunView): Record<string, string | null> {
  const { run } = v;
  const out: Record<string, string | null> = { 'queued-at': iso(run.queuedAt ?? run.createdAt) };
  if (run.startedAt) out['planning-at'] = iso(run.startedAt);
  if (run.plannedAt) out['planned-at'] = iso(run.plannedAt);
  if (run.approvedAt) out['confirmed-at'] = iso(run.approvedAt);
  if (run.finishedAt) out[`${v.status === 'planned_and_finished' ? 'planned-and-finished' : v.status}-at`] = iso(run.finishedAt);
  return out;
}
