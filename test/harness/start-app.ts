import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { loadConfig, type Config } from '../../src/config.js';
import type { Actor, Role } from '../../src/core/actor.js';
import type { Clock } from '../../src/core/clock.js';
import type { Core, CoreInternals } from '../../src/core/index.js';
import { startServer, type RunningServer } from '../../src/main.js';
import { captureLogs, type CapturedLogs } from './capture-logs.js';
import { request, type HttpResponse, type RequestOptions } from './http.js';
import { createTestSchema, testDatabaseUrl, withClient } from './test-db.js';

export interface TestAppOptions {
  /** extra environment variables, as an operator would set them */
  env?: Record<string, string>;
  /** run on the embedded PGlite database instead of TEST_DATABASE_URL */
  embedded?: boolean;
  /** environment for the processes the server starts (git, terraform), e.g. git insteadOf redirects */
  childEnv?: Record<string, string>;
  /** reuse an existing schema / data dir and key (restart tests) */
  reuse?: { schema?: string; dataDir?: string; encryptionKey: string };
  /** the clock agent schedules read: tests advance it instead of waiting */
  agentClock?: Clock;
}

export interface TestApp {
  url: string;
  config: Config;
  core: Core;
  /** the owner's handles (database, key, worker), for assertions about what is stored */
  internals: CoreInternals;
  logs: CapturedLogs;
  admin: { email: string; password: string; token: string };
  /** what a restart needs to find the same data */
  reuse: { schema?: string; dataDir?: string; encryptionKey: string };
  req<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** a read straight from the app's database, for assertions about what is stored */
  sql<T = any>(query: string, replacements?: Record<string, unknown>): Promise<T[]>;
  factories: Factories;
  /** waits for the GitHub bot to finish the webhooks it received (and report settled results) */
  githubIdle(): Promise<void>;
  /** waits for the Slack front end to finish the requests it received and stop following run cards */
  slackIdle(): Promise<void>;
  /** stops the server; drops the schema / data dir unless keepData */
  close(options?: { keepData?: boolean }): Promise<void>;
  /** stops and starts again on the same data */
  restart(): Promise<TestApp>;
  /** every route the server's HTTP app answers */
  routes: RunningServer['routes'];
  /** the cron agents' loop: `tick()` by hand, `idle()` to wait for the executions it started */
  scheduler: RunningServer['scheduler'];
}

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'correct-horse-battery';

/** Boots main.ts's own assembly on port 0 against a fresh schema of the real PostgreSQL. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const encryptionKey = options.reuse?.encryptionKey ?? randomBytes(32).toString('base64');
  let schema = options.reuse?.schema;
  let dataDir = options.reuse?.dataDir;
  let dropSchema: (() => Promise<void>) | undefined;
  dataDir ??= await mkdtemp(path.join(os.tmpdir(), 'atlantas-data-'));
  if (!options.embedded && !schema) ({ schema, drop: dropSchema } = await createTestSchema());
  const dropData = async () => {
    if (dropSchema) await dropSchema();
    else if (schema && !options.embedded) await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const config = loadConfig({
    ATLANTAS_PORT: '0',
    ATLANTAS_HOST: '127.0.0.1',
    ATLANTAS_DATA_DIR: dataDir,
    ...(options.embedded ? {} : { DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema }),
    ATLANTAS_ENCRYPTION_KEY: encryptionKey,
    ATLANTAS_ADMIN_EMAIL: ADMIN_EMAIL,
    ATLANTAS_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ATLANTAS_DB_POOL_MAX: '5',
    ATLANTAS_SHUTDOWN_TIMEOUT: '5s',
    LOG_LEVEL: 'debug',
    // every fake SaaS of the tests listens on loopback; the outbound guard's own test turns this off
    ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: 'true',
    ...options.env,
  });
  const logs = captureLogs(config.logLevel);
  const server = await startServer(config, {
    log: logs.log, announce: () => {}, childEnv: { ...process.env, ...options.childEnv }, agentClock: options.agentClock,
  });
  const req = <T = any>(method: string, p: string, o?: RequestOptions) => request<T>(server.url, method, p, o);
  const login = await req('POST', '/api/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  if (login.status !== 200) throw new Error(`test app: admin login failed: ${login.status} ${login.text}`);
  const reuse = { schema, dataDir, encryptionKey };

  const app: TestApp = {
    url: server.url,
    config,
    core: server.core,
    internals: server.internals,
    logs,
    admin: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, token: login.body.access_token },
    reuse,
    req,
    sql: <T>(query: string, replacements?: Record<string, unknown>) => server.internals.db.sequelize.query(query, { type: QueryTypes.SELECT, replacements }) as Promise<T[]>,
    factories: makeFactories(server.core),
    githubIdle: () => server.githubIdle(),
    slackIdle: () => server.slackIdle(),
    routes: () => server.routes(),
    scheduler: server.scheduler,
    async close(closeOptions = {}) {
      await server.close();
      if (!closeOptions.keepData) await dropData();
    },
    async restart() {
      await server.close();
      return startTestApp({ ...options, reuse });
    },
  };
  return app;
}

export interface Factories {
  /** a user with `role` in a tenant (default: the default tenant) and a fresh API token */
  user(input?: { role?: Role; tenantId?: string; email?: string }): Promise<{ id: string; email: string; tenantId: string; token: string; actor: Actor }>;
  /** a new tenant with its own admin and the admin's API token */
  tenant(slug?: string): Promise<{ id: string; slug: string; adminToken: string; adminActor: Actor }>;
  defaultTenantId(): Promise<string>;
}

function makeFactories(core: Core): Factories {
  let seq = 0;
  const unique = () => `${Date.now().toString(36)}${(seq++).toString(36)}${randomBytes(2).toString('hex')}`;
  const defaultTenantId = async () => (await core.tenants.findBySlug('default'))!.id;
  const tokenFor = async (actor: Actor) => (await core.tokens.create(actor, { name: 'test' })).rawToken;
  const actorOf = (u: { id: string; tenantId: string; email: string; role: Role; isPlatformAdmin?: boolean }): Actor => ({
    kind: 'user', tenantId: u.tenantId, userId: u.id, role: u.role, name: u.email, via: 'api', isPlatformAdmin: !!u.isPlatformAdmin,
  });
  return {
    defaultTenantId,
    async user(input = {}) {
      const tenantId = input.tenantId ?? (await defaultTenantId());
      const user = await core.users.createUser(tenantId, { email: input.email ?? `user-${unique()}@example.com`, password: 'a-long-test-password', role: input.role ?? 'member' });
      const actor = actorOf(user);
      return { id: user.id, email: user.email, tenantId, token: await tokenFor(actor), actor };
    },
    async tenant(slug = `team-${unique()}`) {
      const platform = { ...actorOf({ id: '00000000-0000-0000-0000-000000000000', tenantId: await defaultTenantId(), email: 'platform', role: 'admin' }), kind: 'system' as const, isPlatformAdmin: true };
      const { tenant, admin } = await core.tenants.create(platform, { slug, admin_email: `admin-${unique()}@${slug}.example.com`, admin_password: 'a-long-test-password' });
      const adminActor = actorOf(admin);
      return { id: tenant.id, slug: tenant.slug, adminToken: await tokenFor(adminActor), adminActor };
    },
  };
}
