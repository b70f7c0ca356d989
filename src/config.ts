import { z } from 'zod';
import { parseCidr } from './api/trusted-proxies.js';
import { ConfigError } from './core/errors.js';
import { DEFAULT_TF_ENV_PASSTHROUGH, passthroughProblem } from './core/terraform/env-passthrough.js';
import { REQUIREMENTS, type Requirement } from './core/terraform/repo-config.js';
import { parseSeverityPolicy, type SeverityPolicy } from './core/incidents/incident-signals.js';

/**
 * Every environment variable Atlantas reads, validated once at start. Nothing else reads
 * process.env. README.md documents each variable and its default.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const byteSize = z
  .string()
  .regex(/^\d+(b|kb|mb|gb)?$/i, 'expected a size such as 1mb, 512kb or 1048576')
  .transform(parseByteSize);
const base64Key = z
  .string()
  .refine((v) => Buffer.from(v, 'base64').length === 32, 'expected 32 bytes, base64-encoded (openssl rand -base64 32)');
const requirements = csv.refine(
  (list) => list.every((r) => (REQUIREMENTS as readonly string[]).includes(r)),
  `expected a comma-separated list of ${REQUIREMENTS.join(', ')}`,
).transform((list) => [...new Set(list)] as Requirement[]);
const duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as 30s, 15m, 12h or 7d')
  .transform(parseDuration);

/** An operator-set base URL of a cloud provider's identity endpoint (tests: a loopback fake). */
const endpoint = (what: string) => z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, `expected the base URL of ${what}`).optional();
/** A price in cents (billing). */
const cents = z.string().regex(/^\d{1,9}$/, 'expected a whole number of cents, such as 50').transform(Number);

const cidrs = csv.superRefine((list, ctx) => {
  for (const cidr of list) {
    const parsed = parseCidr(cidr);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `${parsed}; expected comma-separated CIDRs such as 10.0.0.0/8,2001:db8::/32` });
  }
});

const Env = z.object({
  ATLANTAS_PORT: z.coerce.number().int().min(0).max(65535).default(4141),
  ATLANTAS_HOST: z.string().min(1).default('0.0.0.0'),
  ATLANTAS_URL: z.string().url('expected an absolute URL such as https://atlantas.example.com').optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// connection URL')
    .optional(),
  ATLANTAS_DB_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').optional(),
  ATLANTAS_DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  ATLANTAS_DATA_DIR: z.string().min(1).default('./.atlantas'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  ATLANTAS_ADMIN_EMAIL: z.string().email('expected an email address').optional(),
  ATLANTAS_ADMIN_PASSWORD: z.string().min(12, 'expected at least 12 characters').optional(),
  ATLANTAS_JWT_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  ATLANTAS_JWT_TTL: duration.prefault('12h'),
  ATLANTAS_JWT_REFRESH_TTL: duration.prefault('7d'),
  ATLANTAS_ENCRYPTION_KEY: base64Key.optional(),
  ATLANTAS_ENCRYPTION_KEY_PREVIOUS: base64Key.optional(),
  ATLANTAS_API_SECRET: z.string().min(1).optional(),
  ATLANTAS_LOCKS_REQUIRE_AUTH: bool.prefault('false'),
  ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: bool.prefault('false'),
  ATLANTAS_METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters (openssl rand -hex 32)').optional(),
  ATLANTAS_BODY_LIMIT: byteSize.prefault('1mb'),
  ATLANTAS_STATE_BODY_LIMIT: byteSize.prefault('64mb'),
  ATLANTAS_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  ATLANTAS_LOGIN_RATE_LIMIT: z.coerce.number().int().min(0).default(10),
  ATLANTAS_TRUSTED_PROXIES: cidrs.prefault(''),
  ATLANTAS_TOKEN_MAX_TTL: duration.refine((ms) => ms >= 60_000, 'expected at least 1m, e.g. 90d').optional(),
  ATLANTAS_SHUTDOWN_TIMEOUT: duration.prefault('30s'),
  ATLANTAS_TF_BINARY: z.string().min(1).default('terraform'),
  ATLANTAS_PARALLELISM: z.coerce.number().int().min(1).max(256).default(4),
  ATLANTAS_RUN_TIMEOUT: duration.prefault('1h'),
  ATLANTAS_CANCEL_GRACE: duration.prefault('10s'),
  ATLANTAS_WORKERS: bool.prefault('true'),
  ATLANTAS_RUNNER_TIMEOUT: duration.refine((ms) => ms >= 1000, 'expected at least 1s').prefault('60s'),
  ATLANTAS_TOKEN: z.string().regex(/^atl_.{20,}$/, 'expected an API token (atl_…) with scope mcp:read or mcp:write, from POST /api/v1/users/tokens').optional(),
  ATLANTAS_MCP_READ_ONLY: bool.prefault('false'),
  ATLANTAS_MCP_SESSIONS: bool.prefault('true'),
  ATLANTAS_APPROVAL_TTL: duration.refine((ms) => ms >= 60_000, 'expected at least 1m, e.g. 1h').prefault('1h'),
  ATLANTAS_RUNNER_TOKEN: z.string().regex(/^atr_.{20,}$/, 'expected a runner token (atr_…) from POST /api/v1/runner-pools/{id}/tokens').optional(),
  ATLANTAS_TF_PLUGIN_CACHE: bool.prefault('true'),
  ATLANTAS_QUEUE_POLL_INTERVAL: duration.refine((ms) => ms >= 10, 'expected at least 10ms, e.g. 1s').prefault('1s'),
  ATLANTAS_SANDBOX: z.enum(['auto', 'bwrap', 'off'], { message: 'expected auto, bwrap or off' }).default('auto'),
  ATLANTAS_TF_ENV_PASSTHROUGH: csv.prefault(DEFAULT_TF_ENV_PASSTHROUGH.join(',')),
  ATLANTAS_REPO_ALLOWLIST: csv.prefault(''),
  ATLANTAS_GH_TOKEN: z.string().min(1).optional(),
  ATLANTAS_GH_APP_ID: z.string().regex(/^\d+$/, 'expected the numeric GitHub App id').optional(),
  ATLANTAS_GH_APP_KEY: z.string().min(1).optional(),
  ATLANTAS_GH_APP_KEY_FILE: z.string().min(1).optional(),
  ATLANTAS_GH_INSTALLATION_ID: z.string().regex(/^\d+$/, 'expected a numeric installation id').optional(),
  ATLANTAS_GH_WEBHOOK_SECRET: z.string().min(1).optional(),
  ATLANTAS_WEBHOOK_BODY_LIMIT: byteSize.prefault('25mb'),
  ATLANTAS_GH_API_URL: z.string().url().default('https://api.github.com'),
  ATLANTAS_GH_WEB_URL: z.string().url().optional(),
  ATLANTAS_GH_USER: z.string().min(1).optional(),
  ATLANTAS_GH_REQUIRE_WRITE: bool.prefault('true'),
  ATLANTAS_GH_ALLOW_DRAFT_PRS: bool.prefault('false'),
  ATLANTAS_APPLY_REQUIREMENTS: requirements.prefault(''),
  ATLANTAS_REPO_CONFIG: z.string().min(1).optional(),
  ATLANTAS_EXECUTABLE_NAME: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a single word').default('atlantis'),
  ATLANTAS_BLOCKED_EXTRA_ARGS: csv.optional(),
  ATLANTAS_AUTOPLAN_FILE_LIST: csv.prefault('**/*.tf,**/*.tf.json,**/*.tfvars,**/*.tfvars.json,**/*.tofu,**/*.tofu.json,**/terragrunt.hcl,**/.terraform.lock.hcl'),
  ATLANTAS_SCHEDULER: bool.prefault('true'),
  ATLANTAS_SCHEDULER_TICK: duration.refine((ms) => ms >= 100, 'expected at least 100ms, e.g. 30s').prefault('30s'),
  ATLANTAS_AGENT_SECOND_SCHEDULES: bool.prefault('false'),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'expected a bot token (xoxb-…) from the app\'s OAuth & Permissions page').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'expected the Signing Secret from the app\'s Basic Information page').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'expected an app-level token (xapp-…) with connections:write').optional(),
  SLACK_CLIENT_ID: z.string().min(1).optional(),
  SLACK_CLIENT_SECRET: z.string().min(1).optional(),
  SLACK_STATE_SECRET: z.string().min(16, 'expected at least 16 characters (openssl rand -hex 32)').optional(),
  ATLANTAS_SLACK_API_URL: z.string().url('expected the base URL of a Slack Web API, such as https://slack.com/api/').optional(),
  ATLANTAS_DEFAULT_TENANT: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a slug').default('default'),
  ATLANTAS_PLAN_TTL: duration.refine((ms) => ms >= 60_000, 'expected at least 1m, e.g. 24h').prefault('24h'),
  ATLANTAS_LOCK_WARN_AFTER: duration.refine((ms) => ms >= 60_000, 'expected at least 1m, e.g. 24h').prefault('24h'),
  ATLANTAS_NOTIFY_POLL_INTERVAL: duration.refine((ms) => ms >= 100, 'expected at least 100ms, e.g. 15s').prefault('15s'),
  ATLANTAS_SLACK_CHANNEL: z.string().trim().regex(/^#?[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'expected a Slack channel id (C0123ABCD) or name (#ops)').optional(),
  ATLANTAS_SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s/]+/, 'expected smtp://[user:password@]host[:port] or smtps://…').optional(),
  ATLANTAS_SMTP_FROM: z.string().trim().regex(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+>?$/, 'expected an address such as atlantas@example.com or "Atlantas <atlantas@example.com>"').prefault('atlantas@localhost'),
  ATLANTAS_NOTIFICATION_TIMEOUT: duration.refine((ms) => ms >= 100 && ms <= 300_000, 'expected between 100ms and 5m, e.g. 10s').prefault('10s'),
  ATLANTAS_INCIDENT_SEVERITY: z.string().transform((v, ctx) => {
    const parsed = parseSeverityPolicy(v);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    return parsed as SeverityPolicy;
  }).prefault('critical=P1,high=P2,medium=P3,low=P4,default=P3'),
  ATLANTAS_INCIDENT_REOPEN_WINDOW: duration.prefault('24h'),
  ATLANTAS_AWS_ENDPOINT: endpoint('AWS STS, such as https://sts.amazonaws.com'),
  ATLANTAS_GCP_ENDPOINT: endpoint('Google OAuth, such as https://oauth2.googleapis.com'),
  ATLANTAS_AZURE_ENDPOINT: endpoint('Azure AD, such as https://login.microsoftonline.com'),
  ATLANTAS_HETZNER_ENDPOINT: endpoint('the Hetzner Cloud API, such as https://api.hetzner.cloud'),
  ATLANTAS_DIGITALOCEAN_ENDPOINT: endpoint('the DigitalOcean API, such as https://api.digitalocean.com'),
  ATLANTAS_BILLING_PRICE_RESOURCE: cents.prefault('50'),
  ATLANTAS_BILLING_PRICE_CHANGE: cents.prefault('0'),
  ATLANTAS_BILLING_PRICE_BASE: cents.prefault('0'),
  ATLANTAS_LLM_URL: z.string().url('expected the base URL of an OpenAI-compatible API, such as https://api.openai.com (…/v1/chat/completions is added)').optional(),
  ATLANTAS_LLM_API_KEY: z.string().min(1).optional(),
  ATLANTAS_LLM_MODEL: z.string().trim().min(1).max(200).default('gpt-4o-mini'),
  ATLANTAS_LLM_TIMEOUT: duration.refine((ms) => ms >= 1000, 'expected at least 1s, e.g. 30s').prefault('30s'),
  ATLANTAS_RCA_WINDOW: duration.refine((ms) => ms >= 60_000, 'expected at least 1m, e.g. 24h').prefault('24h'),
});

export type RawEnv = z.infer<typeof Env>;

/** Every variable name the server reads: what deploy manifests may set (test/deploy checks them). */
export const CONFIG_ENV_NAMES: readonly string[] = Object.keys(Env.shape);

export interface Config {
  port: number;
  /** ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: URLs tenants set (registries, IdPs, webhooks) may point at loopback/private addresses */
  allowPrivateWebhooks: boolean;
  host: string;
  publicUrl?: string;
  mcp: {
    /** ATLANTAS_MCP_READ_ONLY: write tools are not even registered */
    readOnly: boolean;
    /** ATLANTAS_MCP_SESSIONS: stateful sessions for clients with elicitation that bind a person */
    sessions: boolean;
    /** ATLANTAS_TOKEN: what `atlantas mcp` (stdio) authenticates to ATLANTAS_URL with */
    token?: string;
  };
  /** ATLANTAS_APPROVAL_TTL: how long an approval request waits for a human before it expires */
  approvalTtlMs: number;
  dataDir: string;
  logLevel: RawEnv['LOG_LEVEL'];
  database: { url?: string; schema?: string; poolMax: number };
  admin: { email?: string; password?: string };
  auth: {
    jwtSecret?: string; jwtTtlMs: number; rateLimitPerMinute: number; loginRateLimitPerMinute: number;
    /** ATLANTAS_JWT_REFRESH_TTL: how long a refresh token (AtlasAI's POST /api/auth/token) can renew a session */
    refreshTtlMs: number;
    /** ATLANTAS_TOKEN_MAX_TTL: the longest an API token may live */
    tokenMaxTtlMs?: number;
  };
  encryption: { key?: Buffer; previousKey?: Buffer };
  http: {
    bodyLimit: number; stateBodyLimit: number; shutdownTimeoutMs: number;
    /** ATLANTAS_TRUSTED_PROXIES: CIDRs whose X-Forwarded-For is believed */
    trustedProxies: string[];
  };
  atlantisApi: { secret?: string; locksRequireAuth: boolean };
  /** ATLANTAS_METRICS_TOKEN: the bearer token GET /metrics requires; open when unset */
  metrics: { token?: string };
  terraform: {
    binary: string; parallelism: number; runTimeoutMs: number; cancelGraceMs: number; workers: boolean;
    /** ATLANTAS_RUNNER_TIMEOUT: a remote runner silent this long has its run errored and its locks released */
    runnerTimeoutMs: number;
    /** ATLANTAS_RUNNER_TOKEN: what `atlantas runner` authenticates with */
    runnerToken?: string;
    /** ATLANTAS_QUEUE_POLL_INTERVAL: the fallback poll of the run queue (NOTIFY wakes workers at once) */
    queuePollMs: number;
    /** ATLANTAS_TF_PLUGIN_CACHE: TF_PLUGIN_CACHE_DIR=<dataDir>/plugin-cache for terraform */
    pluginCache: boolean;
    /** ATLANTAS_SANDBOX: run terraform under bubblewrap (auto: when it works here; bwrap: or refuse to start; off) */
    sandbox: 'auto' | 'bwrap' | 'off';
    /** ATLANTAS_TF_ENV_PASSTHROUGH: server variables (names, PREFIX_*) terraform receives, e.g. cloud credentials */
    envPassthrough: string[];
  };
  /**
   * ATLANTAS_SCHEDULER: run cron agents on this replica when it is elected; ATLANTAS_SCHEDULER_TICK: how often it looks;
   * ATLANTAS_AGENT_SECOND_SCHEDULES: accept schedules that run more than once a minute (6-field, several seconds)
   */
  scheduler: { enabled: boolean; tickMs: number; secondSchedules: boolean };
  repoAllowlist: string[];
  /** ATLANTAS_REPO_CONFIG: the server-side repo config file (Atlantis repos.yaml), read once by openCore */
  repoConfigPath?: string;
  defaultTenant: string;
  slack: {
    /** SLACK_BOT_TOKEN: the bot of the server's own workspace, which serves the default tenant */
    botToken?: string;
    /** SLACK_SIGNING_SECRET: verifies POST /slack/events; the HTTP front end is on when it is set */
    signingSecret?: string;
    /** SLACK_APP_TOKEN: Socket Mode instead of POST /slack/events */
    appToken?: string;
    /** SLACK_CLIENT_ID/SECRET/STATE_SECRET: the OAuth install flow for other tenants' workspaces */
    oauth?: { clientId: string; clientSecret: string; stateSecret: string };
    /** ATLANTAS_SLACK_API_URL: where Web API calls go (tests); Slack's own when unset */
    apiUrl?: string;
  };
  /** ATLANTAS_PLAN_TTL: how long a kept plan outside a pull request waits (holding its lock) before it expires */
  keptPlans: { ttlMs: number };
  /** ATLANTAS_INCIDENT_SEVERITY (project criticality → severity of automatic incidents), ATLANTAS_INCIDENT_REOPEN_WINDOW */
  incidents: { severity: SeverityPolicy; reopenWindowMs: number };
  notifications: {
    /** ATLANTAS_SLACK_CHANNEL: the default tenant's channel when neither project nor tenant names one */
    slackChannel?: string;
    /** ATLANTAS_LOCK_WARN_AFTER: a project lock held longer than this is announced once */
    lockWarnAfterMs: number;
    /** ATLANTAS_NOTIFY_POLL_INTERVAL: the outbox's fallback look (publishes wake every replica at once) */
    pollMs: number;
    /** ATLANTAS_SMTP_URL / ATLANTAS_SMTP_FROM: the mail server of email notification configurations (none: email refused) */
    smtp?: { url: string; from: string };
    /** ATLANTAS_NOTIFICATION_TIMEOUT: one webhook or SMTP delivery's time limit */
    timeoutMs: number;
  };
  /** ATLANTAS_<PROVIDER>_ENDPOINT: where cloud credentials are validated; the providers' own when unset */
  cloudEndpoints: { aws?: string; gcp?: string; azure?: string; hetzner?: string; digitalocean?: string };
  /** ATLANTAS_BILLING_PRICE_*: cents per managed resource per month, per applied change, and per tenant per month */
  billingPrices: { resourceCents: number; changeCents: number; baseCents: number };
  /** ATLANTAS_LLM_*: the optional OpenAI-compatible model that writes RCA and copilot narratives; ATLANTAS_RCA_WINDOW: how far back RCA looks */
  ai: { llm?: { url: string; apiKey?: string; model: string; timeoutMs: number }; rcaWindowMs: number };
  github: {
    token?: string;
    appId?: string;
    appKey?: string;
    appKeyFile?: string;
    installationId?: string;
    webhookSecret?: string;
    /** ATLANTAS_WEBHOOK_BODY_LIMIT: largest webhook body accepted (GitHub's maximum is 25 MB) */
    webhookBodyLimit: number;
    apiUrl: string;
    webUrl?: string;
    user?: string;
    requireWritePermission: boolean;
    allowDraftPrs: boolean;
    applyRequirements: Requirement[];
    executableName: string;
    blockedExtraArgs?: string[];
    autoplanFileList: string[];
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset", as operators expect from `FOO= npm start`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const problems = crossChecks(parsed.data);
  if (problems.length) throw new ConfigError(problems);
  return toConfig(parsed.data);
}

function crossChecks(e: RawEnv): string[] {
  const problems: string[] = [];
  if (!!e.ATLANTAS_ADMIN_EMAIL !== !!e.ATLANTAS_ADMIN_PASSWORD) {
    problems.push('ATLANTAS_ADMIN_EMAIL and ATLANTAS_ADMIN_PASSWORD: set both or neither');
  }
  if (e.DATABASE_URL && !e.ATLANTAS_ENCRYPTION_KEY) {
    problems.push('ATLANTAS_ENCRYPTION_KEY: required with DATABASE_URL (32 bytes, base64; openssl rand -base64 32)');
  }
  if (e.ATLANTAS_LOCKS_REQUIRE_AUTH && !e.ATLANTAS_API_SECRET) {
    problems.push('ATLANTAS_LOCKS_REQUIRE_AUTH: needs ATLANTAS_API_SECRET, the X-Atlantis-Token that GET /api/locks then requires');
  }
  if (e.ATLANTAS_GH_APP_ID && !e.ATLANTAS_GH_APP_KEY && !e.ATLANTAS_GH_APP_KEY_FILE) {
    problems.push('ATLANTAS_GH_APP_KEY or ATLANTAS_GH_APP_KEY_FILE: required with ATLANTAS_GH_APP_ID');
  }
  const oauth = [e.SLACK_CLIENT_ID, e.SLACK_CLIENT_SECRET, e.SLACK_STATE_SECRET].filter(Boolean).length;
  if (oauth !== 0 && oauth !== 3) problems.push('SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET: set all three (the OAuth install flow) or none');
  if (oauth === 3 && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) problems.push('SLACK_SIGNING_SECRET: required with SLACK_CLIENT_ID (installed workspaces send their requests to POST /slack/events)');
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN (or SLACK_APP_TOKEN for Socket Mode), else no Slack request can be verified');
  }
  if (e.ATLANTAS_LLM_API_KEY && !e.ATLANTAS_LLM_URL) problems.push('ATLANTAS_LLM_URL: required with ATLANTAS_LLM_API_KEY (the OpenAI-compatible API the key is for)');
  for (const pattern of tfEnvPassthrough(e)) {
    const problem = passthroughProblem(pattern);
    if (problem) problems.push(`ATLANTAS_TF_ENV_PASSTHROUGH: ${problem}`);
  }
  return problems;
}

function toConfig(e: RawEnv): Config {
  return {
    port: e.ATLANTAS_PORT,
    host: e.ATLANTAS_HOST,
    publicUrl: e.ATLANTAS_URL?.replace(/\/+$/, ''),
    mcp: { readOnly: e.ATLANTAS_MCP_READ_ONLY, sessions: e.ATLANTAS_MCP_SESSIONS, token: e.ATLANTAS_TOKEN },
    approvalTtlMs: e.ATLANTAS_APPROVAL_TTL,
    dataDir: e.ATLANTAS_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, schema: e.ATLANTAS_DB_SCHEMA, poolMax: e.ATLANTAS_DB_POOL_MAX },
    admin: { email: e.ATLANTAS_ADMIN_EMAIL, password: e.ATLANTAS_ADMIN_PASSWORD },
    auth: {
      jwtSecret: e.ATLANTAS_JWT_SECRET,
      jwtTtlMs: e.ATLANTAS_JWT_TTL,
      refreshTtlMs: e.ATLANTAS_JWT_REFRESH_TTL,
      rateLimitPerMinute: e.ATLANTAS_RATE_LIMIT,
      loginRateLimitPerMinute: e.ATLANTAS_LOGIN_RATE_LIMIT,
      tokenMaxTtlMs: e.ATLANTAS_TOKEN_MAX_TTL,
    },
    encryption: {
      key: e.ATLANTAS_ENCRYPTION_KEY ? Buffer.from(e.ATLANTAS_ENCRYPTION_KEY, 'base64') : undefined,
      previousKey: e.ATLANTAS_ENCRYPTION_KEY_PREVIOUS ? Buffer.from(e.ATLANTAS_ENCRYPTION_KEY_PREVIOUS, 'base64') : undefined,
    },
    http: {
      bodyLimit: e.ATLANTAS_BODY_LIMIT, stateBodyLimit: e.ATLANTAS_STATE_BODY_LIMIT, shutdownTimeoutMs: e.ATLANTAS_SHUTDOWN_TIMEOUT,
      trustedProxies: e.ATLANTAS_TRUSTED_PROXIES,
    },
    allowPrivateWebhooks: e.ATLANTAS_ALLOW_PRIVATE_WEBHOOKS,
    atlantisApi: { secret: e.ATLANTAS_API_SECRET, locksRequireAuth: e.ATLANTAS_LOCKS_REQUIRE_AUTH },
    metrics: { token: e.ATLANTAS_METRICS_TOKEN },
    terraform: {
      binary: e.ATLANTAS_TF_BINARY,
      parallelism: e.ATLANTAS_PARALLELISM,
      runTimeoutMs: e.ATLANTAS_RUN_TIMEOUT,
      cancelGraceMs: e.ATLANTAS_CANCEL_GRACE,
      workers: e.ATLANTAS_WORKERS,
      runnerTimeoutMs: e.ATLANTAS_RUNNER_TIMEOUT,
      runnerToken: e.ATLANTAS_RUNNER_TOKEN,
      queuePollMs: e.ATLANTAS_QUEUE_POLL_INTERVAL,
      pluginCache: e.ATLANTAS_TF_PLUGIN_CACHE,
      sandbox: e.ATLANTAS_SANDBOX,
      envPassthrough: tfEnvPassthrough(e),
    },
    scheduler: { enabled: e.ATLANTAS_SCHEDULER, tickMs: e.ATLANTAS_SCHEDULER_TICK, secondSchedules: e.ATLANTAS_AGENT_SECOND_SCHEDULES },
    repoAllowlist: e.ATLANTAS_REPO_ALLOWLIST,
    repoConfigPath: e.ATLANTAS_REPO_CONFIG,
    defaultTenant: e.ATLANTAS_DEFAULT_TENANT,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      oauth: e.SLACK_CLIENT_ID && e.SLACK_CLIENT_SECRET && e.SLACK_STATE_SECRET
        ? { clientId: e.SLACK_CLIENT_ID, clientSecret: e.SLACK_CLIENT_SECRET, stateSecret: e.SLACK_STATE_SECRET }
        : undefined,
      apiUrl: e.ATLANTAS_SLACK_API_URL ? `${e.ATLANTAS_SLACK_API_URL.replace(/\/+$/, '')}/` : undefined,
    },
    keptPlans: { ttlMs: e.ATLANTAS_PLAN_TTL },
    incidents: { severity: e.ATLANTAS_INCIDENT_SEVERITY, reopenWindowMs: e.ATLANTAS_INCIDENT_REOPEN_WINDOW },
    notifications: {
      slackChannel: e.ATLANTAS_SLACK_CHANNEL, lockWarnAfterMs: e.ATLANTAS_LOCK_WARN_AFTER, pollMs: e.ATLANTAS_NOTIFY_POLL_INTERVAL,
      smtp: e.ATLANTAS_SMTP_URL ? { url: e.ATLANTAS_SMTP_URL, from: e.ATLANTAS_SMTP_FROM } : undefined, timeoutMs: e.ATLANTAS_NOTIFICATION_TIMEOUT,
    },
    cloudEndpoints: Object.fromEntries(Object.entries({
      aws: e.ATLANTAS_AWS_ENDPOINT, gcp: e.ATLANTAS_GCP_ENDPOINT, azure: e.ATLANTAS_AZURE_ENDPOINT, hetzner: e.ATLANTAS_HETZNER_ENDPOINT, digitalocean: e.ATLANTAS_DIGITALOCEAN_ENDPOINT,
    }).filter(([, v]) => v !== undefined)),
    billingPrices: { resourceCents: e.ATLANTAS_BILLING_PRICE_RESOURCE, changeCents: e.ATLANTAS_BILLING_PRICE_CHANGE, baseCents: e.ATLANTAS_BILLING_PRICE_BASE },
    ai: {
      llm: e.ATLANTAS_LLM_URL ? { url: e.ATLANTAS_LLM_URL.replace(/\/+$/, ''), apiKey: e.ATLANTAS_LLM_API_KEY, model: e.ATLANTAS_LLM_MODEL, timeoutMs: e.ATLANTAS_LLM_TIMEOUT } : undefined,
      rcaWindowMs: e.ATLANTAS_RCA_WINDOW,
    },
    github: {
      token: e.ATLANTAS_GH_TOKEN,
      appId: e.ATLANTAS_GH_APP_ID,
      appKey: e.ATLANTAS_GH_APP_KEY,
      appKeyFile: e.ATLANTAS_GH_APP_KEY_FILE,
      installationId: e.ATLANTAS_GH_INSTALLATION_ID,
      webhookSecret: e.ATLANTAS_GH_WEBHOOK_SECRET,
      webhookBodyLimit: e.ATLANTAS_WEBHOOK_BODY_LIMIT,
      apiUrl: e.ATLANTAS_GH_API_URL.replace(/\/+$/, ''),
      webUrl: e.ATLANTAS_GH_WEB_URL?.replace(/\/+$/, ''),
      user: e.ATLANTAS_GH_USER,
      requireWritePermission: e.ATLANTAS_GH_REQUIRE_WRITE,
      allowDraftPrs: e.ATLANTAS_GH_ALLOW_DRAFT_PRS,
      applyRequirements: e.ATLANTAS_APPLY_REQUIREMENTS,
      executableName: e.ATLANTAS_EXECUTABLE_NAME,
      blockedExtraArgs: e.ATLANTAS_BLOCKED_EXTRA_ARGS,
      autoplanFileList: e.ATLANTAS_AUTOPLAN_FILE_LIST,
    },
  };
}

/** `none` turns the passthrough off (an empty value means the default, as for every variable). */
function tfEnvPassthrough(e: RawEnv): string[] {
  const list = e.ATLANTAS_TF_ENV_PASSTHROUGH;
  return list.length === 1 && list[0].toLowerCase() === 'none' ? [] : list;
}

export function parseByteSize(v: string): number {
  const m = /^(\d+)(b|kb|mb|gb)?$/i.exec(v.trim());
  if (!m) throw new Error(`bad size ${v}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[unit as 'b'];
  return Number(m[1]) * mult;
}

export function parseDuration(v: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(v.trim());
  if (!m) throw new Error(`bad duration ${v}`);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * mult;
}
