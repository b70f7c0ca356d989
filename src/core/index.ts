import type { Logger } from '../logger.js';
import { AuditLog } from './audit/audit.service.js';
import { AuthService } from './auth/auth.service.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { TokensService } from './auth/tokens.service.js';
import { UsersService } from './auth/users.service.js';
import { systemClock, type Clock } from './clock.js';
import { DashboardService } from './dashboard/dashboard.service.js';
import type { Database } from './db/connection.js';
import { defineModels, type Models } from './db/models.js';
import { HealthService } from './health/health.service.js';
import { EnvironmentsService } from './environments/environments.service.js';
import { InstancesService } from './instances/instances.service.js';
import { ProjectsService } from './projects/projects.service.js';
import type { Encryptor } from './secrets/encryption.js';
import { RotationRegistry } from './secrets/rotation.js';
import { StateService } from './state/state.service.js';
import { StateRepository } from './state/state.repository.js';
import { StateVersionRotation } from './state/state-rotation.js';
import { TenantsService } from './tenants/tenants.service.js';
import { createRunEngine, type RunEngineOptions } from './runs/run-engine.js';
import { RunFieldRotation, RunLogRotation } from './runs/run-output-rotation.js';
import type { RepoSource } from './ports/repo-source.js';
import type { VcsHost } from './ports/vcs-host.js';
import { noopMetrics, type Metrics } from './ports/metrics.js';

export interface CoreOptions {
  jwtSecret?: string;
  jwtTtlMs: number;
  rateLimitPerMinute: number;
  loginRateLimitPerMinute: number;
  runs: RunEngineOptions;
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
  readonly commands: RunEngine['commands'];
  /** the pull-request workflow; absent without a VCS host */
  readonly prWorkflow: RunEngine['prWorkflow'];
  readonly prReports: RunEngine['prReports'];
  readonly webhookDeliveries: RunEngine['webhookDeliveries'];
  readonly health: HealthService;
  /** server-wide figures (queue depth, terraform processes) for /metrics */
  readonly serverStats: RunEngine['serverStats'];
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
}

type RunEngine = ReturnType<typeof createRunEngine>;

/** The one hand-written composition root of the domain: front ends get `core`, the owner `internals`. */
export function createCore({ db, log, encryptor, options, clock = systemClock, repos, vcs, metrics = noopMetrics }: CoreDeps): { core: Core; internals: CoreInternals } {
  const { sequelize } = db;
  const models: Models = defineModels(sequelize);
  const audit = new AuditLog({ model: models.AuditEntry });
  const auth = new AuthService({
    users: models.User,
    tokens: models.ApiToken,
    jwtSecret: options.jwtSecret ?? encryptor.derive('jwt'),
    jwtTtlMs: options.jwtTtlMs,
    requestLimiter: new RateLimiter(options.rateLimitPerMinute),
    loginLimiter: new RateLimiter(options.loginRateLimitPerMinute),
    clock,
    log: log.child({ svc: 'auth' }),
  });
  const users = new UsersService({ sequelize, users: models.User, tokens: models.ApiToken, audit });
  const tokens = new TokensService({ sequelize, tokens: models.ApiToken, audit, clock });
  const tenants = new TenantsService({
    sequelize, tenants: models.Tenant, users: models.User, instances: models.Instance, environments: models.Environment,
    usersService: users, audit, log: log.child({ svc: 'tenants' }),
  });
  const instances = new InstancesService({ sequelize, model: models.Instance, tenants, audit });
  const environments = new EnvironmentsService({ sequelize, model: models.Environment, instances: models.Instance, tenants, audit });
  const projects = new ProjectsService({
    sequelize, projects: models.Project, dependencies: models.ProjectDependency, instances: models.Instance,
    environments: models.Environment, audit,
  });
  const dashboard = new DashboardService({ sequelize });
  const stateRepo = new StateRepository({ sequelize, states: models.State, versions: models.StateVersion });
  const state = new StateService({
    sequelize, repo: stateRepo,
    projects, encryptor, audit, log: log.child({ svc: 'state' }), metrics,
  });
  const rotation = new RotationRegistry();
  rotation.register(new StateVersionRotation({ sequelize, versions: models.StateVersion }));

  const engine = createRunEngine({ sequelize, models, encryptor, audit, auth, projects, state, stateRepo, tenants, log, options: options.runs, repos, vcs, metrics });
  rotation.register({ name: 'run plans', rotate: () => engine.plans.rotate() });
  rotation.register(new RunLogRotation({ sequelize }));
  rotation.register(new RunFieldRotation({ sequelize }));

  const core: Core = {
    auth, users, tokens, tenants, instances, environments, projects, dashboard, audit, state,
    runs: engine.runs, locks: engine.locks, commands: engine.commands,
    prWorkflow: engine.prWorkflow, prReports: engine.prReports, webhookDeliveries: engine.webhookDeliveries,
    health: new HealthService({ db }), serverStats: engine.serverStats,
  };
  const internals: CoreInternals = {
    db, models, encryptor, clock, rotation, worker: engine.worker, endpoint: engine.endpoint, recover: engine.recover,
  };
  return { core, internals };
}
