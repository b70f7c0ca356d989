import { agentPolicyJson } from '../../core/approvals/agent-policy.js';
import type { AuditEntry } from '../../core/audit/audit-entry.model.js';
import type { PublicToken } from '../../core/auth/tokens.service.js';
import type { PublicUser } from '../../core/auth/users.service.js';
import type { DashboardStats } from '../../core/dashboard/dashboard.service.js';
import type { Environment } from '../../core/environments/environment.model.js';
import type { Instance } from '../../core/instances/instance.model.js';
import type { ProjectDependency } from '../../core/projects/project-dependency.model.js';
import type { Project } from '../../core/projects/project.model.js';
import type { Tenant } from '../../core/tenants/tenant.model.js';
import type { TenantUsage } from '../../core/tenants/tenants.service.js';
import type { StateSummary } from '../../core/state/state.service.js';
import type { StateVersion } from '../../core/state/state-version.model.js';
import { formatBytes, formatMillicores } from '../../core/tenants/quantities.js';
import { iso } from './iso.js';

/** Domain objects → the snake_case JSON of atlantas-api.txt. Explicit, so nothing leaks by accident. */

export const userJson = (u: PublicUser) => ({
  id: u.id, tenant_id: u.tenantId, email: u.email, name: u.name, role: u.role, is_active: u.isActive,
  is_platform_admin: u.isPlatformAdmin, created_at: iso(u.createdAt),
});

export const tokenJson = (t: PublicToken) => ({
  id: t.id, name: t.name, prefix: t.tokenPrefix, scopes: t.scopes, mcp_policy: agentPolicyJson(t.mcpPolicy), expires_at: iso(t.expiresAt), last_used_at: iso(t.lastUsedAt), created_at: iso(t.createdAt),
});

export const tenantJson = (t: Tenant) => ({
  id: t.id, name: t.name, slug: t.slug, max_instances: t.maxInstances, max_environments: t.maxEnvironments, max_incidents: t.maxIncidents,
  cpu_quota: t.cpuQuota, memory_quota: t.memoryQuota, repo_allowlist: t.repoAllowlist ?? [], created_at: iso(t.createdAt),
});

export const usageJson = (u: TenantUsage) => ({
  instances_used: u.instancesUsed, instances_limit: u.instancesLimit,
  environments_used: u.environmentsUsed, environments_limit: u.environmentsLimit,
  cpu_used: formatMillicores(u.cpuUsedMillicores), cpu_limit: formatMillicores(u.cpuLimitMillicores),
  memory_used: formatBytes(u.memoryUsedBytes), memory_limit: formatBytes(u.memoryLimitBytes),
  cpu_used_millicores: u.cpuUsedMillicores, cpu_limit_millicores: u.cpuLimitMillicores,
  memory_used_bytes: u.memoryUsedBytes, memory_limit_bytes: u.memoryLimitBytes,
});

export const projectJson = (p: Project) => ({
  id: p.id, tenant_id: p.tenantId, name: p.name, repository_url: p.repositoryUrl, terraform_path: p.terraformPath,
  workspace: p.workspace, branch: p.branch, state_backend: p.stateBackend, auto_apply: p.autoApply, requires_change: p.requiresChange,
  instance_id: p.instanceId, environment_id: p.environmentId, slack_channel: p.slackChannel, notify_events: p.notifyEvents, criticality: p.criticality,
  cloud_credential_id: p.cloudCredentialId,
  created_at: iso(p.createdAt), updated_at: iso(p.updatedAt),
});

export const dependencyJson = (d: ProjectDependency) => ({
  id: d.id, project_id: d.projectId, depends_on_project_id: d.dependsOnProjectId, output_mapping: d.outputMapping, created_at: iso(d.createdAt),
});

export const environmentJson = (e: Environment) => ({
  id: e.id, tenant_id: e.tenantId, name: e.name, cloud_provider: e.cloudProvider, region: e.region,
  terraform_workspace: e.terraformWorkspace, repository_url: e.repositoryUrl, instance_id: e.instanceId,
  drift_status: e.driftStatus, last_drift_check_at: iso(e.lastDriftCheckAt), cloud_credential_id: e.cloudCredentialId, created_at: iso(e.createdAt), updated_at: iso(e.updatedAt),
});

export const instanceJson = (i: Instance) => ({
  id: i.id, tenant_id: i.tenantId, name: i.name, status: i.status, version: i.version, config_json: i.configJson,
  created_at: iso(i.createdAt), updated_at: iso(i.updatedAt),
});

export const auditJson = (a: AuditEntry) => ({
  id: String(a.id), actor: { kind: a.actorKind, id: a.actorId, name: a.actorName }, via: a.via, action: a.action,
  target: { type: a.targetType, id: a.targetId }, detail: a.detail, created_at: iso(a.createdAt),
});

export const statsJson = (s: DashboardStats) => ({
  total_runs: s.totalRuns, applied_runs: s.appliedRuns, errored_runs: s.erroredRuns, pending_runs: s.pendingRuns,
  active_instances: s.activeInstances, total_environments: s.totalEnvironments, success_rate: s.successRate,
});

export const stateJson = (s: StateSummary) => ({
  id: s.id, tenant_id: s.tenantId, name: s.name, project_id: s.projectId, project_name: s.projectName ?? s.name, workspace: s.workspace,
  serial: s.serial, lineage: s.lineage, md5: s.md5, size: s.size, version_count: s.latestVersion, current_version_id: s.currentVersionId,
  is_locked: s.isLocked, lock: s.lockInfo, locked_at: iso(s.lockedAt), locked_by: s.lockedBy,
  created_at: iso(s.createdAt), updated_at: iso(s.updatedAt),
});

export const stateVersionJson = (v: StateVersion) => ({
  id: v.id, state_id: v.stateId, version: v.version, serial: v.serial, lineage: v.lineage, md5: v.md5, size: v.size, forced: v.forced,
  created_by: { kind: v.createdByKind, id: v.createdById, name: v.createdByName }, via: v.via, created_at: iso(v.createdAt),
});
