import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiApp } from './api/app.js';
import type { Config } from './config.js';
import { createCore, type Core, type CoreInternals } from './core/index.js';
import { connectDb, type Database } from './core/db/connection.js';
import { migrate } from './core/db/migrate.js';
import { Encryptor } from './core/secrets/encryption.js';
import { loadOrCreateKeyFile } from './core/secrets/key-file.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { githubWebUrl } from './core/ports/repo-source.js';
import { loadServerRepoConfig } from './core/repo-policy/load-server-repo-config.js';
import type { GitHubVcsHost } from './bot/github/github-vcs-host.js';
import { connectGitHubHosts } from './bot/github/github-hosts.js';
import { createGitHubFrontEnd } from './bot/github/github-front-end.js';
import { createSlackFrontEnd } from './bot/slack/slack-front-end.js';
import { PromMetrics } from './api/metrics/prom-metrics.js';
import { mountedRoutes, type MountedRoute } from './api/openapi/mounted-routes.js';
import type { Metrics } from './core/ports/metrics.js';
import { probeSandbox, type SandboxStatus } from './core/terraform/sandbox-probe.js';
import type { Clock } from './core/clock.js';
import { createScheduler } from './scheduler/create-scheduler.js';
import type { Scheduler } from './scheduler/scheduler.js';

export interface StartOptions {
  log?: Logger;
  /** the environment git and terraform processes start from (filtered by an allowlist); default process.env */
  childEnv?: NodeJS.ProcessEnv;
  /** where a generated first-admin password is printed (once); default stderr */
  announce?: (text: string) => void;
  /** the clock agent schedules read (tests advance it); the system clock by default */
  agentClock?: Clock;
}

export interface RunningServer {
  url: string;
  port: number;
  core: Core;
  /** the owner's handles (database, worker, key): for the CLI and the test harness, never a front end */
  internals: CoreInternals;
  lifecycle: Lifecycle;
  log: Logger;
  /** graceful: stop accepting, finish in-flight requests (up to the shutdown timeout), close the db */
  close(): Promise<void>;
  /** resolves when every webhook received so far has been handled and settled PR results posted */
  githubIdle(): Promise<void>;
  /** resolves when every Slack request received so far is handled and no run card is being followed */
  slackIdle(): Promise<void>;
  /** every route the HTTP app answers (method and path template) */
  routes(): MountedRoute[];
  /** the cron agents' loop (tests tick it by hand) */
  scheduler: Scheduler;
}

/** Opens the database and the encryption key, migrates, and builds the core. */
export async function openCore(
  config: Config, log: Logger, childEnv: NodeJS.ProcessEnv = process.env, metrics?: Metrics,
  /** decided by probeSandbox in `atlantas server`; commands that run no terraform leave it unprobed (off) */
  sandbox: SandboxStatus = { mode: config.terraform.sandbox, profile: null, reason: 'not probed: this command runs no terraform' },
  extras: { agentClock?: Clock } = {},
): Promise<{ core: Core; internals: CoreInternals; db: Database; vcs: GitHubVcsHost; serverGitHub: boolean }> {
  // First: a bad ATLANTAS_REPO_CONFIG stops the start before anything opens.
  const serverRepoConfig = await loadServerRepoConfig({
    path: config.repoConfigPath, applyRequirements: config.github.applyRequirements, vcsHost: new URL(githubWebUrl(config.github)).hostname, log,
  });
  // Server-wide credentials (default tenant) and tenants' own Apps, routed per repository.
  const github = connectGitHubHosts(config.github, log);
  const vcs = github.vcs;
  const key = config.encryption.key ?? (config.database.url ? undefined : await loadOrCreateKeyFile(config.dataDir));
  if (!key) throw new Error('ATLANTAS_ENCRYPTION_KEY is required with DATABASE_URL');
  const encryptor = new Encryptor(key, config.encryption.previousKey);
  const db = await connectDb({ url: config.database.url, schema: config.database.schema, poolMax: config.database.poolMax, dataDir: config.dataDir, log });
  try {
    await migrate(db, log, { encryptor });
    const { core, internals } = createCore({
      db, log, encryptor, repos: github.server, vcs, githubAppApi: github.apps, metrics, agentClock: extras.agentClock,
      options: {
        jwtSecret: config.auth.jwtSecret, jwtTtlMs: config.auth.jwtTtlMs, refreshTtlMs: config.auth.refreshTtlMs,
        rateLimitPerMinute: config.auth.rateLimitPerMinute, loginRateLimitPerMinute: config.auth.loginRateLimitPerMinute,
        tokenMaxTtlMs: config.auth.tokenMaxTtlMs,
        approvalTtlMs: config.approvalTtlMs,
        notifications: { serverDefaultChannel: config.notifications.slackChannel, lockWarnAfterMs: config.notifications.lockWarnAfterMs, pollMs: config.notifications.pollMs },
        tfeNotifications: { smtp: config.notifications.smtp, timeoutMs: config.notifications.timeoutMs, publicUrl: config.publicUrl },
        planTtlMs: config.keptPlans.ttlMs,
        incidents: config.incidents,
        allowPrivateOutbound: config.allowPrivateWebhooks, agentSecondSchedules: config.scheduler.secondSchedules,
        cloudEndpoints: config.cloudEndpoints,
        billingPrices: config.billingPrices,
        ai: { llm: config.ai.llm, rcaWindowMs: config.ai.rcaWindowMs },
        runs: {
          terraformBinary: config.terraform.binary, parallelism: config.terraform.parallelism, cancelGraceMs: config.terraform.cancelGraceMs,
          runTimeoutMs: config.terraform.runTimeoutMs, runnerTimeoutMs: config.terraform.runnerTimeoutMs, queuePollMs: config.terraform.queuePollMs, pluginCache: config.terraform.pluginCache, dataDir: config.dataDir, repoAllowlist: config.repoAllowlist,
          autoplanFileList: config.github.autoplanFileList, childEnv, githubWebUrl: githubWebUrl(config.github),
          tfEnvPassthrough: config.terraform.envPassthrough,
          blockedExtraArgs: config.github.blockedExtraArgs,
          defaultTenantSlug: config.defaultTenant,
          pullRequests: { requireWrite: config.github.requireWritePermission, allowDraftPrs: config.github.allowDraftPrs },
          serverRepoConfig,
          sandbox,
        },
      },
    });
    github.routing.resolve = internals.githubAppCredentials;
    return { core, internals, db, vcs, serverGitHub: !!github.server };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** `atlantas server`: the composition root of every front end. */
export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const announce = options.announce ?? ((text: string) => process.stderr.write(text));
  const metrics = new PromMetrics();
  // Before anything opens: ATLANTAS_SANDBOX=bwrap without a working bwrap stops the start here.
  const sandbox = await probeSandbox(config.terraform.sandbox, options.childEnv ?? process.env, log);
  const { core, internals, db, vcs, serverGitHub } = await openCore(config, log, options.childEnv, metrics, sandbox, { agentClock: options.agentClock });
  const lifecycle = new Lifecycle();

  const boot = await core.tenants.bootstrap({ slug: config.defaultTenant, adminEmail: config.admin.email, adminPassword: config.admin.password });
  if (boot.generatedPassword) {
    announce(
      `\n  Atlantas created the first admin.\n    email:    ${boot.adminEmail}\n    password: ${boot.generatedPassword}\n` +
        '  It is shown this once; log in and change it, or set ATLANTAS_ADMIN_EMAIL/ATLANTAS_ADMIN_PASSWORD.\n\n',
    );
  }

  // Always on: tenants' registered GitHub Apps deliver to POST /events; the server-wide part needs credentials and a secret.
  const github = createGitHubFrontEnd(core, vcs, config, boot.tenant.id, log, { serverWide: serverGitHub && !!config.github.webhookSecret });
  if (!serverGitHub || !config.github.webhookSecret) {
    log.info('the default tenant\'s GitHub PR bot is off (set ATLANTAS_GH_TOKEN or App credentials, and ATLANTAS_GH_WEBHOOK_SECRET); tenants\' registered GitHub Apps still work');
  }
  const slack = createSlackFrontEnd(core, config, boot.tenant.id, log);
  if (!slack) log.info('Slack front end is off (set SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN for Socket Mode)');
  const app = createApiApp({ core, log, lifecycle, config, defaultTenantId: boot.tenant.id, githubRouter: github?.router, slackRouters: slack?.routers, metrics });
  const handler = app.callback();
  const server = http.createServer((req, res) => {
    if (lifecycle.shuttingDown) res.setHeader('Connection', 'close');
    return handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;
  // terraform processes of this replica reach the state backend over loopback
  internals.endpoint.stateBaseUrl = url;
  lifecycle.track(() => internals.worker.active());
  await internals.recover(); // runs a crash or kill interrupted end errored before new work starts
  // Often enough that a silent remote runner's run ends about ATLANTAS_RUNNER_TIMEOUT after its last heartbeat.
  const recoveryEveryMs = Math.max(500, Math.min(30_000, Math.floor(config.terraform.runnerTimeoutMs / 2)));
  const recovery = setInterval(() => internals.recover().catch((err) => log.error({ err }, 'run recovery failed')), recoveryEveryMs);
  await internals.notifier?.start();
  if (config.terraform.workers) internals.worker.start();
  if (slack) internals.notifications.register(slack.channel);
  if (github) internals.notifications.register(github.approvalComments);
  internals.notifications.start(); // delivers through the channels front ends register (none: nothing is kept)
  internals.housekeeping.start();
  github?.reporter.start();
  await slack?.start();
  const scheduler = createScheduler({ db, internals, clock: options.agentClock ?? internals.clock, tickMs: config.scheduler.tickMs, log });
  if (config.scheduler.enabled) scheduler.start();
  log.info({ port, mode: db.mode, sandbox: sandbox.profile ? 'bwrap' : 'off', workers: config.terraform.workers ? config.terraform.parallelism : 0 }, 'atlantas listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      lifecycle.shuttingDown = true;
      log.info('shutting down: no new runs, finishing in-flight runs and requests');
      clearInterval(recovery);
      // Agents first: they enqueue runs and read through core; their executions finish here.
      await scheduler.stop(config.http.shutdownTimeoutMs);
      // Runs first: their terraform still talks to this server's state backend while it finishes.
      await internals.worker.stop(config.http.shutdownTimeoutMs);
      await internals.notifier?.stop();
      await internals.housekeeping.stop();
      await internals.notifications.stop();
      await github?.bot.idle();
      await github?.reporter.stop();
      await slack?.stop();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections that finish their request after this point go idle: sweep them.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.http.shutdownTimeoutMs);
      await stopped;
      clearInterval(sweep);
      clearTimeout(timer);
      await core.cmdb.settled(); // CMDB syncs of the last state writes
      await db.close();
      log.info('shutdown complete');
    })());

  const githubIdle = async () => {
    await github?.bot.idle();
    await github?.reporter.tick();
  };
  const slackIdle = async () => {
    await slack?.idle();
  };
  return { url, port, core, internals, lifecycle, log, close, githubIdle, slackIdle, routes: () => mountedRoutes(app), scheduler };
}

