import type { ProjectLock } from '../../core/locks/project-lock.model.js';
import type { Run } from '../../core/runs/run.model.js';
import { iso } from './iso.js';


/** A run as the v1 API shows it (atlantas-api.txt "Runs", with the fields a platform engineer needs). */
export const runJson = (r: Run) => ({
  id: r.id, title: r.title, status: r.status, command: r.operation, source: r.source,
  repo: r.repoFullName, dir: r.dir, workspace: r.workspace, project_name: r.projectName || null,
  project_id: r.projectId, environment_id: r.environmentId, ref: r.ref, commit_sha: r.commitSha || null,
  pull_request: r.prNumber, pull_request_url: r.prUrl, extra_args: r.extraArgs, auto_apply: r.autoApply, keep_plan: r.keepPlan,
  has_changes: r.hasChanges, resources_added: r.resourcesAdded, resources_changed: r.resourcesChanged,
  resources_destroyed: r.resourcesDestroyed, resources_imported: r.resourcesImported, summary: r.summary,
  resource_changes: (r.resourceChanges ?? []).map(({ address, action }) => ({ address, action })), resource_drift: r.resourceDrift ?? [],
  error: r.error, status_reason: r.statusReason, state_name: r.stateName,
  created_by: { kind: r.actorKind, name: r.actorName, via: r.via }, approved_by: r.approvedBy, approved_at: iso(r.approvedAt),
  scheduled_at: iso(r.scheduledAt), created_at: iso(r.createdAt), started_at: iso(r.startedAt), planned_at: iso(r.plannedAt),
  finished_at: iso(r.finishedAt),
});

/**
 * GET /api/locks item, exactly as atlantis-api.md shows it, and only that: this list is public,
 * so `locked_by` is the VCS login when there is one and never an Atlantas user or token name.
 */
export const lockAtlantisJson = (l: ProjectLock) => ({
  id: `${l.repoFullName}/${l.dir}/${l.workspace}`, project_name: l.projectName, repository: l.repoFullName, path: l.dir,
  workspace: l.workspace, pull_request_id: l.prNumber ?? 0, pull_request_url: l.prUrl ?? '', locked_by: l.vcsLogin ?? '',
  locked_at: iso(l.lockedAt),
});
