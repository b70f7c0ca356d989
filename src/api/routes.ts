import type Router from '@koa/router';
import type { Config } from '../config.js';
import { systemActors } from '../core/auth/system-actors.js';
import type { Core } from '../core/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { GITHUB_EVENTS_PATH } from '../bot/github/webhooks.router.js';
import { mcpRouter } from '../mcp/http.js';
import { SLACK_EVENTS_PATH } from '../bot/slack/koa-receiver.js';
import { metricsRouter } from './metrics/metrics.router.js';
import type { PromMetrics } from './metrics/prom-metrics.js';
import { openapiRouter } from './openapi/openapi.router.js';
import { approvalsRouter } from './routers/approvals.router.js';
import { atlantisRouter } from './routers/atlantis.router.js';
import { atlasaiAuthRouter } from './routers/atlasai-auth.router.js';
import { cmdbRouter } from './routers/cmdb.router.js';
import { itsmRouter } from './routers/itsm.router.js';
import { observabilityRouter } from './routers/observability.router.js';
import { agentsRouter } from './routers/agents.router.js';
import { authRouter } from './routers/auth.router.js';
import { environmentsRouter } from './routers/environments.router.js';
import { atlantisDriftRouter } from './routers/drift-atlantis.router.js';
import { driftRouter } from './routers/drift.router.js';
import { healthRouter } from './routers/health.router.js';
import { instancesRouter } from './routers/instances.router.js';
import { locksRouter } from './routers/locks.router.js';
import { notificationsRouter } from './routers/notifications.router.js';
import { projectsRouter } from './routers/projects.router.js';
import { runsRouter } from './routers/runs.router.js';
import { runnerPoolsRouter } from './routers/runner-pools.router.js';
import { RUNNER_PLAN_RAW_BODY, runnerRouter } from './routers/runner.router.js';
import { slackApiRouter } from './routers/slack.router.js';
import { statesRouter } from './routers/states.router.js';
import { tenantRouter } from './routers/tenant.router.js';
import { TFSTATE_RAW_BODY, tfstateRouter } from './routers/tfstate.router.js';
import { usersRouter } from './routers/users.router.js';
import { githubAppsRouter } from './routers/github-apps.router.js';
import { incidentsRouter } from './routers/incidents.router.js';
import { cloudCredentialsRouter } from './routers/cloud-credentials.router.js';
import { billingRouter } from './routers/billing.router.js';
import { SSO_ACS_PATH, ssoRouter } from './routers/sso.router.js';
import { aiRouter } from './routers/ai.router.js';
import { runbooksRouter } from './routers/runbooks.router.js';
import type { AppState } from './types.js';
import { TFE_RAW_BODY_PATHS, tfeRouters } from './tfe/index.js';

export interface RoutesDeps {
  core: Core;
  lifecycle: Lifecycle;
  config: Config;
  /** the tenant the Atlantis API and the PR bot act in */
  defaultTenantId: string;
  /** the GitHub webhook receiver, when the PR bot is on */
  githubRouter?: Router<AppState>;
  /** the Slack front end's routes (POST /slack/events, the OAuth install flow), when Slack is on */
  slackRouters?: Router<AppState>[];
  /** this server's Prometheus registry: HTTP figures are recorded into it, GET /metrics serves it */
  metrics: PromMetrics;
}

/** Paths whose bodies their router reads raw: the state backend (sizes, hashes) and signed webhooks. */
export const RAW_BODY_PATHS: readonly RegExp[] = [TFSTATE_RAW_BODY, GITHUB_EVENTS_PATH, SLACK_EVENTS_PATH, RUNNER_PLAN_RAW_BODY, ...TFE_RAW_BODY_PATHS, SSO_ACS_PATH];

/** Every route the server serves, in mounting order: the one list of what is reachable. */
export function routers({ core, lifecycle, config, defaultTenantId, githubRouter, slackRouters, metrics }: RoutesDeps): Router<AppState>[] {
  const atlantisActor = () => systemActors.atlantisApi(defaultTenantId);
  return [
    healthRouter({ health: core.health, lifecycle }),
    authRouter(core),
    usersRouter(core),
    tenantRouter(core),
    projectsRouter(core),
    environmentsRouter(core),
    driftRouter(core),
    instancesRouter(core),
    agentsRouter(core),
    tfstateRouter(core, { stateBodyLimit: config.http.stateBodyLimit, bodyLimit: config.http.bodyLimit }),
    statesRouter(core),
    runsRouter(core),
    approvalsRouter(core, { publicUrl: config.publicUrl }),
    notificationsRouter(core),
    runnerPoolsRouter(core),
    slackApiRouter(core, { oauth: !!config.slack.oauth, publicUrl: config.publicUrl }),
    runnerRouter(core, { planBodyLimit: config.http.stateBodyLimit }),
    githubAppsRouter(core),
    locksRouter(core, { actor: atlantisActor, requireToken: config.atlantisApi.locksRequireAuth, secret: config.atlantisApi.secret }),
    ...(githubRouter ? [githubRouter] : []),
    ...(slackRouters ?? []),
    atlantisRouter(core, { secret: config.atlantisApi.secret, waitMs: config.terraform.runTimeoutMs + 60_000, actor: async () => atlantisActor() }),
    atlantisDriftRouter(core, { secret: config.atlantisApi.secret, actor: atlantisActor }),
    atlasaiAuthRouter(core),
    cmdbRouter(core),
    itsmRouter(core),
    observabilityRouter(core),
    incidentsRouter(core),
    aiRouter(core),
    runbooksRouter(core),
    mcpRouter(core, { readOnly: config.mcp.readOnly, sessions: config.mcp.sessions, publicUrl: config.publicUrl }),
    openapiRouter(),
    ssoRouter(core, { publicUrl: config.publicUrl, formLimit: config.http.bodyLimit }),
    metricsRouter(metrics, { token: config.metrics.token, stats: () => core.serverStats.snapshot(systemActors.metricsScraper(defaultTenantId)) }),
    ...tfeRouters(core, { publicUrl: config.publicUrl, stateBodyLimit: config.http.stateBodyLimit, bodyLimit: config.http.bodyLimit }),
    cloudCredentialsRouter(core),
    billingRouter(core),
  ];
}
