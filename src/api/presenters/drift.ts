import type { DriftCounts, DriftedResource, DriftHistoryEntry, DriftRecord } from '../../core/drift/drift-record.js';
import { driftProjectName, totalChanges } from '../../core/drift/drift-record.js';
import type { RemediationDrift, RemediationView } from '../../core/drift/drift-remediation.js';
import { iso } from './iso.js';

/** Drift records and remediations → Atlantis's /api/drift/* JSON and Atlantas v1's. */

function atlantisDrift(c: DriftCounts, summary: string, changesOutside: boolean) {
  return { to_add: c.toAdd, to_change: c.toChange, to_destroy: c.toDestroy, to_import: c.toImport, total_changes: totalChanges(c), summary, changes_outside: changesOutside };
}

/** One project of /api/drift/detect and /status: `drift` only when there is some; a skipped or failed check says why in `error`. */
export function atlantisDriftProject(r: DriftRecord) {
  return {
    project_name: r.projectName, directory: r.dir, workspace: r.workspace, ref: r.ref, has_drift: r.hasDrift === true,
    ...(r.hasDrift ? { drift: atlantisDrift(r.counts, r.summary ?? '', r.changesOutside) } : {}),
    last_checked: iso(r.lastCheckedAt), status: r.status, ...(r.reason ? { error: r.reason } : {}),
  };
}

/** The `data` of detect (`detected_at`) and status (`checked_at`). */
export function atlantisDriftReport(repository: string, records: DriftRecord[], timeKey: 'detected_at' | 'checked_at', now: Date) {
  const withErrors = records.filter((r) => r.status === 'errored' || r.status === 'skipped').length;
  const withDrift = records.filter((r) => r.hasDrift === true && r.status !== 'errored' && r.status !== 'skipped').length;
  const checked = records.map((r) => r.lastCheckedAt).filter((d): d is Date => !!d).map((d) => new Date(d).getTime());
  return {
    repository,
    projects: records.map(atlantisDriftProject),
    [timeKey]: timeKey === 'checked_at' && checked.length ? new Date(Math.max(...checked)).toISOString() : now.toISOString(),
    summary: { total_projects: records.length, projects_with_drift: withDrift, projects_without_drift: records.length - withDrift - withErrors, projects_with_errors: withErrors },
  };
}

function remediationDrift(d: RemediationDrift) {
  return atlantisDrift(d, d.summary, d.changesOutside);
}

/**
 * A remediation as POST/GET /api/drift/remediate answer it. `list`: no projects (as in the spec's
 * sample); `withheld`: projects without terraform's output or error text (an unauthenticated
 * read: output is a run log, and logs go only to callers with a credential); else the outputs.
 */
export function atlantisRemediation(r: RemediationView, detail: 'list' | 'withheld' | Map<string, { plan: string; apply: string }>) {
  const outputs = detail instanceof Map ? detail : null;
  return {
    id: r.id, repository: r.repoFullName, ref: r.ref, action: r.action, status: r.status, started_at: iso(r.startedAt), completed_at: iso(r.completedAt),
    projects: detail === 'list' ? [] : r.projects.map((p) => {
      const out = p.runId ? outputs?.get(p.runId) : undefined;
      const error = p.error && !outputs && p.runId ? 'the run failed; send X-Atlantis-Token to see terraform\'s output' : p.error;
      return {
        project_name: p.projectName, directory: p.dir, workspace: p.workspace, status: p.status, ...(p.runId ? { run_id: p.runId } : {}),
        ...(error ? { error } : {}), ...(p.awaitingApproval ? { awaiting_approval: true } : {}),
        ...(out?.plan ? { plan_output: out.plan } : {}), ...(out?.apply ? { apply_output: out.apply } : {}),
        ...(p.driftBefore ? { drift_before: remediationDrift(p.driftBefore) } : {}), ...(p.driftAfter ? { drift_after: remediationDrift(p.driftAfter) } : {}),
      };
    }),
    summary: { total_projects: r.projects.length, success_count: r.successCount, failure_count: r.failureCount },
  };
}

const resourceJson = (d: DriftedResource) => ({ address: d.address, action: d.action, attributes: d.attributes, sensitive_attributes: d.sensitiveAttributes });

/** GET /api/v1/drift: a record, with the drifted resources' changed attributes by name (values are never kept). */
export function driftRecordJson(r: DriftRecord, history?: DriftHistoryEntry[]) {
  const outside = r.details?.changesOutside ?? [];
  const pending = r.details?.pendingCodeChanges ?? [];
  const drifted = [...new Map([...outside, ...pending].map((d) => [d.address, d])).values()];
  return {
    id: r.id, project_id: r.projectId, environment_id: r.environmentId, repository: r.repoFullName, directory: r.dir, workspace: r.workspace,
    project_name: driftProjectName(r), ref: r.ref, commit_sha: r.commitSha, status: r.status, reason: r.reason, has_drift: r.hasDrift,
    to_add: r.counts.toAdd, to_change: r.counts.toChange, to_destroy: r.counts.toDestroy, to_import: r.counts.toImport, total_changes: totalChanges(r.counts),
    summary: r.summary, drifted_resources: drifted.map(resourceJson), changes_outside: outside.map(resourceJson), pending_code_changes: pending.map(resourceJson),
    refresh_run_id: r.refreshRunId, plan_run_id: r.planRunId, last_checked_at: iso(r.lastCheckedAt), resolved_at: iso(r.resolvedAt), resolved_by: r.resolvedBy,
    ...(history ? { history: history.map(historyJson) } : {}),
  };
}

function historyJson(h: DriftHistoryEntry) {
  return {
    check_id: h.checkId, status: h.status, reason: h.reason, has_drift: h.hasDrift, total_changes: totalChanges(h.counts), summary: h.summary,
    commit_sha: h.commitSha, refresh_run_id: h.refreshRunId, plan_run_id: h.planRunId, checked_at: iso(h.checkedAt),
  };
}
