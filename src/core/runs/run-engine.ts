import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import { systemActors } from '../auth/system-actors.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { CommandService } from '../commands/command.service.js';
import { RegisteredProjects } from '../commands/registered-projects.js';
import { RepoPolicy } from '../commands/repo-policy.js';
import type { LockRepository } from '../locks/lock.repository.js';
import { LocksService } from '../locks/locks.service.js';
import { AnonymousGitHubSource, type RepoSource } from '../ports/repo-source.js';
import type { ProjectRepository } from '../projects/project.repository.js';
import type { ProjectsService } from '../projects/projects.service.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { StateService } from '../state/state.service.js';
import type { StateRepository } from '../state/state.repository.js';
import { passthroughEnv } from '../terraform/env-passthrough.js';
import { ProcessTerraformRunner } from '../terraform/process-terraform-runner.js';
import type { TerraformRunner } from '../terraform/terraform-runner.js';
import { WorkingCopies } from '../terraform/working-copy.js';
import { GitRefResolver } from './git-ref-resolver.js';
import { PlanFreshness, type StateSerials } from './plan-freshness.js';
import { PlanStore } from './plan-store.js';
import { PgRunNotifier } from './run-notify.js';
import { RunEvents } from './run-events.js';
import { RunExecutor, type ExecutorDeps } from './run-executor.js';
import { PendingAnswers } from './pending-answers.js';
import { RunsExecutingHere } from './runs-executing-here.js';
import { JobRunner } from './job-runner.js';
import { runnerHeartbeatMs } from '../runners/heartbeat-interval.js';
import { RunnerRepository } from '../runners/runner.repository.js';
import { RunnersService } from '../runners/runners.service.js';
import type { RunLogRepository } from './run-log.repository.js';
import { RunLogs } from './run-logs.js';
import type { RunPlanRepository } from './run-plan.repository.js';
import { recoverOrphans } from './run-recovery.js';
import type { RunRepository } from './run.repository.js';
import { RunWorker } from './run-worker.js';
import { RunsService, type RunApprovalHook, type RunChangeGate, type RunOutcomeHook } from './runs.service.js';
import type { VcsHost } from '../ports/vcs-host.js';
import type { Notifier } from '../notifications/notification.js';
import type { Metrics } from '../ports/metrics.js';
import { ServerStatsService } from '../server-stats/server-stats.service.js';
import type { ServerRepoConfig } from '../repo-policy/server-repo-config.js';
import type { PrBatchRepository } from '../pull-requests/pr-batch.repository.js';
import { PullRequestsService } from '../pull-requests/pull-requests.service.js';
import { WebhookDeliveries } from '../webhooks/webhook-deliveries.js';
import type { WebhookDeliveryRepository } from '../webhooks/webhook-delivery.repository.js';
import type { CommentClaimRepository } from '../pull-requests/comment-claim.repository.js';
import { PrReports } from '../pull-requests/pr-reports.js';
import { PrWorkflowService, type PrWorkflowOptions } from '../pull-requests/pr-workflow.service.js';
import type { TenantsService } from '../tenants/tenants.service.js';
import { DEFAULT_BLOCKED_EXTRA_ARGS } from './extra-args.js';
import type { SandboxStatus } from '../terraform/sandbox-probe.js';
import { SandboxGate } from './sandbox-gate.js';

export interface RunEngineOptions {
  terraformBinary: string;
  parallelism: number;
  cancelGraceMs: number;
  /** ATLANTAS_QUEUE_POLL_INTERVAL; default 1 s */
  queuePollMs?: number;
  runTimeoutMs: number;
  /** ATLANTAS_RUNNER_TIMEOUT: a remote runner silent this long has its runs errored */
  runnerTimeoutMs?: number;
  dataDir: string;
  repoAllowlist: string[];
  autoplanFileList: string[];
  /** the environment git and terraform start from (allowlisted by child-env.ts) */
  childEnv: NodeJS.ProcessEnv;
  /** ATLANTAS_TF_PLUGIN_CACHE: share providers through TF_PLUGIN_CACHE_DIR=<dataDir>/plugin-cache (an operator's own TF_PLUGIN_CACHE_DIR wins) */
  pluginCache?: boolean;
  /** GitHub web host for clone URLs and links when no GitHub credentials are configured */
  githubWebUrl: string;
  /** ATLANTAS_TF_ENV_PASSTHROUGH: names and PREFIX_* patterns of childEnv variables terraform gets (cloud credentials); none when unset */
  tfEnvPassthrough?: string[];
  /** ATLANTAS_BLOCKED_EXTRA_ARGS (Atlantis's default list when unset) */
  blockedExtraArgs?: string[];
  /** ATLANTAS_DEFAULT_TENANT: the tenant ATLANTAS_REPO_ALLOWLIST alone governs */
  defaultTenantSlug: string;
  /** how the pull-request workflow treats commenters and drafts */
  pullRequests: PrWorkflowOptions;
  /** ATLANTAS_REPO_CONFIG with ATLANTAS_APPLY_REQUIREMENTS folded in; apply it with effectiveRepoPolicy (core/repo-policy) */
  serverRepoConfig: ServerRepoConfig;
  /** ATLANTAS_SANDBOX and what the start-up probe found; unsandboxed (and gated) when absent */
  sandbox?: SandboxStatus;
}

/** The queries the engine's parts use; built in createCore. */
export interface RunEngineRepositories {
  runs: RunRepository;
  runLogs: RunLogRepository;
  runPlans: RunPlanRepository;
  locks: LockRepository;
  projects: ProjectRepository;
  prBatches: PrBatchRepository;
  commentClaims: CommentClaimRepository;
  webhookDeliveries: WebhookDeliveryRepository;
}

export interface RunEngineDeps {
  /** for transactions only: queries go through `repositories` */
  sequelize: Sequelize;
  repositories: RunEngineRepositories;
  encryptor: Encryptor;
  audit: AuditLog;
  auth: AuthService;
  projects: ProjectsService;
  state: StateService;
  /** a crashed run's state locks are freed through it */
  stateRepo: StateRepository;
  tenants: TenantsService;
  log: Logger;
  options: RunEngineOptions;
  repos?: RepoSource;
  /** the pull-request host (GitHub); without one the PR workflow is off */
  vcs?: VcsHost;
  terraform?: TerraformRunner;
  /** the external PostgreSQL's connection for LISTEN/NOTIFY; none in embedded mode (one replica per data dir) */
  notify?: { clientConfig: { connectionString: string; options?: string }; schema: string };
  metrics: Metrics;
  /** the approval gate, told when a human approves a run */
  approvals?: RunApprovalHook;
  /** the outbox core tells people through (run needs approval, applied, errored, plan expired) */
  notifier?: Notifier;
  /** whose GitHub App installations reach a repository (core/github-apps): decides who may run it */
  installations?: { reach(tenantId: string, repoFullName: string): Promise<'own' | 'other' | 'none'> };
  /** change windows of `requires_change` projects (core/itsm) */
  changeGate?: RunChangeGate;
  /** told of runs that end applied or errored (automatic incidents) */
  outcomes?: RunOutcomeHook;
  /** a run's cloud credential as env for its job (cloud-credentials/cloud-run-env.ts) */
  cloudEnv?: ExecutorDeps['cloudEnv'];
}

/** Assembles locks, runs, commands and this replica's worker pool. Nothing starts until `worker.start()`. */
export function createRunEngine(deps: RunEngineDeps) {
  const { sequelize, repositories: r, options, log } = deps;
  const repos = deps.repos ?? new AnonymousGitHubSource(options.githubWebUrl);
  const endpoint = { stateBaseUrl: '' };
  const events = new RunEvents();
  const notifier = deps.notify ? new PgRunNotifier(events, { ...deps.notify, log: log.child({ svc: 'run-notify' }) }) : undefined;
  const repo = r.runs;
  const executingHere = new RunsExecutingHere(events);
  const logs = new RunLogs({ repo: r.runLogs, events, encryptor: deps.encryptor });
  const plans = new PlanStore({ repo: r.runPlans, encryptor: deps.encryptor });
  const workingCopies = new WorkingCopies({ root: path.resolve(options.dataDir, 'repos'), log, baseEnv: options.childEnv });
  // Our own cache is split per tenant by the job runner; an operator's TF_PLUGIN_CACHE_DIR is theirs, used as it is.
  const pluginCache = options.pluginCache && !options.childEnv.TF_PLUGIN_CACHE_DIR ? path.resolve(options.dataDir, 'plugin-cache') : undefined;
  if (pluginCache) mkdirSync(pluginCache, { recursive: true, mode: 0o700 });
  const tfBaseEnv = options.childEnv;
  const sandbox = options.sandbox ?? { mode: 'auto', profile: null, reason: 'not probed' };
  const runner = deps.terraform ?? new ProcessTerraformRunner({ binary: options.terraformBinary, cancelGraceMs: options.cancelGraceMs, log, baseEnv: tfBaseEnv, sandbox: sandbox.profile });
  const sandboxGate = new SandboxGate({ status: sandbox, defaultTenantSlug: options.defaultTenantSlug, tenant: (id) => deps.tenants.require(id) });
  const states: StateSerials = {
    current: async (tenantId, name, workspace) => {
      const s = await deps.state.current(systemActors.runEngine(tenantId), name, workspace);
      return s && s.serial !== null ? { serial: Number(s.serial), lineage: s.lineage ?? '' } : null;
    },
  };
  const freshness = new PlanFreshness({ refs: new GitRefResolver({ repos, baseEnv: options.childEnv }), states });
  const locks = new LocksService({ sequelize, repo: r.locks, runs: repo, audit: deps.audit });
  const runs = new RunsService({ sequelize, repo, locks, logs, plans, events, freshness, sandbox: sandboxGate, audit: deps.audit, log: log.child({ svc: 'runs' }), metrics: deps.metrics, notifier: deps.notifier, approvals: deps.approvals, changeGate: deps.changeGate, outcomes: deps.outcomes });
  const repoPolicy = new RepoPolicy({ serverAllowlist: options.repoAllowlist, defaultTenantSlug: options.defaultTenantSlug, tenant: (id) => deps.tenants.require(id), installations: deps.installations });
  const answers = new PendingAnswers();
  const commands = new CommandService({
    runs, logs, answers, workingCopies, repos, policy: repoPolicy, registered: new RegisteredProjects({ projects: r.projects }),
    projects: deps.projects, autoplanFileList: options.autoplanFileList, blockedExtraArgs: options.blockedExtraArgs ?? DEFAULT_BLOCKED_EXTRA_ARGS,
    serverRepoConfig: options.serverRepoConfig,
    log: log.child({ svc: 'commands' }),
  });
  const jobs = new JobRunner({ workingCopies, terraform: runner, scratchDir: path.resolve(options.dataDir, 'runs'), serverUrl: () => endpoint.stateBaseUrl, pluginCacheRoot: pluginCache, log: log.child({ svc: 'jobs' }) });
  const executor = new RunExecutor({
    repo, runs, logs, plans, freshness, states, repos, jobs, answers, executingHere,
    runToken: (run, phase) => deps.auth.issueRunToken(run, phase, options.runTimeoutMs + 10 * 60_000),
    runTimeoutMs: options.runTimeoutMs, terraformEnv: passthroughEnv(options.childEnv, options.tfEnvPassthrough ?? []), cloudEnv: deps.cloudEnv, log: log.child({ svc: 'executor' }),
  });
  const runners = new RunnersService({
    repo: new RunnerRepository({ sequelize }), runs: repo, executor, logs, plans, events, audit: deps.audit, log: log.child({ svc: 'runners' }),
    heartbeatMs: runnerHeartbeatMs(options.runnerTimeoutMs ?? 60_000),
    sink: { repo, runs, plans, freshness, states, runToken: (run, phase) => deps.auth.issueRunToken(run, phase, options.runTimeoutMs + 10 * 60_000), log: log.child({ svc: 'executor' }) },
  });
  const worker = new RunWorker({ repo, execution: executor, events, log: log.child({ svc: 'worker' }), metrics: deps.metrics }, { parallelism: options.parallelism, pollMs: options.queuePollMs });
  const recover = () =>
    recoverOrphans({ repo, runs, log: log.child({ svc: 'recovery' }), workerId: worker.workerId, staleMs: 60_000, runnerStaleMs: options.runnerTimeoutMs ?? 60_000, terraformBinary: options.terraformBinary, releaseStateLocks: (runId) => deps.stateRepo.releaseLocksHeldBy(`run ${runId}`) });
  const prBatches = r.prBatches;
  const pullRequests = deps.vcs
    ? new PullRequestsService({
        commands, runs, runRepo: repo, locks, batches: prBatches, vcs: deps.vcs, workingCopies,
        log: log.child({ svc: 'pull-requests' }),
      })
    : undefined;
  const prWorkflow = pullRequests && deps.vcs
    ? new PrWorkflowService({
        pullRequests, policy: repoPolicy, claims: r.commentClaims, vcs: deps.vcs, runner, options: options.pullRequests,
        log: log.child({ svc: 'pr-workflow' }),
      })
    : undefined;
  const prReports = new PrReports({ batches: prBatches, runs });
  const webhookDeliveries = new WebhookDeliveries({ repo: r.webhookDeliveries, metrics: deps.metrics });
  const serverStats = new ServerStatsService({ runs: repo, runner });
  return { sandbox: sandboxGate, endpoint, events, executingHere, notifier, locks, runs, logs, runners, commands, worker, runner, workingCopies, plans, recover, repos, repoPolicy, prWorkflow, prReports, webhookDeliveries, serverStats };
}
