import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { Config } from '../../config.js';
import { ConfigError, InputError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { VERSION } from '../../version.js';

/**
 * How Atlantas authenticates to GitHub: a personal access token, or a GitHub App whose
 * installation tokens `@octokit/auth-app` mints (through the same `baseUrl`, so GHES and the
 * tests' fake work alike) and caches until they near expiry.
 */
export type GitHubConfig = Config['github'];

export interface GitHubConnection {
  readonly mode: 'pat' | 'app';
  /** the credentials a call on this repository used (a routed connection differs per repository); `mode` when absent */
  modeFor?(repoFullName: string): 'pat' | 'app' | 'installation';
  /** an Octokit authenticated for this repository */
  client(repoFullName: string): Promise<Octokit>;
  /** the token git should use to clone this repository */
  token(repoFullName: string): Promise<string>;
}

export interface ConnectionOptions {
  apiUrl: string;
  log: Logger;
  /** per HTTP request, token minting included */
  timeoutMs: number;
}

/** `owner/repo` → its parts; anything else is refused with what to fix. */
export function splitRepo(repoFullName: string): { owner: string; repo: string } {
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(repoFullName);
  if (!m || m[2] === '.' || m[2] === '..') {
    throw new InputError(`"${repoFullName}" is not a GitHub repository name; expected owner/repo, such as octo-org/infra`);
  }
  return { owner: m[1], repo: m[2] };
}

/** A connection for the configured credentials (an App wins over a PAT), or undefined when neither is set. */
export function connectGitHub(config: GitHubConfig, options: ConnectionOptions): GitHubConnection | undefined {
  if (config.appId) {
    if (config.token) options.log.warn('both a GitHub App and ATLANTAS_GH_TOKEN are configured; using the App');
    return new AppConnection({ appId: config.appId, privateKey: loadAppKey(config), installationId: config.installationId }, options);
  }
  if (config.token) return new PatConnection(config.token, options);
  return undefined;
}

export class PatConnection implements GitHubConnection {
  readonly mode = 'pat';
  private readonly octokit: Octokit;
  constructor(private readonly pat: string, options: ConnectionOptions) {
    this.octokit = createOctokit(options, { auth: pat });
  }
  async client(): Promise<Octokit> {
    return this.octokit;
  }
  async token(): Promise<string> {
    return this.pat;
  }
}

export interface AppCredentials {
  appId: string;
  privateKey: string;
  /** when unset, each repository's installation is looked up (and cached) */
  installationId?: string;
}

export class AppConnection implements GitHubConnection {
  readonly mode = 'app';
  /** authenticated as the App itself (JWT): only for installation lookups */
  private readonly appClient: Octokit;
  private readonly installations = new Map<string, Promise<number>>();
  private readonly clients = new Map<number, Octokit>();

  constructor(private readonly credentials: AppCredentials, private readonly options: ConnectionOptions) {
    this.appClient = createOctokit(options, { authStrategy: createAppAuth, auth: { appId: credentials.appId, privateKey: credentials.privateKey } });
  }

  async client(repoFullName: string): Promise<Octokit> {
    const installationId = await this.installationFor(repoFullName);
    let client = this.clients.get(installationId);
    if (!client) {
      const { appId, privateKey } = this.credentials;
      client = createOctokit(this.options, { authStrategy: createAppAuth, auth: { appId, privateKey, installationId } });
      this.clients.set(installationId, client);
    }
    return client;
  }

  async token(repoFullName: string): Promise<string> {
    const client = await this.client(repoFullName);
    const auth = (await client.auth({ type: 'installation' })) as { token: string };
    return auth.token;
  }

  private installationFor(repoFullName: string): Promise<number> {
    if (this.credentials.installationId) return Promise.resolve(Number(this.credentials.installationId));
    const key = repoFullName.toLowerCase();
    let pending = this.installations.get(key);
    if (!pending) {
      pending = this.appClient.rest.apps.getRepoInstallation(splitRepo(repoFullName)).then((res) => res.data.id);
      pending.catch(() => this.installations.delete(key)); // a failed lookup is retried next time
      this.installations.set(key, pending);
    }
    return pending;
  }
}

/** The App's private key from ATLANTAS_GH_APP_KEY or ATLANTAS_GH_APP_KEY_FILE, checked to be a PEM private key. */
export function loadAppKey(config: Pick<GitHubConfig, 'appKey' | 'appKeyFile'>): string {
  let key = config.appKey;
  const variable = key ? 'ATLANTAS_GH_APP_KEY' : 'ATLANTAS_GH_APP_KEY_FILE';
  if (!key && config.appKeyFile) {
    try {
      key = readFileSync(config.appKeyFile, 'utf8');
    } catch (err) {
      throw new ConfigError([`ATLANTAS_GH_APP_KEY_FILE: cannot read ${config.appKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
    }
  }
  if (!key) throw new ConfigError(['ATLANTAS_GH_APP_KEY or ATLANTAS_GH_APP_KEY_FILE: required with ATLANTAS_GH_APP_ID']);
  key = key.replace(/\\n/g, '\n').trim() + '\n';
  try {
    createPrivateKey(key);
  } catch {
    throw new ConfigError([`${variable}: not a PEM private key (expected the .pem file GitHub generated for the App)`]);
  }
  return key;
}

export type OctokitAuthOptions = Pick<NonNullable<ConstructorParameters<typeof Octokit>[0]>, 'auth' | 'authStrategy'>;

export function createOctokit(options: ConnectionOptions, auth: OctokitAuthOptions): Octokit {
  const log = options.log;
  const octokitLog = {
    debug: (msg: string) => log.debug(msg),
    info: (msg: string) => log.debug(msg),
    warn: (msg: string) => log.warn(msg),
    error: (msg: string) => log.error(msg),
  };
  const octokit = new Octokit({ ...auth, baseUrl: options.apiUrl, userAgent: `atlantas/${VERSION}`, log: octokitLog, request: { log: octokitLog } });
  // Registered after the auth hook, so it runs first and also bounds token minting.
  octokit.hook.before('request', (request) => {
    request.request = { ...request.request, signal: request.request?.signal ?? AbortSignal.timeout(options.timeoutMs) };
  });
  return octokit;
}
