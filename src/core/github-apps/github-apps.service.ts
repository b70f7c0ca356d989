import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { discoverRepoProjects } from '../commands/resolve-targets.js';
import { inTransaction } from '../db/transaction.js';
import { AuthenticationError, ConflictError, DomainError, InputError, NotFoundError, UnavailableError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { GitHubAppApi, GitHubBranch, GitHubRepoSummary, GitHubTree, InstallationCredentials } from '../ports/github-apps.js';
import type { ServerRepoConfig } from '../repo-policy/server-repo-config.js';
import type { Encryptor } from '../secrets/encryption.js';
import { privateKeyAad, webhookSecretAad, type GitHubAppRepository, type GitHubAppRow } from './github-app.repository.js';
import type { InstallationCredentialsStore } from './installation-credentials.js';
import type { CreateGitHubAppInput } from './github-app.schemas.js';

/** What an App registration looks like to its tenant's admins: never the key or the secret. */
export interface GitHubAppView {
  id: string;
  name: string;
  appId: string;
  installationId: string;
  accountLogin: string;
  hasWebhookSecret: boolean;
  reposSyncedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface TerraformWorkspace {
  dir: string;
  workspace: string;
  name: string | null;
  source: 'atlantis.yaml' | 'discovered';
}

interface Deps {
  sequelize: Sequelize;
  repo: GitHubAppRepository;
  /** the edge's GitHub client; absent in a core without one (CLI commands): browsing is then unavailable */
  api?: GitHubAppApi;
  encryptor: Encryptor;
  credentials: InstallationCredentialsStore;
  audit: AuditLog;
  clock: Clock;
  /** ATLANTAS_REPO_CONFIG: terraform-workspaces applies it as autoplan does */
  serverRepoConfig: ServerRepoConfig;
  log: Logger;
  /** an owner's repository list older than this is listed again before a repository is refused; default 60 s */
  resyncAfterMs?: number;
}

const REPO_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\/[A-Za-z0-9._-]+$/;
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * GitHub Apps that tenants bring. An installation has one owner: the tenant that registered it
 * first. What an installation reaches (as GitHub lists it, never as a webhook claims) belongs to
 * that tenant: its webhooks act there, its runs clone with that installation's token, and no
 * other tenant may run those repositories. The key and the webhook secret are sealed at rest and
 * leave core only to sign requests to GitHub (the GitHubAppApi port).
 */
export class GitHubAppsService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor): Promise<GitHubAppView[]> {
    requirePermission(actor, 'tenant:manage');
    return (await this.deps.repo.list(actor.tenantId)).map(view);
  }

  /**
   * Registers an installation after proving it: GitHub must mint an installation token from a JWT
   * signed with this key for this app id and installation, and list what it reaches.
   */
  async create(actor: Actor, input: CreateGitHubAppInput): Promise<GitHubAppView> {
    requirePermission(actor, 'tenant:manage');
    const credentials: InstallationCredentials = { appId: input.app_id, installationId: input.installation_id, privateKey: input.private_key };
    if (await this.deps.repo.byInstallation(input.installation_id)) throw taken(input.installation_id);
    const repos = await this.proveCredentials(credentials);
    const row = await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const { encryptor } = this.deps;
      const inserted = await this.deps.repo.insert({
        tenantId: actor.tenantId, name: input.name, appId: input.app_id, installationId: input.installation_id, accountLogin: input.account_login,
        privateKey: encryptor.seal(input.private_key, privateKeyAad(input.installation_id)),
        webhookSecret: input.webhook_secret ? encryptor.seal(input.webhook_secret, webhookSecretAad(input.installation_id)) : null,
        createdBy: actor.name,
      }, transaction);
      if (!inserted) throw taken(input.installation_id);
      await this.deps.repo.replaceRepos(inserted.id, repos.map(repoRow), transaction);
      await this.deps.audit.record(actor, 'github_app.create', { type: 'github_app', id: inserted.id }, {
        app_id: inserted.appId, installation_id: inserted.installationId, account_login: inserted.accountLogin, repositories: repos.length,
      }, { transaction });
      return inserted;
    });
    return view({ ...row, reposSyncedAt: this.deps.clock.now() });
  }

  async delete(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'tenant:manage');
    await inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = isUuid(id) ? await this.deps.repo.delete(actor.tenantId, id, transaction) : null;
      if (!row) throw notFound(id);
      await this.deps.audit.record(actor, 'github_app.delete', { type: 'github_app', id }, { app_id: row.appId, installation_id: row.installationId }, { transaction });
    });
  }

  /** What the installation reaches now (GitHub asked, and the ownership record brought up to date). */
  async repositories(actor: Actor, id: string): Promise<GitHubRepoSummary[]> {
    requirePermission(actor, 'project:read');
    const row = await this.require(actor, id);
    return this.sync(row);
  }

  async branches(actor: Actor, id: string, repoFullName: string): Promise<GitHubBranch[]> {
    requirePermission(actor, 'project:read');
    const { credentials } = await this.reachable(actor, id, repoFullName);
    return this.api.branches(credentials, repoFullName);
  }

  /** The whole tree at `ref`; without one, at the repository's default branch. */
  async tree(actor: Actor, id: string, repoFullName: string, ref?: string): Promise<GitHubTree & { ref: string }> {
    requirePermission(actor, 'project:read');
    const { credentials } = await this.reachable(actor, id, repoFullName);
    const at = ref ?? (await this.api.repository(credentials, repoFullName)).defaultBranch;
    return { ...(await this.api.tree(credentials, repoFullName, at)), ref: at };
  }

  /**
   * The root modules at `ref` as autoplan finds them: atlantis.yaml's projects when it declares
   * some (checked against the server-side repo config), and directories of terraform files.
   */
  async terraformWorkspaces(actor: Actor, id: string, repoFullName: string, ref?: string) {
    const tree = await this.tree(actor, id, repoFullName, ref);
    const { credentials } = await this.reachable(actor, id, repoFullName);
    const files = tree.entries.filter((e) => e.type === 'blob' && e.mode !== '120000').map((e) => e.path);
    const blobs = new Map(tree.entries.filter((e) => e.type === 'blob' && e.mode !== '120000').map((e) => [e.path, e] as const));
    const readFile = async (name: string) => {
      const entry = blobs.get(name);
      if (!entry) return null;
      if ((entry.size ?? 0) > MAX_CONFIG_BYTES) throw new InputError(`${name} is larger than ${MAX_CONFIG_BYTES} bytes`, { code: 'repo_config_too_large' });
      return this.api.blobText(credentials, repoFullName, entry.sha);
    };
    const found = await discoverRepoProjects(files, readFile, { server: this.deps.serverRepoConfig, repoFullName, baseBranch: null });
    const workspaces: TerraformWorkspace[] = found.all.map((p) => ({ dir: p.dir, workspace: p.workspace, name: p.name, source: p.config ? 'atlantis.yaml' : 'discovered' }));
    return { repository: repoFullName, ref: tree.ref, sha: tree.sha, configFile: found.config ? found.configFile : null, workspaces };
  }

  // --- for the rest of core and the composition root (no actor: the callers decided already) ---

  /** Whether `tenantId`'s own installations reach the repository ('own'), another tenant's do ('other'), or none does. */
  async reach(tenantId: string, repoFullName: string): Promise<'own' | 'other' | 'none'> {
    let owners = await this.deps.repo.ownerTenants(repoFullName);
    if (!owners.includes(tenantId) && (await this.resyncStale(tenantId))) owners = await this.deps.repo.ownerTenants(repoFullName);
    if (owners.includes(tenantId)) return 'own';
    return owners.length ? 'other' : 'none';
  }

  /**
   * The tenant a webhook delivery acts in: the one that registered its installation (and, on
   * /events/{app_id}, that App), after checking the signature with that registration's secret.
   * null for an installation nobody registered; a bad signature is an AuthenticationError.
   */
  async deliveryTenant(input: { installationId?: string; appId?: string; body: string; signature: string }): Promise<{ tenantId: string; installationId: string } | null> {
    if (!input.installationId || !/^[0-9]{1,20}$/.test(input.installationId)) return null;
    const row = await this.deps.repo.byInstallation(input.installationId);
    if (!row || (input.appId !== undefined && row.appId !== input.appId)) return null;
    if (!row.webhookSecret) {
      throw new AuthenticationError(`installation ${row.installationId} was registered without a webhook_secret; register it again with the App's webhook secret`, { code: 'invalid_signature' });
    }
    const secret = this.deps.encryptor.openString(row.webhookSecret, webhookSecretAad(row.installationId));
    if (!signatureMatches(secret, input.body, input.signature)) {
      throw new AuthenticationError('invalid X-Hub-Signature-256: it does not match the webhook_secret registered for this installation', { code: 'invalid_signature' });
    }
    return { tenantId: row.tenantId, installationId: row.installationId };
  }

  /**
   * GitHub says the installation changed (repositories added or removed, suspended): list what it
   * reaches again. Uninstalled: it reaches nothing any more (the registration stays until deleted).
   */
  async installationChanged(installationId: string, change: { deleted?: boolean } = {}): Promise<void> {
    const row = await this.deps.repo.byInstallation(installationId);
    if (!row) return;
    if (change.deleted) {
      await inTransaction(this.deps.sequelize, undefined, (transaction) => this.deps.repo.replaceRepos(row.id, [], transaction));
      return;
    }
    await this.sync(row).catch((err) => this.deps.log.warn({ err: errorText(err), installationId }, 'could not list the installation\'s repositories'));
  }

  private get api(): GitHubAppApi {
    if (!this.deps.api) throw new UnavailableError('GitHub is not reachable from this process', { code: 'github.unavailable' });
    return this.deps.api;
  }

  private credentials(row: GitHubAppRow): InstallationCredentials {
    return this.deps.credentials.of(row);
  }

  private async require(actor: Actor, id: string): Promise<GitHubAppRow> {
    const row = isUuid(id) ? await this.deps.repo.byId(actor.tenantId, id) : null;
    if (!row) throw notFound(id);
    return row;
  }

  /** The App of the caller's tenant and a repository its installation reaches (by the record, listed again when stale). */
  private async reachable(actor: Actor, id: string, repoFullName: string): Promise<{ row: GitHubAppRow; credentials: InstallationCredentials }> {
    if (!REPO_NAME.test(repoFullName)) throw new InputError(`"${repoFullName}" is not a repository name; expected owner/repo`, { code: 'validation_error' });
    const row = await this.require(actor, id);
    const lower = repoFullName.toLowerCase();
    let repos = await this.deps.repo.repos(row.id);
    if (!repos.some((r) => r.fullName.toLowerCase() === lower) && this.stale(row)) repos = (await this.sync(row)).map(repoRow);
    if (!repos.some((r) => r.fullName.toLowerCase() === lower)) {
      throw new NotFoundError(`repository ${repoFullName} is not reachable through installation ${row.installationId}`, { code: 'github_app.repo_not_found' });
    }
    return { row, credentials: this.credentials(row) };
  }

  private async sync(row: GitHubAppRow): Promise<GitHubRepoSummary[]> {
    const repos = await this.api.repositories(this.credentials(row));
    await inTransaction(this.deps.sequelize, undefined, (transaction) => this.deps.repo.replaceRepos(row.id, repos.map(repoRow), transaction));
    return repos;
  }

  /** Lists again the tenant's installations whose list is stale; true when one was. Failures are logged, not thrown. */
  private async resyncStale(tenantId: string): Promise<boolean> {
    if (!this.deps.api) return false;
    const stale = (await this.deps.repo.list(tenantId)).filter((r) => this.stale(r));
    for (const row of stale) await this.sync(row).catch((err) => this.deps.log.warn({ err: errorText(err), installationId: row.installationId }, 'could not list the installation\'s repositories'));
    return stale.length > 0;
  }

  private stale(row: GitHubAppRow): boolean {
    return !row.reposSyncedAt || this.deps.clock.now().getTime() - new Date(row.reposSyncedAt).getTime() > (this.deps.resyncAfterMs ?? 60_000);
  }

  /** GitHub's refusal of a key, an app id or an installation becomes what the admin must fix. */
  private async proveCredentials(credentials: InstallationCredentials): Promise<GitHubRepoSummary[]> {
    try {
      await this.api.installationToken(credentials);
      return await this.api.repositories(credentials);
    } catch (err) {
      if (err instanceof DomainError && (err.code === 'github.bad_credentials' || err.code === 'github.not_found' || err.code === 'github.forbidden')) {
        throw new InputError(
          `GitHub refused these App credentials (${err.message}): check that app_id ${credentials.appId} is the App's ID, that installation ${credentials.installationId} belongs to it, and that private_key is its current key`,
          { code: 'github_app.invalid_credentials' },
        );
      }
      throw err;
    }
  }
}

function view(row: GitHubAppRow): GitHubAppView {
  return {
    id: row.id, name: row.name, appId: row.appId, installationId: row.installationId, accountLogin: row.accountLogin, hasWebhookSecret: !!row.webhookSecret,
    reposSyncedAt: row.reposSyncedAt, createdBy: row.createdBy, createdAt: row.createdAt, updatedAt: row.updatedAt,
  };
}

function repoRow(r: { fullName: string; defaultBranch: string; private: boolean }) {
  return { fullName: r.fullName, defaultBranch: r.defaultBranch, private: r.private };
}

function taken(installationId: string): ConflictError {
  return new ConflictError(`installation ${installationId} is already registered; delete that registration first`, { code: 'github_app.installation_taken' });
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`GitHub App registration ${id} not found`, { code: 'github_app.not_found' });
}

/** GitHub's X-Hub-Signature-256: `sha256=` and the hex HMAC-SHA256 of the exact body, compared in constant time. */
export function signatureMatches(secret: string, body: string, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
