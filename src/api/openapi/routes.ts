import { z } from 'zod';
import { ApprovalOutput, DecideApprovalInput, ListApprovalsQuery } from '../../core/approvals/approval.schemas.js';
import { ListAuditQuery } from '../../core/audit/audit.schemas.js';
import { ChangePasswordInput, CreateTenantInput, CreateTokenInput, ListUsersQuery, LoginInput, QuotasInput, RegisterInput, SetRoleInput, UpdateTenantInput } from '../../core/auth/auth.schemas.js';
import { CreateEnvironmentInput, UpdateEnvironmentInput } from '../../core/environments/environment.schemas.js';
import { CreateInstanceInput, UpdateInstanceInput } from '../../core/instances/instance.schemas.js';
import { ListLocksQuery } from '../../core/locks/lock.schemas.js';
import { AddDependencyInput, CreateProjectInput, LayoutInput, UpdateProjectInput } from '../../core/projects/project.schemas.js';
import * as RS from '../../core/runners/runner.schemas.js';
import * as SS from '../../core/slack/slack.schemas.js';
import * as GA from '../../core/github-apps/github-app.schemas.js';
import * as SSO from '../../core/sso/sso.schemas.js';
import { AfterPlan, CheckedOut, Job, JobOutcome, PlanDetails, PlannedResult } from '../../core/runs/job.js';
import { CreateRunInput, ListRunsQuery, RunEventsQuery } from '../../core/runs/run.schemas.js';
import { NotificationSettingsInput } from '../../core/notifications/notification.schemas.js';
import * as R from './resources.js';
import * as D from './drift-resources.js';
import { ListDriftQuery } from '../../core/drift/drift.schemas.js';
import { CreateAgentInput, ListExecutionsQuery, UpdateAgentInput } from '../../core/agents/agent.schemas.js';
import { AgentExecutionResource, AgentResource } from '../routers/agents.resources.js';
import * as CC from '../../core/cloud-credentials/cloud-credential.schemas.js';
import { BillingCurrentResource, BillingRecordResource } from './billing-resources.js';

/**
 * Every /api/v1 route, with the same zod schemas its router validates with and the resource it
 * answers with. The OpenAPI document is built from this table, and a test checks that every route
 * the app mounts is in it: a new route is one line here.
 */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'lock' | 'unlock';
/** bearer: `Authorization: Bearer <JWT or atl_ token>`; state: also HTTP Basic with a token as password (terraform) */
export type RouteAuth = 'bearer' | 'state' | 'none';

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  type?: string;
  headers?: z.ZodObject;
}

export interface ApiRoute {
  method: RouteMethod;
  /** the Koa path template, e.g. /api/v1/runs/:id */
  path: string;
  tag: string;
  summary: string;
  auth?: RouteAuth;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** a body read raw by the router (the state backend), not by the JSON body parser */
  rawBody?: boolean;
  /** the body's media type; default application/json */
  bodyType?: string;
  /** the success response, by status */
  ok: Record<number, RouteResponse>;
  /** statuses beyond those implied by auth, parameters and body; a schema replaces the error envelope */
  errors?: Record<number, RouteResponse>;
}

const json = (schema: z.ZodType, description = 'OK') => ({ 200: { description, schema } });
const list = (schema: z.ZodType) => json(z.array(schema));
const created = (schema: z.ZodType) => ({ 201: { description: 'Created', schema } });
const noContent = { 204: { description: 'Done; no content' } };
const conflict = (description: string) => ({ 409: { description } });
const locked = (description: string) => ({ 423: { description } });

const PAGE_HEADERS = z.object({
  'X-Total-Count': z.string().optional().describe('runs matching the filter (offset pages only; a cursor page does not count)'),
  'X-Page': z.string().optional().describe('the page number (offset pages only)'), 'X-Per-Page': z.string(),
  Link: z.string().optional().describe('`<…&cursor=…>; rel="next"` unless this is the last page'),
  'X-Next-Cursor': z.string().optional().describe('the next page\'s cursor, as in Link'),
});
const STATE_HOLDER = { description: 'another lock holds the state; the body is the holder\'s LockInfo (terraform prints it)', schema: R.LockInfo };
/** terraform's http backend query; tfstate.router.ts parses it (the protocol's flags, not a JSON body) */
const StateWriteQuery = z.object({
  ID: z.string().optional().describe('the lock ID the writer holds'),
  force: z.enum(['true', 'false', '1', '0']).optional().describe('replace a state of another lineage or a newer serial (state admin)'),
});
const TFSTATE = '/api/v1/tfstate/:name/:workspace';

export const API_ROUTES: ApiRoute[] = [
  { method: 'post', path: '/api/v1/auth/login', tag: 'auth', summary: 'Log in with email and password', auth: 'none', body: LoginInput, ok: json(R.Session) },
  { method: 'post', path: '/api/v1/auth/logout', tag: 'auth', summary: 'End the session this JWT belongs to', ok: noContent, errors: { 400: { description: 'sent with an API token, which is revoked with DELETE /api/v1/users/tokens/{id} instead' } } },
  { method: 'post', path: '/api/v1/auth/password', tag: 'auth', summary: 'Change your password; ends all your sessions', body: ChangePasswordInput, ok: noContent, errors: { 429: { description: 'too many wrong current passwords for this account (Retry-After)' } } },
  { method: 'get', path: '/api/v1/auth/me', tag: 'auth', summary: 'The caller', ok: json(R.UserResource) },
  { method: 'post', path: '/api/v1/auth/register', tag: 'users', summary: 'Create a user in your tenant (admin)', body: RegisterInput, ok: created(R.UserResource), errors: conflict('the email is taken') },
  { method: 'get', path: '/api/v1/users/tokens', tag: 'tokens', summary: 'Your API tokens', ok: list(R.TokenResource) },
  { method: 'post', path: '/api/v1/users/tokens', tag: 'tokens', summary: 'Create an API token (shown once)', body: CreateTokenInput, ok: created(R.CreatedToken), errors: { 403: { description: 'a scope above your role' } } },
  { method: 'delete', path: '/api/v1/users/tokens/:id', tag: 'tokens', summary: 'Revoke one of your API tokens', ok: noContent },
  { method: 'get', path: '/api/v1/users', tag: 'users', summary: 'Users of your tenant, oldest first; filter by role and active', query: ListUsersQuery, ok: { 200: { description: 'OK', schema: z.array(R.UserResource), headers: PAGE_HEADERS } } },
  { method: 'patch', path: '/api/v1/users/:id/role', tag: 'users', summary: 'Change a user\'s role (admin)', body: SetRoleInput, ok: json(R.UserResource) },
  { method: 'delete', path: '/api/v1/users/:id', tag: 'users', summary: 'Deactivate a user (admin)', ok: json(R.UserResource, 'The deactivated user') },

  { method: 'get', path: '/api/v1/tenant', tag: 'tenant', summary: 'Your tenant', ok: json(R.TenantResource) },
  { method: 'get', path: '/api/v1/tenant/usage', tag: 'tenant', summary: 'Quota usage of your tenant', ok: json(R.UsageResource) },
  { method: 'patch', path: '/api/v1/tenant/quotas', tag: 'tenant', summary: 'Set your tenant\'s quotas (platform admin)', body: QuotasInput, ok: json(R.TenantResource) },
  { method: 'post', path: '/api/v1/tenants', tag: 'tenant', summary: 'Create a tenant and its first admin (platform admin)', body: CreateTenantInput, ok: created(R.CreatedTenant), errors: conflict('the slug is taken') },
  { method: 'patch', path: '/api/v1/tenants/:id', tag: 'tenant', summary: 'Rename a tenant or set its repo_allowlist (platform admin)', body: UpdateTenantInput, ok: json(R.TenantResource) },
  { method: 'get', path: '/api/v1/audit', tag: 'tenant', summary: 'Audit log of your tenant, newest first (admin)', query: ListAuditQuery, ok: list(R.AuditResource) },
  { method: 'get', path: '/api/v1/dashboard/stats', tag: 'tenant', summary: 'Run and resource counts of your tenant', ok: json(R.StatsResource) },

  { method: 'get', path: '/api/v1/projects', tag: 'projects', summary: 'Projects of your tenant', ok: list(R.ProjectResource) },
  { method: 'post', path: '/api/v1/projects', tag: 'projects', summary: 'Register a project', body: CreateProjectInput, ok: created(R.ProjectResource), errors: conflict('a project of that name exists') },
  { method: 'get', path: '/api/v1/projects/graph', tag: 'projects', summary: 'Projects, instances and their links as a graph', ok: json(R.ProjectGraph) },
  { method: 'put', path: '/api/v1/projects/graph/layout', tag: 'projects', summary: 'Save node positions of the graph', body: LayoutInput, ok: json(R.LayoutSaved) },
  { method: 'get', path: '/api/v1/projects/:id', tag: 'projects', summary: 'One project (by id or name)', ok: json(R.ProjectResource) },
  { method: 'patch', path: '/api/v1/projects/:id', tag: 'projects', summary: 'Change a project', body: UpdateProjectInput, ok: json(R.ProjectResource), errors: conflict('a project of that name exists') },
  { method: 'delete', path: '/api/v1/projects/:id', tag: 'projects', summary: 'Delete a project', ok: noContent },
  { method: 'post', path: '/api/v1/projects/:id/assign/:instanceId', tag: 'projects', summary: 'Assign a project to an instance', ok: json(R.ProjectResource) },
  { method: 'delete', path: '/api/v1/projects/:id/assign', tag: 'projects', summary: 'Unassign a project from its instance', ok: json(R.ProjectResource) },
  { method: 'get', path: '/api/v1/projects/:id/dependencies', tag: 'projects', summary: 'Projects this one depends on', ok: list(R.DependencyResource) },
  { method: 'post', path: '/api/v1/projects/:id/dependencies', tag: 'projects', summary: 'Add a dependency (outputs mapped to inputs)', body: AddDependencyInput, ok: created(R.DependencyResource), errors: conflict('the dependency exists or would make a cycle') },
  { method: 'delete', path: '/api/v1/projects/:id/dependencies/:depId', tag: 'projects', summary: 'Remove a dependency', ok: noContent },

  { method: 'get', path: '/api/v1/environments', tag: 'environments', summary: 'Environments of your tenant', ok: list(R.EnvironmentResource) },
  { method: 'post', path: '/api/v1/environments', tag: 'environments', summary: 'Create an environment', body: CreateEnvironmentInput, ok: created(R.EnvironmentResource), errors: conflict('an environment of that name exists') },
  { method: 'get', path: '/api/v1/environments/:id', tag: 'environments', summary: 'One environment', ok: json(R.EnvironmentResource) },
  { method: 'patch', path: '/api/v1/environments/:id', tag: 'environments', summary: 'Change an environment', body: UpdateEnvironmentInput, ok: json(R.EnvironmentResource) },
  { method: 'delete', path: '/api/v1/environments/:id', tag: 'environments', summary: 'Delete an environment', ok: noContent },
  { method: 'post', path: '/api/v1/environments/:id/drift-check', tag: 'drift', summary: 'Check the environment\'s projects for drift (queued; see GET /api/v1/drift)', ok: { 202: { description: 'Queued', schema: D.DriftCheckStarted } } },
  { method: 'post', path: '/api/v1/environments/:id/drift-resolve', tag: 'drift', summary: 'Mark the environment\'s drift as resolved', ok: json(D.DriftResolved) },
  { method: 'get', path: '/api/v1/drift', tag: 'drift', summary: 'Drift records of your tenant, one per project and workspace', query: ListDriftQuery, ok: list(D.DriftRecordResource) },
  { method: 'get', path: '/api/v1/drift/:id', tag: 'drift', summary: 'One drift record with its latest checks', ok: json(D.DriftRecordResource) },
  { method: 'get', path: '/api/v1/instances', tag: 'instances', summary: 'Instances of your tenant', ok: list(R.InstanceResource) },
  { method: 'post', path: '/api/v1/instances', tag: 'instances', summary: 'Create an instance', body: CreateInstanceInput, ok: created(R.InstanceResource), errors: conflict('an instance of that name exists') },
  { method: 'get', path: '/api/v1/instances/:id', tag: 'instances', summary: 'One instance', ok: json(R.InstanceResource) },
  { method: 'patch', path: '/api/v1/instances/:id', tag: 'instances', summary: 'Change an instance', body: UpdateInstanceInput, ok: json(R.InstanceResource) },
  { method: 'delete', path: '/api/v1/instances/:id', tag: 'instances', summary: 'Delete an instance', ok: noContent },

  { method: 'get', path: '/api/v1/agents', tag: 'agents', summary: 'Cron agents of your tenant', ok: list(AgentResource) },
  { method: 'post', path: '/api/v1/agents', tag: 'agents', summary: 'Create an agent (admin); the schedule is a cron expression, in UTC unless timezone', body: CreateAgentInput, ok: created(AgentResource), errors: conflict('an agent of that name exists') },
  { method: 'get', path: '/api/v1/agents/:id', tag: 'agents', summary: 'One agent', ok: json(AgentResource) },
  { method: 'patch', path: '/api/v1/agents/:id', tag: 'agents', summary: 'Change an agent (admin)', body: UpdateAgentInput, ok: json(AgentResource) },
  { method: 'delete', path: '/api/v1/agents/:id', tag: 'agents', summary: 'Delete an agent and its executions (admin)', ok: noContent },
  { method: 'post', path: '/api/v1/agents/:id/activate', tag: 'agents', summary: 'Run on the schedule from now on (admin)', ok: json(AgentResource) },
  { method: 'post', path: '/api/v1/agents/:id/deactivate', tag: 'agents', summary: 'Pause the agent (admin)', ok: json(AgentResource) },
  { method: 'post', path: '/api/v1/agents/:id/trigger', tag: 'agents', summary: 'Run the agent now, outside its schedule', ok: { 202: { description: 'Started; the execution as it begins', schema: AgentExecutionResource } }, errors: conflict('the agent is running on this replica') },
  { method: 'get', path: '/api/v1/agents/:id/executions', tag: 'agents', summary: 'Executions of the agent, newest first: outcome, findings and the runs it made', query: ListExecutionsQuery, ok: list(AgentExecutionResource) },

  { method: 'get', path: '/api/v1/runs', tag: 'runs', summary: 'Runs of your tenant, newest first', query: ListRunsQuery, ok: { 200: { description: 'OK', schema: z.array(R.RunResource), headers: PAGE_HEADERS } } },
  { method: 'get', path: '/api/v1/runs/scheduled', tag: 'runs', summary: 'Runs scheduled for later', ok: list(R.RunResource) },
  { method: 'post', path: '/api/v1/runs', tag: 'runs', summary: 'Plan, apply or destroy a project at a branch', body: CreateRunInput, ok: created(R.RunResource), errors: { ...locked('the project is locked by someone else'), 503: { description: 'the repository cannot be reached' } } },
  { method: 'get', path: '/api/v1/runs/:id', tag: 'runs', summary: 'One run with its output', ok: json(R.RunWithLog) },
  { method: 'post', path: '/api/v1/runs/:id/approve', tag: 'runs', summary: 'Approve a planned run: it applies its saved plan', ok: json(R.RunResource), errors: conflict('the run is not planned, or its plan went stale') },
  { method: 'post', path: '/api/v1/runs/:id/apply', tag: 'runs', summary: 'Apply a planned run\'s saved plan (a kept plan, by run id): exactly once, as a pull request\'s apply', ok: json(R.RunResource), errors: conflict('the run is no longer planned (applied, discarded, superseded or expired), or its plan went stale') },
  { method: 'post', path: '/api/v1/runs/:id/discard', tag: 'runs', summary: 'Discard a planned run\'s saved plan, releasing its lock', ok: json(R.RunResource), errors: conflict('the run is no longer planned') },
  { method: 'post', path: '/api/v1/runs/:id/cancel', tag: 'runs', summary: 'Cancel a run', ok: json(R.RunResource), errors: conflict('the run has already ended') },
  { method: 'get', path: '/api/v1/runs/:id/events', tag: 'runs', summary: 'Follow a run live: output and status as Server-Sent Events (Last-Event-ID resumes)', query: RunEventsQuery, ok: { 200: { description: 'events `log` (id = sequence, data {phase, text}), `status` and `end` (data {status})', type: 'text/event-stream', schema: z.string() } } },
  { method: 'get', path: '/api/v1/approvals', tag: 'approvals', summary: 'Approval requests of your tenant (what agents asked a human to approve), newest first', query: ListApprovalsQuery, ok: list(ApprovalOutput.meta({ id: 'Approval' })) },
  { method: 'get', path: '/api/v1/approvals/:id', tag: 'approvals', summary: 'One approval request', ok: json(ApprovalOutput) },
  { method: 'post', path: '/api/v1/approvals/:id/approve', tag: 'approvals', summary: 'Approve a pending request as a person (never with the requesting token); what it asked for is then done as you', body: DecideApprovalInput, ok: json(ApprovalOutput), errors: conflict('the request is no longer pending (decided or expired)') },
  { method: 'post', path: '/api/v1/approvals/:id/reject', tag: 'approvals', summary: 'Reject a pending request; a run\'s plan is discarded', body: DecideApprovalInput, ok: json(ApprovalOutput), errors: conflict('the request is no longer pending (decided or expired)') },
  { method: 'get', path: '/api/v1/notifications/settings', tag: 'notifications', summary: 'Your tenant\'s default notification channel', ok: json(R.NotificationSettings) },
  { method: 'put', path: '/api/v1/notifications/settings', tag: 'notifications', summary: 'Set (or clear with null) your tenant\'s default notification channel; admins only', body: NotificationSettingsInput, ok: json(R.NotificationSettings) },
  { method: 'get', path: '/api/v1/notifications', tag: 'notifications', summary: 'Your tenant\'s notifications, newest first: delivered, waiting, retried, failed or skipped', ok: list(R.NotificationResource) },
  { method: 'get', path: '/api/v1/locks', tag: 'locks', summary: 'Project locks of your tenant', query: ListLocksQuery, ok: list(R.LockResource) },
  { method: 'delete', path: '/api/v1/locks/:id', tag: 'locks', summary: 'Release a project lock (by id or key); its waiting plans are discarded', ok: json(R.LockResource, 'The released lock') },

  { method: 'get', path: '/api/v1/states', tag: 'states', summary: 'Terraform states of your tenant', ok: list(R.StateResource) },
  { method: 'get', path: '/api/v1/states/:id', tag: 'states', summary: 'One state', ok: json(R.StateResource) },
  { method: 'get', path: '/api/v1/states/:id/versions', tag: 'states', summary: 'Version history of a state', ok: list(R.StateVersionResource) },
  { method: 'get', path: '/api/v1/states/:id/versions/:versionId', tag: 'states', summary: 'Download one version (by id or number)', ok: { 200: { description: 'the state file, as an attachment', schema: R.StateDocument, headers: z.object({ 'X-State-Serial': z.string() }) } } },
  { method: 'post', path: '/api/v1/states/:id/unlock', tag: 'states', summary: 'Force-unlock a state (state admin)', ok: json(R.StateResource) },
  { method: 'delete', path: '/api/v1/states/:id', tag: 'states', summary: 'Delete a state and all its versions (state admin)', ok: noContent, errors: locked('the state is locked') },

  { method: 'get', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: read the current state', auth: 'state', ok: { 200: { description: 'the current state, with Content-MD5', schema: R.StateDocument } } },
  { method: 'post', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: store a new state version', auth: 'state', query: StateWriteQuery, body: R.StateDocument, rawBody: true, ok: json(R.StateWritten), errors: { 409: { description: 'the lineage or serial does not follow the current state' }, 423: STATE_HOLDER } },
  { method: 'put', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: store a new state version (PUT form)', auth: 'state', query: StateWriteQuery, body: R.StateDocument, rawBody: true, ok: json(R.StateWritten), errors: { 409: { description: 'the lineage or serial does not follow the current state' }, 423: STATE_HOLDER } },
  { method: 'lock', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: take the state lock', auth: 'state', body: R.LockInfo, rawBody: true, ok: { 200: { description: 'locked' } }, errors: { 423: STATE_HOLDER } },
  { method: 'unlock', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: release the state lock (an empty body is force-unlock)', auth: 'state', body: R.LockInfo, rawBody: true, ok: { 200: { description: 'unlocked' } }, errors: { 409: STATE_HOLDER } },
  { method: 'delete', path: TFSTATE, tag: 'state backend', summary: 'Terraform http backend: delete the state (state admin)', auth: 'state', ok: noContent, errors: { 423: STATE_HOLDER } },

  { method: 'get', path: '/api/v1/runner-pools', tag: 'runners', summary: 'Runner pools of your tenant, and the shared ones', ok: list(RS.RunnerPoolResource) },
  { method: 'post', path: '/api/v1/runner-pools', tag: 'runners', summary: 'Create a runner pool (shared: platform admins only)', body: RS.CreateRunnerPoolInput, ok: created(RS.RunnerPoolResource) },
  { method: 'delete', path: '/api/v1/runner-pools/:id', tag: 'runners', summary: 'Delete a runner pool, its tokens and runners', ok: noContent },
  { method: 'post', path: '/api/v1/runner-pools/:id/tokens', tag: 'runners', summary: 'A runner token for the pool (shown once)', body: RS.CreateRunnerTokenInput, ok: created(RS.RunnerTokenCreated) },
  { method: 'get', path: '/api/v1/runner-pools/:id/runners', tag: 'runners', summary: 'Runners of the pool: name, version, last heartbeat, current run', ok: list(RS.RunnerResource) },
  { method: 'post', path: '/api/v1/runner/register', tag: 'runner protocol', summary: 'A runner registers with its pool (runner token)', auth: 'bearer', body: RS.RegisterRunnerInput, ok: created(z.object({ id: z.string(), pool_id: z.string(), heartbeat_ms: z.number().int() })) },
  { method: 'post', path: '/api/v1/runner/heartbeat', tag: 'runner protocol', summary: 'Liveness of the runner and its runs; answers the runs to cancel', auth: 'bearer', body: RS.RunnerHeartbeatInput, ok: json(z.object({ cancel: z.array(z.string()), heartbeat_ms: z.number().int() })) },
  { method: 'post', path: '/api/v1/runner/claim', tag: 'runner protocol', summary: 'Long poll (up to 25 s): the next job of the pool, or 204', auth: 'bearer', ok: { ...json(Job), ...noContent } },
  { method: 'get', path: '/api/v1/runner/jobs/:run', tag: 'runner protocol', summary: 'The job of a run this runner holds', auth: 'bearer', ok: json(Job) },
  { method: 'post', path: '/api/v1/runner/jobs/:run/logs', tag: 'runner protocol', summary: 'A chunk of the run output', auth: 'bearer', body: RS.RunnerLogInput, ok: noContent },
  { method: 'post', path: '/api/v1/runner/jobs/:run/checkout', tag: 'runner protocol', summary: 'The commit checked out and whether Atlantas holds the state', auth: 'bearer', body: CheckedOut, ok: noContent },
  { method: 'put', path: '/api/v1/runner/jobs/:run/plan', tag: 'runner protocol', summary: 'Upload the plan file (stored encrypted)', auth: 'bearer', body: z.string(), rawBody: true, ok: noContent },
  { method: 'post', path: '/api/v1/runner/jobs/:run/planned', tag: 'runner protocol', summary: 'The plan\'s result; answers whether to apply now', auth: 'bearer', body: PlannedResult, ok: json(AfterPlan) },
  { method: 'post', path: '/api/v1/runner/jobs/:run/details', tag: 'runner protocol', summary: 'Which resources the plan changes (show -json), when it ran after the answer', auth: 'bearer', body: PlanDetails, ok: noContent },
  { method: 'post', path: '/api/v1/runner/jobs/:run/result', tag: 'runner protocol', summary: 'How the job ended', auth: 'bearer', body: JobOutcome, ok: noContent },

  { method: 'get', path: '/api/v1/slack/installations', tag: 'slack', summary: 'Slack workspaces connected to your tenant', ok: list(SS.SlackInstallationResource) },
  { method: 'post', path: '/api/v1/slack/installations', tag: 'slack', summary: 'Connect a Slack workspace by its bot token (admin; the token is stored encrypted and never shown)', body: SS.CreateSlackInstallationInput, ok: created(SS.SlackInstallationResource), errors: conflict('the workspace is connected to another tenant') },
  { method: 'delete', path: '/api/v1/slack/installations/:teamId', tag: 'slack', summary: 'Disconnect a Slack workspace (admin); its user links go with it', ok: noContent },
  { method: 'post', path: '/api/v1/slack/install-links', tag: 'slack', summary: 'A 15-minute link that adds the app to a Slack workspace for your tenant via Slack\'s OAuth (admin)', ok: created(SS.SlackInstallLink), errors: { 503: { description: 'the OAuth install flow is not configured' } } },
  { method: 'post', path: '/api/v1/users/me/slack-link', tag: 'slack', summary: 'A one-time code (10 minutes) that links your Slack account: `/atlantas link <code>`', ok: created(SS.SlackLinkCode) },
  { method: 'get', path: '/api/v1/github/apps', tag: 'github', summary: 'GitHub App installations registered by your tenant (admin)', ok: list(GA.GitHubAppResource) },
  { method: 'post', path: '/api/v1/github/apps', tag: 'github', summary: 'Register an installation of your GitHub App (admin): GitHub must mint an installation token with this key; the key and webhook secret are stored encrypted and never shown', body: GA.CreateGitHubAppInput, ok: created(GA.GitHubAppResource), errors: conflict('the installation is registered already') },
  { method: 'delete', path: '/api/v1/github/apps/:id', tag: 'github', summary: 'Remove a GitHub App registration (admin); its repositories are no longer your tenant\'s', ok: noContent },
  { method: 'get', path: '/api/v1/github/apps/:id/repos', tag: 'github', summary: 'Repositories the installation reaches (asked of GitHub now)', ok: list(GA.GitHubRepoResource) },
  { method: 'get', path: '/api/v1/github/apps/:id/repos/:owner/:repo/branches', tag: 'github', summary: 'Branches of a repository the installation reaches', ok: list(GA.GitHubBranchResource) },
  { method: 'get', path: '/api/v1/github/apps/:id/repos/:owner/:repo/tree', tag: 'github', summary: 'The whole file tree at a ref (default: the repository\'s default branch)', query: GA.TreeQuery, ok: json(GA.GitHubTreeResource) },
  { method: 'get', path: '/api/v1/github/apps/:id/repos/:owner/:repo/terraform-workspaces', tag: 'github', summary: 'Root modules at a ref, found as autoplan finds them (atlantis.yaml projects, directories of .tf files)', query: GA.TreeQuery, ok: json(GA.TerraformWorkspacesResource) },
  { method: 'get', path: '/api/v1/cloud-credentials', tag: 'cloud-credentials', summary: 'Cloud credentials of your tenant: field names and fingerprints, never secrets', ok: list(CC.CloudCredentialResource) },
  { method: 'post', path: '/api/v1/cloud-credentials', tag: 'cloud-credentials', summary: 'Store a cloud credential, encrypted (admin)', body: CC.CreateCloudCredentialInput, ok: created(CC.CloudCredentialResource), errors: conflict('the name is taken') },
  { method: 'get', path: '/api/v1/cloud-credentials/:id', tag: 'cloud-credentials', summary: 'One cloud credential, without its secrets', ok: json(CC.CloudCredentialResource) },
  { method: 'patch', path: '/api/v1/cloud-credentials/:id', tag: 'cloud-credentials', summary: 'Rename a credential, or rotate it: new credentials_json replaces its secrets (admin)', body: CC.UpdateCloudCredentialInput, ok: json(CC.CloudCredentialResource), errors: conflict('the name is taken') },
  { method: 'delete', path: '/api/v1/cloud-credentials/:id', tag: 'cloud-credentials', summary: 'Delete a credential no project or environment uses (admin)', ok: noContent, errors: conflict('a project or environment still uses it') },
  { method: 'get', path: '/api/v1/billing', tag: 'billing', summary: 'Your tenant\'s bill, one record per month since it was created, newest first (admin)', ok: list(BillingRecordResource) },
  { method: 'get', path: '/api/v1/billing/current', tag: 'billing', summary: 'The month still running, as of now (admin)', ok: json(BillingCurrentResource) },
  { method: 'get', path: '/api/v1/billing/export', tag: 'billing', summary: 'The monthly records as CSV, a file download (admin)', ok: { 200: { description: 'CSV with a header row', type: 'text/csv', schema: z.string(), headers: z.object({ 'Content-Disposition': z.string().describe('attachment; filename="atlantas-billing-<tenant>-<YYYY-MM>.csv"') }) } } },
  { method: 'post', path: '/api/v1/cloud-credentials/:id/validate', tag: 'cloud-credentials', summary: 'Ask the provider\'s identity endpoint whether the credential works, and record the answer (admin)', ok: json(CC.CloudCredentialValidation), errors: { 503: { description: 'the provider could not be reached' } } },

  { method: 'get', path: '/api/v1/sso-providers', tag: 'sso', summary: 'SSO providers of your tenant (admin); secrets are never shown', ok: list(SSO.SsoProviderResource) },
  { method: 'post', path: '/api/v1/sso-providers', tag: 'sso', summary: 'Add an OIDC, Google, GitHub or SAML provider (admin; client_secret and sp_private_key are stored encrypted)', body: SSO.CreateSsoProviderInput, ok: created(SSO.SsoProviderResource), errors: conflict('a provider of that name exists') },
  { method: 'get', path: '/api/v1/sso-providers/:id', tag: 'sso', summary: 'One SSO provider (admin)', ok: json(SSO.SsoProviderResource) },
  { method: 'patch', path: '/api/v1/sso-providers/:id', tag: 'sso', summary: 'Change an SSO provider; a secret sent replaces the stored one (admin)', body: SSO.UpdateSsoProviderInput, ok: json(SSO.SsoProviderResource), errors: conflict('a provider of that name exists') },
  { method: 'delete', path: '/api/v1/sso-providers/:id', tag: 'sso', summary: 'Remove an SSO provider (admin)', ok: noContent },
  { method: 'post', path: '/api/v1/sso-providers/:id/test', tag: 'sso', summary: 'Fetch the discovery document, API root or IdP metadata and report what was found (admin)', ok: json(SSO.SsoTestResult), errors: { 400: { description: 'a URL of the provider is refused by the outbound guard' } } },
  { method: 'get', path: '/api/v1/auth/sso/:id/start', tag: 'sso', summary: 'Sign in: redirects the browser to the identity provider', auth: 'none', ok: { 302: { description: 'to the IdP (Location)' } }, errors: { 403: { description: 'the provider is disabled' } } },
  { method: 'get', path: '/api/v1/auth/sso/:id/callback', tag: 'sso', summary: 'OIDC / OAuth redirect back from the IdP: a session, as POST /auth/login gives', auth: 'none', query: z.object({ state: z.string().optional(), code: z.string().optional(), error: z.string().optional() }), ok: json(R.Session), errors: { 401: { description: 'unknown, used or expired state; a refused code or id_token' }, 403: { description: 'domain not allowed, or the address belongs to another tenant' } } },
  { method: 'post', path: '/api/v1/auth/sso/:id/acs', tag: 'sso', summary: 'SAML assertion consumer service (form POST with SAMLResponse): a session', auth: 'none', body: z.object({ SAMLResponse: z.string(), RelayState: z.string().optional() }), rawBody: true, bodyType: 'application/x-www-form-urlencoded', ok: json(R.Session), errors: { 401: { description: 'unsigned, tampered, expired, wrong audience, or not answering our request' }, 403: { description: 'domain not allowed, or the address belongs to another tenant' } } },
  { method: 'get', path: '/api/v1/auth/sso/:id/metadata', tag: 'sso', summary: 'SAML SP metadata (entity id, ACS URL) to give the IdP', auth: 'none', ok: { 200: { description: 'SAML metadata', type: 'application/samlmetadata+xml', schema: z.string() } } },

  { method: 'get', path: '/api/v1/openapi.json', tag: 'documents', summary: 'This document', auth: 'none', ok: json(z.record(z.string(), z.unknown()), 'OpenAPI 3.1') },
  { method: 'get', path: '/api/v1/docs', tag: 'documents', summary: 'Interactive API documentation (Swagger UI)', auth: 'none', ok: { 200: { description: 'HTML page', type: 'text/html', schema: z.string() } } },
  { method: 'get', path: '/api/v1/docs/:file', tag: 'documents', summary: 'Swagger UI\'s static files', auth: 'none', ok: { 200: { description: 'a script, style sheet or image', type: 'application/octet-stream', schema: z.string() } } },
];

/** What each path parameter means, by name. */
export const PATH_PARAMS: Record<string, string> = {
  id: 'the resource id', instanceId: 'an instance id', depId: 'a dependency id', versionId: 'a state version id, or its number',
  name: 'the state name', teamId: 'a Slack team id (T…)', run: 'a run id the runner holds', workspace: 'the terraform workspace', file: 'a file name of Swagger UI',
};
