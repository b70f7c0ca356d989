import { z } from 'zod';
import 'zod-openapi';
import { ROLES } from '../../core/actor.js';
import { CreateEnvironmentInput } from '../../core/environments/environment.schemas.js';
import { RUN_OPERATIONS, RUN_SOURCES, RUN_STATUSES } from '../../core/runs/run-status.js';
import type { lockJson } from '../../core/locks/locks.service.js';
import type { runJson } from '../presenters/runs.js';
import type * as v1 from '../presenters/v1.js';
import { TOKEN_SCOPES } from '../../core/auth/token-scopes.js';

/**
 * What the v1 presenters (api/presenters, lockJson) emit, as zod schemas for the OpenAPI
 * document. Response schemas forbid unknown fields, and the key checks at the end fail the
 * typecheck when a presenter gains or loses a field that is not described here.
 */
const Uuid = z.uuid();
const Timestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 time');
const Maybe = <T extends z.ZodType>(schema: T) => schema.nullable();
const Json = z.record(z.string(), z.unknown());

export const ErrorResponse = z
  .object({
    detail: z.string().describe('what went wrong and what to fix'),
    code: z.string().describe('stable machine-readable code, e.g. validation_error, run.lock_held'),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('every invalid field, for validation errors'),
    holder: z.unknown().optional().describe('who holds the lock, for lock conflicts'),
    request_id: z.string().describe('the X-Request-Id of this request, for the server log'),
  })
  .meta({ id: 'Error' });

export const UserResource = z
  .object({
    id: Uuid, tenant_id: Uuid, email: z.string(), name: z.string(), role: z.enum(ROLES as [string, ...string[]]), is_active: z.boolean(),
    is_platform_admin: z.boolean(), created_at: Timestamp,
  })
  .meta({ id: 'User' });

export const Session = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int().describe('seconds') })
  .meta({ id: 'Session' });

export const TokenResource = z
  .object({
    id: Uuid, name: z.string(), prefix: z.string(),
    scopes: z.array(z.enum(TOKEN_SCOPES)).describe('read, write, admin: the token acts with the highest, never above its user\'s role; mcp:read, mcp:write: the same for an AI agent, which may use /mcp and needs a human\'s approval to apply'),
    mcp_policy: Maybe(z.object({ auto_apply: z.array(z.string()), max_destroy: z.number().int() })).describe('an agent token\'s policy: projects it may apply without a human'),
    expires_at: Maybe(Timestamp), last_used_at: Maybe(Timestamp), created_at: Timestamp,
  })
  .meta({ id: 'Token' });

export const CreatedToken = TokenResource.extend({ raw_token: z.string().describe('the token itself, shown this once') }).meta({ id: 'CreatedToken' });

export const TenantResource = z
  .object({
    id: Uuid, name: z.string(), slug: z.string(), max_instances: z.number().int(), max_environments: z.number().int(), max_incidents: z.number().int().describe('unresolved incidents at once'),
    cpu_quota: z.string(), memory_quota: z.string(), repo_allowlist: z.array(z.string()), created_at: Timestamp,
  })
  .meta({ id: 'Tenant' });

export const CreatedTenant = TenantResource.extend({ admin: UserResource }).meta({ id: 'CreatedTenant' });

export const UsageResource = z
  .object({
    instances_used: z.number().int(), instances_limit: z.number().int(), environments_used: z.number().int(), environments_limit: z.number().int(),
    cpu_used: z.string().describe('CPU the instances ask for (config_json cpu × serverReplicas), e.g. 1500m'), cpu_limit: z.string().describe('cpu_quota'),
    memory_used: z.string().describe('memory the instances ask for (config_json memory × serverReplicas), e.g. 3Gi'), memory_limit: z.string().describe('memory_quota'),
    cpu_used_millicores: z.number().int(), cpu_limit_millicores: z.number().int(), memory_used_bytes: z.number().int(), memory_limit_bytes: z.number().int(),
  })
  .meta({ id: 'Usage' });

export const ProjectResource = z
  .object({
    id: Uuid, tenant_id: Uuid, name: z.string(), repository_url: z.string(), terraform_path: z.string(), workspace: z.string(), branch: z.string(),
    state_backend: z.string(), auto_apply: z.boolean(), requires_change: z.boolean(), instance_id: Maybe(Uuid), environment_id: Maybe(Uuid),
    slack_channel: Maybe(z.string()).describe('where the project\'s notifications go; the tenant\'s default channel when null'),
    notify_events: Maybe(z.array(z.string())).describe('the notification kinds it sends; null = every kind'),
    criticality: Maybe(z.enum(['critical', 'high', 'medium', 'low'])).describe('automatic incidents on it take their severity from it (ATLANTAS_INCIDENT_SEVERITY); null = the default'),
    cloud_credential_id: Maybe(Uuid).describe('the cloud credential its runs get; null: its environment\'s, if any'),
    created_at: Timestamp, updated_at: Timestamp,
  })
  .meta({ id: 'Project' });

export const DependencyResource = z
  .object({ id: Uuid, project_id: Uuid, depends_on_project_id: Uuid, output_mapping: z.record(z.string(), z.string()), created_at: Timestamp })
  .meta({ id: 'Dependency' });

export const ProjectGraph = z
  .object({
    nodes: z.array(z.object({ id: Uuid, type: z.enum(['project', 'instance']), data: Json, position: z.object({ x: z.number(), y: z.number() }) })),
    edges: z.array(z.object({ id: z.string(), source: Uuid, target: Uuid, type: z.enum(['assignment', 'dependency']), data: Json.optional() })),
  })
  .meta({ id: 'ProjectGraph' });

export const LayoutSaved = z.object({ updated: z.number().int() }).meta({ id: 'LayoutSaved' });

export const EnvironmentResource = z
  .object({
    id: Uuid, tenant_id: Uuid, name: z.string(), cloud_provider: CreateEnvironmentInput.shape.cloud_provider, region: z.string(), terraform_workspace: z.string(),
    repository_url: z.string(), instance_id: Maybe(Uuid), drift_status: z.string(), last_drift_check_at: Maybe(Timestamp),
    cloud_credential_id: Maybe(Uuid).describe('the cloud credential runs of its projects get when the project names none'),
    created_at: Timestamp, updated_at: Timestamp,
  })
  .meta({ id: 'Environment' });

export const InstanceResource = z
  .object({
    id: Uuid, tenant_id: Uuid, name: z.string(), status: z.string(), version: z.string(), config_json: Json, created_at: Timestamp, updated_at: Timestamp,
  })
  .meta({ id: 'Instance' });

export const AuditResource = z
  .object({
    id: z.string().describe('increasing; page back with ?before='), actor: z.object({ kind: z.string(), id: Maybe(z.string()), name: z.string() }),
    via: z.string(), action: z.string(), target: z.object({ type: z.string(), id: Maybe(z.string()) }), detail: Json, created_at: Timestamp,
  })
  .meta({ id: 'AuditEntry' });

export const StatsResource = z
  .object({
    total_runs: z.number().int(), applied_runs: z.number().int(), errored_runs: z.number().int(), pending_runs: z.number().int(),
    active_instances: z.number().int(), total_environments: z.number().int(), success_rate: z.number().describe('percent of runs applied'),
  })
  .meta({ id: 'DashboardStats' });

/** Terraform's LockInfo, kept as terraform sent it. */
export const LockInfo = z
  .looseObject({
    ID: z.string(), Operation: z.string().optional(), Info: z.string().optional(), Who: z.string().optional(),
    Version: z.string().optional(), Created: z.string().optional(), Path: z.string().optional(),
  })
  .meta({ id: 'LockInfo' });

export const StateResource = z
  .object({
    id: Uuid, tenant_id: Uuid, name: z.string(), project_id: Maybe(Uuid), project_name: z.string(), workspace: z.string(),
    serial: Maybe(z.number().int()), lineage: Maybe(z.string()), md5: Maybe(z.string()), size: Maybe(z.number().int()),
    version_count: z.number().int(), current_version_id: Maybe(Uuid), is_locked: z.boolean(), lock: Maybe(LockInfo),
    locked_at: Maybe(Timestamp), locked_by: Maybe(z.string()), created_at: Timestamp, updated_at: Timestamp,
  })
  .meta({ id: 'State' });

export const StateVersionResource = z
  .object({
    id: Uuid, state_id: Uuid, version: z.number().int(), serial: z.number().int(), lineage: z.string(), md5: z.string(), size: z.number().int(),
    forced: z.boolean(), created_by: z.object({ kind: z.string(), id: Maybe(z.string()), name: z.string() }), via: z.string(), created_at: Timestamp,
  })
  .meta({ id: 'StateVersion' });

/** A Terraform state file (JSON), exactly as terraform wrote it. */
export const StateDocument = z
  .looseObject({ version: z.number().int(), serial: z.number().int(), lineage: z.string() })
  .meta({ id: 'StateDocument', description: 'a Terraform state file, exactly as terraform wrote it' });

export const StateWritten = z
  .object({ version: z.number().int(), serial: z.number().int(), written: z.boolean().describe('false when this exact state was already stored') })
  .meta({ id: 'StateWritten' });

const ResourceChange = z.object({ address: z.string(), action: z.string() });

export const RunResource = z
  .object({
    id: Uuid, title: z.string(), status: z.enum(RUN_STATUSES), command: z.enum(RUN_OPERATIONS), source: z.enum(RUN_SOURCES),
    repo: z.string(), dir: z.string(), workspace: z.string(), project_name: Maybe(z.string()), project_id: Maybe(Uuid), environment_id: Maybe(Uuid),
    ref: z.string(), commit_sha: Maybe(z.string()), pull_request: Maybe(z.number().int()), pull_request_url: Maybe(z.string()),
    extra_args: z.array(z.string()), auto_apply: z.boolean(),
    keep_plan: z.boolean().describe('a plan outside a pull request kept, with its lock, until applied, discarded, superseded or expired (ATLANTAS_PLAN_TTL)'),
    has_changes: Maybe(z.boolean()), resources_added: Maybe(z.number().int()),
    resources_changed: Maybe(z.number().int()), resources_destroyed: Maybe(z.number().int()), resources_imported: Maybe(z.number().int()),
    summary: Maybe(z.string()), resource_changes: z.array(ResourceChange), resource_drift: z.array(ResourceChange),
    error: Maybe(z.string()), status_reason: Maybe(z.string()), state_name: Maybe(z.string()),
    created_by: z.object({ kind: z.string(), name: z.string(), via: z.string() }), approved_by: Maybe(z.string()), approved_at: Maybe(Timestamp),
    scheduled_at: Maybe(Timestamp), created_at: Maybe(Timestamp), started_at: Maybe(Timestamp), planned_at: Maybe(Timestamp), finished_at: Maybe(Timestamp),
  })
  .meta({ id: 'Run' });

export const RunWithLog = RunResource.extend({ log: z.string().describe('the run\'s terraform output so far') }).meta({ id: 'RunWithLog' });

export const NotificationSettings = z.object({ default_channel: Maybe(z.string()).describe('where notifications of projects without a slack_channel go') }).meta({ id: 'NotificationSettings' });

export const NotificationResource = z
  .object({
    id: Uuid, kind: z.string(), channel: z.string().describe('the front end that delivers it, e.g. slack'), project_id: Maybe(Uuid),
    event: Json.describe('the event: ids only'), status: z.enum(['pending', 'delivering', 'delivered', 'failed', 'skipped']), attempts: z.number().int(),
    destination: Maybe(z.string()), last_error: Maybe(z.string()), next_attempt_at: Timestamp, delivered_at: Maybe(Timestamp),
  })
  .meta({ id: 'Notification' });

export const LockResource = z
  .object({
    id: Uuid, key: z.string().describe('repo/dir/workspace/project, as Atlantis names a lock'), repository: z.string(), path: z.string(),
    workspace: z.string(), project_name: z.string(), holder: z.string(), holder_kind: z.enum(['pull_request', 'actor']),
    pull_request_id: Maybe(z.number().int()), pull_request_url: Maybe(z.string()), locked_by: z.string(), run_id: Maybe(Uuid), locked_at: Timestamp,
  })
  .meta({ id: 'Lock' });

// A presenter and its schema name the same fields (a mismatch is a type error here).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { onlyInPresenter: Exclude<keyof A, keyof B>; onlyInSchema: Exclude<keyof B, keyof A> };
type Presents<F extends (...args: never[]) => unknown, S extends z.ZodType> = SameKeys<ReturnType<F>, z.output<S>>;
export const PRESENTERS_DESCRIBED: [
  Presents<typeof v1.userJson, typeof UserResource>, Presents<typeof v1.tokenJson, typeof TokenResource>,
  Presents<typeof v1.tenantJson, typeof TenantResource>, Presents<typeof v1.usageJson, typeof UsageResource>,
  Presents<typeof v1.projectJson, typeof ProjectResource>, Presents<typeof v1.dependencyJson, typeof DependencyResource>,
  Presents<typeof v1.environmentJson, typeof EnvironmentResource>, Presents<typeof v1.instanceJson, typeof InstanceResource>,
  Presents<typeof v1.auditJson, typeof AuditResource>, Presents<typeof v1.statsJson, typeof StatsResource>,
  Presents<typeof v1.stateJson, typeof StateResource>, Presents<typeof v1.stateVersionJson, typeof StateVersionResource>,
  Presents<typeof runJson, typeof RunResource>, Presents<typeof lockJson, typeof LockResource>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true];
