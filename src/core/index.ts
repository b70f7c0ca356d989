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

export type Core = ReturnType<typeof createCore>;

/** The one hand-written composition root of the domain. Every front end receives this object. */
export function createCore({ db, log, encryptor, options, clock = systemClock, repos, vcs, metrics = noopMetrics }: CoreDeps) {
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

  return { ...engine, db, models, encryptor, clock, log, audit, auth, users, tokens, tenants, instances, environments, projects, dashboard, state, rotation };
}
