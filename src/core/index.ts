import type { Logger } from '../logger.js';
import { ApprovalLedger } from './approvals/approval-ledger.js';
import { ApprovalRepository } from './approvals/approval.repository.js';
import { ApprovalsService } from './approvals/approvals.service.js';
import { AuditRepository } from './audit/audit.repository.js';
import { AuditLog } from './audit/audit.service.js';
import { ApiTokenRepository } from './auth/api-token.repository.js';
import { AuthService } from './auth/auth.service.js';
import { JwtCodec } from './auth/jwt.js';
import { LoginFailureRepository } from './auth/login-failure.repository.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { RunCredentialRepository } from './auth/run-credential.repository.js';
import { RunCredentials } from './auth/run-credentials.js';
import { SessionRepository } from './auth/session.repository.js';
import { TokensService } from './auth/tokens.service.js';
import { UserRepository } from './auth/user.repository.js';
import { UsersService } from './auth/users.service.js';
import { systemClock, type Clock } from './clock.js';
import { DashboardRepository } from './dashboard/dashboard.repository.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import type { Database } from './db/connection.js';
import { defineModels, type Models } from './db/models.js';
import { HealthService } from './health/health.service.js';
import { EnvironmentRepository } from './environments/environment.repository.js';
import { EnvironmentsService } from './environments/environments.service.js';
import { InstanceRepository } from './instances/instance.repository.js';
import { InstancesService } from './instances/instances.service.js';
import { LockRepository } from './locks/lock.repository.js';
import { ProjectDependencyRepository } from './projects/project-dependency.repository.js';
import { ProjectRepository } from './projects/project.repository.js';
import { ProjectsService } from './projects/projects.service.js';
import { CommentClaimRepository } from './pull-requests/comment-claim.repository.js';
import { PrBatchRepository } from './pull-requests/pr-batch.repository.js';
import type { Encryptor } from './secrets/encryption.js';
import { RotationRegistry } from './secrets/rotation.js';
import { StateService } from './state/state.service.js';
import { StateRepository } from './state/state.repository.js';
import { StateVersionRotation } from './state/state-rotation.js';
import { TenantRepository } from './tenants/tenant.repository.js';
import { TenantsService } from './tenants/tenants.service.js';
import { createRunEngine, type RunEngineOptions, type RunEngineRepositories } from './runs/run-engine.js';
import { RunLogRepository } from './runs/run-log.repository.js';
import { RunPlanRepository } from './runs/run-plan.repository.js';
import { RunRepository } from './runs/run.repository.js';
import { RunSealer } from './runs/run-sealing.js';
import { SlackCardRepository } from './slack/slack-card.repository.js';
import { SlackIdentityRepository } from './slack/slack-identity.repository.js';
import { SlackInstallationRepository } from './slack/slack-installation.repository.js';
import { SlackThreadRepository } from './slack/slack-thread.repository.js';
import { SlackService } from './slack/slack.service.js';
import { SlackTokenRotation } from './slack/slack-token-rotation.js';
import { WebhookDeliveryRepository } from './webhooks/webhook-delivery.repository.js';
import { RunFieldRotation, RunLogRotation } from './runs/run-output-rotation.js';
import type { RepoSource } from './ports/repo-source.js';
import type { VcsHost } from './ports/vcs-host.js';
import { noopMetrics, type Metrics } from './ports/metrics.js';
import { createAgents } from './agents/create-agents.js';
import { AgentRepository } from './agents/agent.repository.js';
import { UpgradeBotAgent } from './agents/upgrade-bot.agent.js';
import { ApplyBotAgent } from './agents/apply-bot.agent.js';
import { DriftMonitorAgent } from './agents/drift-monitor.agent.js';
import { CodebaseMonitorAgent } from './agents/codebase-monitor.agent.js';
import type { AgentsService } from './agents/agents.service.js';
import type { AgentDispatcher } from './agents/agent-dispatcher.js';
import type { AgentExecutor } from './agents/agent-executor.js';
import { LockWarnings } from './locks/lock-warnings.js';
import { NotificationDispatcher } from './notifications/notification-dispatcher.js';
import { NotificationSettingsRepository } from './notifications/notification-settings.repository.js';
import { NotificationsService } from './notifications/notifications.service.js';
import { OutboxNotifier } from './notifications/outbox-notifier.js';
import { OutboxRepository } from './notifications/outbox.repository.js';
import { Housekeeping } from './housekeeping.js';
import { DriftRecorder } from './drift/drift-recorder.js';
import { DriftRemediationService } from './drift/drift-remediation.service.js';
import { DriftRepository } from './drift/drift.repository.js';
import { DriftService } from './drift/drift.service.js';
import { RemediationRepository } from './drift/remediation.repository.js';
import { rotateInBatches } from './secrets/rotation.js';
import type { OutboundPolicy } from './outbound/outbound-guard.js';
import { AutomaticIncidents } from './incidents/automatic-incidents.js';
import { DEFAULT_SEVERITY_POLICY, type SeverityPolicy } from './incidents/incident-signals.js';
import { IncidentRepository } from './incidents/incident.repository.js';
import { IncidentsService } from './incidents/incidents.service.js';
import { CmdbItemRepository } from './cmdb/cmdb-item.repository.js';
import { CmdbService } from './cmdb/cmdb.service.js';
import { ItsmRepository } from './itsm/itsm.repository.js';
import { ItsmService } from './itsm/itsm.service.js';
import { ObservabilityRepository } from './observability/observability.repository.js';
import { ObservabilityService } from './observability/observability.service.js';
import { AnonymousGitHubSource } from './ports/repo-source.js';
import type { GitHubAppApi, InstallationCredentials } from './ports/github-apps.js';
import { GitHubAppRepository } from './github-apps/github-app.repository.js';
import { GitHubAppsService } from './github-apps/github-apps.service.js';
import { GitHubAppRotation } from './github-apps/github-app-rotation.js';
import { InstallationCredentialsStore } from './github-apps/installation-credentials.js';
import { TenantRepoSource } from './github-apps/tenant-repo-source.js';
import { composeRunEnv } from './runs/run-job.js';
import { createTfe, type TfeServices } from './tfe/create-tfe.js';
import { runnerHeartbeatMs } from './runners/heartbeat-interval.js';
import { createTfeNotifications, type TfeNotificationOptions } from './tfe/notifications/create-tfe-notifications.js';
import type { TfeNotificationsService } from './tfe/notifications/tfe-notifications.service.js';
import { CloudCredentialRepository } from './cloud-credentials/cloud-credential.repository.js';
import { CloudCredentialRotation } from './cloud-credentials/cloud-credential-rotation.js';
import { CloudCredentialsService } from './cloud-credentials/cloud-credentials.service.js';
import { CloudRunEnvironment } from './cloud-credentials/cloud-run-env.js';
import { BillingRepository } from './billing/billing.repository.js';
import { BillingService, DEFAULT_BILLING_PRICES, type BillingPrices } from './billing/billing.service.js';
import { DEFAULT_PROVIDER_ENDPOINTS, ProviderChecks, type ProviderEndpoints } from './cloud-credentials/provider-checks.js';
import { createSso, type Sso } from './sso/create-sso.js';
import { createAi, type AiOptions } from './rca/create-ai.js';
import type { RcaService } from './rca/rca.service.js';
import type { CopilotService } from './rca/copilot.service.js';
import type { RunbooksService } from './runbooks/runbooks.service.js';
import type { RunbookDrafter } from './runbooks/runbook-drafter.js';

export interface CoreOptions {
  jwtSecret?: string;
  jwtTtlMs: number;
  /** how long a refresh token can renew a session; default 7 days */
  refreshTtlMs?: number;
  rateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  /** ATLANTAS_TOKEN_MAX_TTL */
  tokenMaxTtlMs?: number;
  /** ATLANTAS_APPROVAL_TTL: how long an approval request waits for a human */
  approvalTtlMs?: number;
  runs: RunEngineOptions;
  notifications?: {
    /** ATLANTAS_SLACK_CHANNEL: the default tenant's last-resort channel */
    serverDefaultChannel?: string;
    /** ATLANTAS_LOCK_WARN_AFTER (default 24h) */
    lockWarnAfterMs?: number;
    /** the outbox's fallback poll (publishes wake it at once); default 15 s */
    pollMs?: number;
  };
  /** ATLANTAS_PLAN_TTL: a kept plan outside a pull request expires after this (default 24h) */
  planTtlMs?: number;
  /** ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: may tenant-chosen URLs reach loopback/private addresses (default no) */
  allowPrivateOutbound?: boolean;
  /** ATLANTAS_INCIDENT_REOPEN_WINDOW (default 24h), ATLANTAS_INCIDENT_SEVERITY (project criticality → severity) */
  incidents?: { reopenWindowMs?: number; severity?: SeverityPolicy };
  /** ATLANTAS_<PROVIDER>_ENDPOINT: where cloud credentials are validated (the providers' own by default) */
  cloudEndpoints?: Partial<ProviderEndpoints>;
  /** ATLANTAS_BILLING_PRICE_*, in cents */
  billingPrices?: BillingPrices;
  /** ATLANTAS_AGENT_SECOND_SCHEDULES: agent schedules may run more than once a minute (default no) */
  agentSecondSchedules?: boolean;
  /** ATLANTAS_LLM_* and ATLANTAS_RCA_WINDOW */
  ai?: AiOptions;
  /** ATLANTAS_SMTP_*, ATLANTAS_NOTIFICATION_TIMEOUT, ATLANTAS_URL for TFE notification configurations */
  tfeNotifications?: TfeNotificationOptions;
}

export interface CoreDeps {
  db: Database;
  log: Logger;
  encryptor: Encryptor;
  options: CoreOptions;
  clock?: Clock;
  /** where repositories come from (GitHub credentials); public GitHub when absent */
  repos?: RepoSource;
  /** the pull-request host; the PR workflow is available only with one */
  vcs?: VcsHost;
  /** where core reports runs, state writes and webhook deliveries (Prometheus in the server); none by default */
  metrics?: Metrics;
  /** the clock agent schedules and agents read; the core clock by default (tests advance their own) */
  agentClock?: Clock;
  /** GitHub as tenants' own Apps see it (installation tokens, browsing); without it those calls are unavailable */
  githubAppApi?: GitHubAppApi;
}

/**
 * What a front end sees: services, each public method taking the Actor it acts for. No database,
 * models, repositories, runner or key: a rule a front end cannot reach around lives in one of these.
 */
export interface Core {
  readonly auth: AuthService;
  readonly users: UsersService;
  readonly tokens: TokensService;
  readonly tenants: TenantsService;
  readonly instances: InstancesService;
  readonly environments: EnvironmentsService;
  readonly projects: ProjectsService;
  readonly dashboard: DashboardService;
  readonly audit: AuditLog;
  readonly state: StateService;
  readonly runs: RunEngine['runs'];
  readonly locks: RunEngine['locks'];
  /** runner pools and the remote runner protocol */
  readonly runners: RunEngine['runners'];
  readonly commands: RunEngine['commands'];
  /** the pull-request workflow; absent without a VCS host */
  readonly prWorkflow: RunEngine['prWorkflow'];
  readonly prReports: RunEngine['prReports'];
  readonly webhookDeliveries: RunEngine['webhookDeliveries'];
  readonly health: HealthService;
  /** Slack workspaces of tenants, Slack identities, where run cards are */
  readonly slack: SlackService;
  /** publish events (the Notifier port) and the tenant's default channel */
  readonly notifications: NotificationsService;
  /** server-wide figures (queue depth, terraform processes) for /metrics */
  readonly serverStats: RunEngine['serverStats'];
  /** drift checks and their records */
  readonly drift: DriftService;
  /** drift remediations (plan, or apply through the run engine's approval rules) */
  readonly driftRemediations: DriftRemediationService;
  /** cron agents (drift monitor, state watcher, upgrade bot …) and their executions */
  readonly agents: AgentsService;
  /** the approval gate: what automated actors asked for that needs a human */
  readonly approvals: ApprovalsService;
  /** what URLs a tenant chose may reach (outbound-guard.ts); services that call such URLs take it too */
  readonly outboundPolicy: OutboundPolicy;
  /** configuration items kept from state, their blast radius */
  readonly cmdb: CmdbService;
  /** change requests (which gate `requires_change` projects' applies) and service requests */
  readonly itsm: ItsmService;
  /** run output and the audit trail as logs, metric series and run traces computed from recorded facts */
  readonly observability: ObservabilityService;
  /** GitHub Apps tenants register; which tenant a webhook delivery acts in */
  readonly githubApps: GitHubAppsService;
  /** the TFE V2 API's workspaces, state versions and terraform login */
  /** the TFE V2 surface's services; `notifications`: TFE notification configurations */
  readonly tfe: TfeServices & { notifications: TfeNotificationsService };
  /** incidents: the AtlasAI state machine, dedup of signals (`open`, `resolveByDedupKey`), the timeline */
  readonly incidents: IncidentsService;
  /** the tenant's cloud credentials (secrets in, never out) */
  readonly cloudCredentials: CloudCredentialsService;
  /** the tenant's monthly bill, computed from states and applied runs */
  readonly billing: BillingService;
  /** tenant SSO: providers (admins) and the sign-in flows (public) */
  readonly ssoProviders: Sso['providers'];
  readonly sso: Sso['login'];
  /** root cause analysis of an incident (evidence, ranking, narrative) */
  readonly rca: RcaService;
  /** questions over runs, drift, incidents and state history */
  readonly copilot: CopilotService;
  /** runbooks: drafts, publishing, executions (steps through core as the caller) */
  readonly runbooks: RunbooksService;
  /** drafts a runbook from an incident or a description */
  readonly runbookDrafter: RunbookDrafter;
}

/**
 * What only the process that owns the core touches: start-up and shutdown (worker, recovery, the
 * state endpoint this replica serves), key rotation, and the test harness's direct reads.
 */
export interface CoreInternals {
  readonly db: Database;
  readonly models: Models;
  readonly encryptor: Encryptor;
  readonly clock: Clock;
  readonly rotation: RotationRegistry;
  readonly worker: RunEngine['worker'];
  readonly endpoint: RunEngine['endpoint'];
  readonly recover: RunEngine['recover'];
  /** LISTEN/NOTIFY between replicas (external PostgreSQL only): start before the worker, stop after it */
  readonly notifier: RunEngine['notifier'];
  /** what the leading replica's scheduler calls on each tick */
  readonly agentDispatcher: AgentDispatcher;
  /** agent executions running on this replica (tests wait for them; shutdown too) */
  readonly agentExecutor: AgentExecutor;
  /** the outbox's deliverer: `register(channel)` (a front end's NotificationChannel), start/stop, `drain(now)` */
  readonly notifications: NotificationDispatcher;
  /** kept-plan expiry and long-lock warnings: `start()`/`stop()`, or `tick(now)` with any clock */
  readonly housekeeping: Housekeeping;
  /** the registered installation that reaches a repository (its key opened): for the VCS host's routing only */
  readonly githubAppCredentials: (repoFullName: string) => Promise<InstallationCredentials | null>;
}

type RunEngine = ReturnType<typeof createRunEngine>;

const DAY_MS = 24 * 60 * 60_000;

/** The one hand-written composition root of the domain: front ends get `core`, the owner `internals`. */
export function createCore({ db, log, encryptor, options, clock = systemClock, repos, vcs, metrics = noopMetrics, agentClock = clock, githubAppApi }: CoreDeps): { core: Core; internals: CoreInternals } {
  const { sequelize } = db;
  const outboundPolicy: OutboundPolicy = { allowPrivate: options.allowPrivateOutbound ?? false };
  const models: Models = defineModels(sequelize);
  const audit = new AuditLog({ repo: new AuditRepository({ model: models.AuditEntry }) });
  const userRepo = new UserRepository(models.User);
  const tokenRepo = new ApiTokenRepository(models.ApiToken);
  const sessions = new SessionRepository(sequelize);
  const jwt = new JwtCodec(options.jwtSecret ?? encryptor.derive('jwt'));
  const auth = new AuthService({
    sequelize, users: userRepo, tokens: tokenRepo, sessions, loginFailures: new LoginFailureRepository(sequelize),
    // `engine` is assembled below; the lookup runs only at a request
    runCredentials: new RunCredentials({ jwt, repo: new RunCredentialRepository(sequelize), executingHere: (runId) => engine.executingHere.get(runId) }),
    jwt,
    jwtTtlMs: options.jwtTtlMs,
    refreshTtlMs: options.refreshTtlMs ?? 7 * 86_400_000,
    requestLimiter: new RateLimiter(options.rateLimitPerMinute),
    loginLimiter: new RateLimiter(options.loginRateLimitPerMinute),
    audit,
    clock,
    log: log.child({ svc: 'auth' }),
  });
  const users = new UsersService({ sequelize, users: userRepo, tokens: tokenRepo, sessions, audit, clock });
  const tokens = new TokensService({ sequelize, tokens: tokenRepo, audit, clock, maxTtlMs: options.tokenMaxTtlMs });
  const credentialRepo = new CloudCredentialRepository({ sequelize });
  const providerChecks = new ProviderChecks({ ...DEFAULT_PROVIDER_ENDPOINTS, ...options.cloudEndpoints });
  const cloudCredentials = new CloudCredentialsService({ sequelize, repo: credentialRepo, encryptor, checks: providerChecks, audit, clock });
  const cloudRunEnv = new CloudRunEnvironment({ repo: credentialRepo, service: cloudCredentials, checks: providerChecks });
  const instanceRepo = new InstanceRepository({ model: models.Instance });
  const environmentRepo = new EnvironmentRepository({ model: models.Environment });
  const projectRepo = new ProjectRepository({ model: models.Project });
  const tenants = new TenantsService({
    sequelize, repo: new TenantRepository({ sequelize, model: models.Tenant }), instances: instanceRepo, environments: environmentRepo,
    usersService: users, audit, log: log.child({ svc: 'tenants' }), defaultSlug: options.runs.defaultTenantSlug,
  });
  const instances = new InstancesService({ sequelize, repo: instanceRepo, tenants, audit });
  const environments = new EnvironmentsService({ sequelize, repo: environmentRepo, instances: instanceRepo, tenants, audit, credentials: cloudCredentials });
  const projects = new ProjectsService({
    sequelize, repo: projectRepo, dependencies: new ProjectDependencyRepository({ model: models.ProjectDependency }), instances: instanceRepo,
    environments: environmentRepo, audit, credentials: cloudCredentials,
  });
  const dashboard = new DashboardService({ repo: new DashboardRepository({ sequelize }) });
  const stateRepo = new StateRepository({ sequelize, states: models.State, versions: models.StateVersion });
  const state = new StateService({
    sequelize, repo: stateRepo,
    projects, encryptor, audit, log: log.child({ svc: 'state' }), metrics,
  });
  const rotation = new RotationRegistry();
  rotation.register(new StateVersionRotation({ sequelize, repo: stateRepo }));
  const cmdbRepo = new CmdbItemRepository({ sequelize, encryptor });
  const cmdb = new CmdbService({
    repo: cmdbRepo, dependencies: new ProjectDependencyRepository({ model: models.ProjectDependency }), audit, log: log.child({ svc: 'cmdb' }),
  });
  state.afterWrite((written) => cmdb.sync(written));
  rotation.register({ name: 'cmdb items', rotate: (enc, _log, o) => rotateInBatches(sequelize, o?.batchSize ?? 200, (t, limit) => cmdbRepo.resealBatch(enc, limit, t)) });
  rotation.register(new CloudCredentialRotation({ sequelize, repo: credentialRepo }));

  const outbox = new OutboxRepository({ sequelize });
  const notificationSettings = new NotificationSettingsRepository({ sequelize });
  const dispatcher = new NotificationDispatcher(
    { outbox, settings: notificationSettings, clock, log: log.child({ svc: 'notifications' }) },
    { serverDefaultChannel: options.notifications?.serverDefaultChannel ?? null, defaultTenantSlug: options.runs.defaultTenantSlug, pollMs: options.notifications?.pollMs },
  );
  const notifier = new OutboxNotifier({ outbox, dispatcher });
  const notifications = new NotificationsService({ notifier, settings: notificationSettings, outbox, audit });

  const repositories: RunEngineRepositories = {
    runs: new RunRepository({ sequelize, model: models.Run, sealer: new RunSealer(encryptor) }),
    runLogs: new RunLogRepository({ sequelize }),
    runPlans: new RunPlanRepository({ sequelize }),
    locks: new LockRepository({ sequelize, model: models.ProjectLock }),
    projects: projectRepo,
    prBatches: new PrBatchRepository({ sequelize }),
    commentClaims: new CommentClaimRepository({ sequelize }),
    webhookDeliveries: new WebhookDeliveryRepository({ sequelize }),
  };
  const githubAppRepo = new GitHubAppRepository({ sequelize });
  const githubCredentials = new InstallationCredentialsStore({ repo: githubAppRepo, encryptor, api: githubAppApi });
  const githubApps = new GitHubAppsService({
    sequelize, repo: githubAppRepo, api: githubAppApi, encryptor, credentials: githubCredentials, audit, clock,
    serverRepoConfig: options.runs.serverRepoConfig, log: log.child({ svc: 'github-apps' }),
  });
  rotation.register(new GitHubAppRotation({ sequelize, repo: githubAppRepo }));
  const isDefaultTenant = (tenantId: string) => tenants.isDefault(tenantId);
  const tenantRepos = new TenantRepoSource({ server: repos ?? new AnonymousGitHubSource(options.runs.githubWebUrl), apps: githubCredentials, isDefaultTenant });
  const approvalRepo = new ApprovalRepository({ sequelize });
  const ledger = new ApprovalLedger({ sequelize, repo: approvalRepo, audit, notifier, clock, ttlMs: options.approvalTtlMs ?? 3_600_000, projects });
  const itsm = new ItsmService({ sequelize, repo: new ItsmRepository({ sequelize }), projects: projectRepo, audit, clock });
  const engine = createRunEngine({ approvals: ledger, changeGate: itsm, sequelize, repositories, encryptor, audit, auth, projects, state, stateRepo, tenants, log, options: options.runs, repos: tenantRepos, installations: githubApps, vcs, metrics,
    notify: db.mode === 'external' ? { clientConfig: db.clientConfig, schema: db.schema } : undefined, notifier,
    // `automaticIncidents` is assembled below; the hook runs only when a run ends
    outcomes: {
      runFinished: async (run, status, t) => {
        await automaticIncidents.runFinished(run, status, t);
        await tfe.runs.runFinished(run, status, t); // run triggers (assembled below)
      },
    },
    // The server's own passthrough env (its AWS_* and so on) is the default tenant's only, other tenants bring their
    // own credentials; on top of it the workspace's TFE variables, then the cloud credential.
    cloudEnv: composeRunEnv(async (run, base) => ({ env: (await isDefaultTenant(run.tenantId)) ? base : {}, secrets: [] }),
      (run, base) => tfe.runVariables.forRun(run, base), (run, base) => cloudRunEnv.forRun(run, base)) });
  // Other replicas' dispatchers wake on this replica's publishes (their own publishes wake them directly).
  notifier.announce = () => engine.events.emit({ type: 'notification' });
  engine.events.onNotification(() => dispatcher.wake());
  const housekeeping = new Housekeeping({
    runs: engine.runs, lockWarnings: new LockWarnings({ repo: repositories.locks, notifier, warnAfterMs: options.notifications?.lockWarnAfterMs ?? DAY_MS }),
    planTtlMs: options.planTtlMs ?? DAY_MS, clock, log: log.child({ svc: 'housekeeping' }),
  });
  rotation.register({ name: 'run plans', rotate: () => engine.plans.rotate() });
  rotation.register(new RunLogRotation({ sequelize, repo: repositories.runLogs }));
  rotation.register(new RunFieldRotation({ sequelize, repo: repositories.runs }));
  const slackInstallations = new SlackInstallationRepository({ sequelize });
  const slack = new SlackService({
    sequelize, installations: slackInstallations, identity: new SlackIdentityRepository({ sequelize }), cards: new SlackCardRepository({ sequelize }),
    threads: new SlackThreadRepository({ sequelize }), encryptor, audit, clock, notificationSettings,
  });
  rotation.register(new SlackTokenRotation({ sequelize, repo: slackInstallations }));

  const incidents = new IncidentsService({
    sequelize, repo: new IncidentRepository({ sequelize }), audit, notifier, clock, log: log.child({ svc: 'incidents' }),
    reopenWindowMs: options.incidents?.reopenWindowMs ?? DAY_MS,
  });
  const automaticIncidents = new AutomaticIncidents({
    sequelize, incidents, projects: projectRepo, policy: options.incidents?.severity ?? DEFAULT_SEVERITY_POLICY, log: log.child({ svc: 'incidents' }),
  });

  const driftRepo = new DriftRepository({ sequelize, encryptor });
  const driftWaitMs = options.runs.runTimeoutMs + 60_000;
  const drift = new DriftService({
    sequelize, repo: driftRepo, recorder: new DriftRecorder({ sequelize, repo: driftRepo, notifier, clock }),
    commands: engine.commands, runs: engine.runs, projects, environments, instances, audit, clock, waitMs: driftWaitMs, log: log.child({ svc: 'drift' }),
  });
  const driftRemediations = new DriftRemediationService({
    commands: engine.commands, runs: engine.runs, drift: driftRepo, repo: new RemediationRepository({ sequelize }), audit, clock, waitMs: driftWaitMs,
  });
  rotation.register({ name: 'drift details', rotate: (enc, _log, o) => rotateInBatches(sequelize, o?.batchSize ?? 200, (t, limit) => driftRepo.resealBatch(enc, limit, t)) });
  const approvals = new ApprovalsService({
    sequelize, repo: approvalRepo, ledger, runs: engine.runs, locks: engine.locks, projects, audit, clock, log: log.child({ svc: 'approvals' }),
  });
  const agents = createAgents({
    sequelize, repo: new AgentRepository({ sequelize, model: models.Agent }), audit, notifier, clock: agentClock, log, projects, projectRepo, environmentRepo, instanceRepo,
    locks: engine.locks, state, runsByIds: (actor, ids) => engine.runs.byIds(actor, ids), outbound: outboundPolicy,
    secondSchedules: options.agentSecondSchedules ?? false,
    behaviours: {
      // the upgrade bot opens PRs with the server-wide credentials (`repos` is set only with them)
      upgrade_bot: vcs && repos ? new UpgradeBotAgent({ projects, vcs, repos: engine.repos, workingCopies: engine.workingCopies, outbound: outboundPolicy }) : undefined,
      codebase_monitor: new CodebaseMonitorAgent({ projects, repos: engine.repos, workingCopies: engine.workingCopies }),
      apply_bot: new ApplyBotAgent({ gate: approvals, runs: engine.runs, projects }),
      drift_monitor: new DriftMonitorAgent({ drift, remediations: driftRemediations, incidents: automaticIncidents }),
    },
  });

  const sso = createSso({ sequelize, encryptor, audit, auth, users: userRepo, usersService: users, clock, policy: outboundPolicy });
  rotation.register(sso.rotation);
  const ai = createAi({
    sequelize, runs: repositories.runs, runReader: engine.runs, drift: driftRepo, incidents, projects, commands: engine.commands, locks: engine.locks, approvals,
    agents: agents.service, notifier, audit, clock, log, options: options.ai,
  });

  const tfe = createTfe({
    sequelize, tenants, projects, state, drift, auth, tokens, audit, clock, encryptor, rotation, log,
    runners: engine.runners, runnerHeartbeatMs: runnerHeartbeatMs(options.runs.runnerTimeoutMs ?? 60_000),
    runs: engine.runs, runRepo: repositories.runs, logs: engine.logs, events: engine.events, approvals,
  });
  rotation.register(tfe.listenerCa);
  const tfeNotifications = createTfeNotifications({
    sequelize, encryptor, workspaces: tfe.workspaces, tenants, audit, clock, log, outbox, policy: outboundPolicy, options: options.tfeNotifications,
    runsByIds: (ids) => repositories.runs.findByIds(ids),
    wake: () => {
      dispatcher.wake();
      notifier.announce();
    },
  });
  dispatcher.register(tfeNotifications.channel);
  engine.events.onStatus((e) => tfeNotifications.triggers.onRunStatus(e.runId, e.status));
  notifier.observe = (event) => tfeNotifications.triggers.onEvent(event);
  rotation.register(tfeNotifications.rotation);

  const core: Core = {
    auth, users, tokens, tenants, instances, environments, projects, dashboard, audit, state,
    runs: engine.runs, locks: engine.locks, runners: engine.runners, commands: engine.commands,
    prWorkflow: engine.prWorkflow, prReports: engine.prReports, webhookDeliveries: engine.webhookDeliveries,
    health: new HealthService({ db, sandbox: engine.sandbox }), serverStats: engine.serverStats, slack, notifications, agents: agents.service, drift, driftRemediations,
    approvals, outboundPolicy, cmdb, itsm, githubApps, observability: new ObservabilityService({ repo: new ObservabilityRepository({ sequelize }), encryptor }),
    tfe: { ...tfe, notifications: tfeNotifications.service },
    incidents, cloudCredentials,
    billing: new BillingService({ repo: new BillingRepository({ sequelize }), encryptor, tenants, clock, prices: options.billingPrices ?? DEFAULT_BILLING_PRICES }),
    ssoProviders: sso.providers, sso: sso.login,
    ...ai,
  };
  const internals: CoreInternals = {
    db, models, encryptor, clock, rotation, worker: engine.worker, endpoint: engine.endpoint, recover: engine.recover, notifier: engine.notifier,
    notifications: dispatcher, housekeeping, agentDispatcher: agents.dispatcher, agentExecutor: agents.executor,
    githubAppCredentials: (repoFullName) => githubCredentials.reaching(repoFullName),
  };
  return { core, internals };
}
