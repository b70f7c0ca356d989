import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';

/** A registered GitHub App installation, as stored: the key and the webhook secret stay sealed here. */
export interface GitHubAppRow {
  id: string;
  tenantId: string;
  name: string;
  appId: string;
  installationId: string;
  accountLogin: string;
  privateKey: Sealed;
  webhookSecret: Sealed | null;
  reposSyncedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface GitHubAppRepoRow {
  fullName: string;
  defaultBranch: string;
  private: boolean;
}

/** Binds each sealed value to its installation: a ciphertext copied to another row does not open. */
export const privateKeyAad = (installationId: string) => `github_app:${installationId}:private_key`;
export const webhookSecretAad = (installationId: string) => `github_app:${installationId}:webhook_secret`;

export type NewGitHubApp = Omit<GitHubAppRow, 'id' | 'reposSyncedAt' | 'createdAt' | 'updatedAt'>;

const FIELDS: [string, string][] = [
  ['id', 'id'], ['tenant_id', 'tenantId'], ['name', 'name'], ['app_id', 'appId'], ['installation_id', 'installationId'],
  ['account_login', 'accountLogin'], ['private_key_key_id', 'pkKeyId'], ['private_key', 'pkData'], ['webhook_secret_key_id', 'wsKeyId'],
  ['webhook_secret', 'wsData'], ['repos_synced_at', 'reposSyncedAt'], ['created_by', 'createdBy'], ['created_at', 'createdAt'], ['updated_at', 'updatedAt'],
];
const columns = (alias = '') => FIELDS.map(([c, f]) => `${alias}${c} AS "${f}"`).join(', ');
const COLUMNS = columns();

type Raw = Omit<GitHubAppRow, 'privateKey' | 'webhookSecret'> & { pkKeyId: string; pkData: Buffer; wsKeyId: string | null; wsData: Buffer | null };

function toRow({ pkKeyId, pkData, wsKeyId, wsData, ...rest }: Raw): GitHubAppRow {
  return { ...rest, privateKey: { keyId: pkKeyId, data: pkData }, webhookSecret: wsKeyId && wsData ? { keyId: wsKeyId, data: wsData } : null };
}

/** Queries on registered GitHub Apps and the repositories their installations reach. */
export class GitHubAppRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private async q(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<GitHubAppRow[]> {
    const rows = await this.deps.sequelize.query<Raw>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return rows.map(toRow);
  }

  list(tenantId: string): Promise<GitHubAppRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM github_apps WHERE tenant_id = :tenantId ORDER BY created_at, id`, { tenantId });
  }

  async byId(tenantId: string, id: string): Promise<GitHubAppRow | null> {
    return (await this.q(`SELECT ${COLUMNS} FROM github_apps WHERE tenant_id = :tenantId AND id = :id`, { tenantId, id }))[0] ?? null;
  }

  async byInstallation(installationId: string): Promise<GitHubAppRow | null> {
    return (await this.q(`SELECT ${COLUMNS} FROM github_apps WHERE installation_id = :installationId`, { installationId }))[0] ?? null;
  }

  /** Inserts; null when the installation is registered already (by anyone): one statement, so a race has one winner. */
  async insert(v: NewGitHubApp, transaction?: Transaction): Promise<GitHubAppRow | null> {
    const rows = await this.q(
      `INSERT INTO github_apps (id, tenant_id, name, app_id, installation_id, account_login, private_key_key_id, private_key,
         webhook_secret_key_id, webhook_secret, created_by)
       VALUES (:id, :tenantId, :name, :appId, :installationId, :accountLogin, :pkKeyId, :pkData, :wsKeyId, :wsData, :createdBy)
       ON CONFLICT (installation_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      {
        id: randomUUID(), tenantId: v.tenantId, name: v.name, appId: v.appId, installationId: v.installationId, accountLogin: v.accountLogin,
        pkKeyId: v.privateKey.keyId, pkData: v.privateKey.data, wsKeyId: v.webhookSecret?.keyId ?? null, wsData: v.webhookSecret?.data ?? null,
        createdBy: v.createdBy,
      },
      transaction,
    );
    return rows[0] ?? null;
  }

  async delete(tenantId: string, id: string, transaction?: Transaction): Promise<GitHubAppRow | null> {
    return (await this.q(`DELETE FROM github_apps WHERE tenant_id = :tenantId AND id = :id RETURNING ${COLUMNS}`, { tenantId, id }, transaction))[0] ?? null;
  }

  /** Replaces what the installation reaches with what GitHub listed just now. */
  async replaceRepos(appRowId: string, repos: GitHubAppRepoRow[], transaction: Transaction): Promise<void> {
    const { sequelize } = this.deps;
    await sequelize.query('DELETE FROM github_app_repos WHERE github_app_id = :appRowId', { replacements: { appRowId }, transaction });
    for (let i = 0; i < repos.length; i += 500) {
      const chunk = repos.slice(i, i + 500);
      const values = chunk.map((_, j) => `(:appRowId, :n${j}, :l${j}, :b${j}, :p${j})`).join(', ');
      const replacements: Record<string, unknown> = { appRowId };
      chunk.forEach((r, j) => Object.assign(replacements, { [`n${j}`]: r.fullName, [`l${j}`]: r.fullName.toLowerCase(), [`b${j}`]: r.defaultBranch, [`p${j}`]: r.private }));
      await sequelize.query(
        `INSERT INTO github_app_repos (github_app_id, full_name, full_name_lower, default_branch, private) VALUES ${values} ON CONFLICT DO NOTHING`,
        { replacements, transaction },
      );
    }
    await sequelize.query('UPDATE github_apps SET repos_synced_at = now(), updated_at = now() WHERE id = :appRowId', { replacements: { appRowId }, transaction });
  }

  repos(appRowId: string): Promise<GitHubAppRepoRow[]> {
    return this.deps.sequelize.query<GitHubAppRepoRow>(
      `SELECT full_name AS "fullName", default_branch AS "defaultBranch", private FROM github_app_repos WHERE github_app_id = :appRowId ORDER BY full_name_lower`,
      { replacements: { appRowId }, type: QueryTypes.SELECT },
    );
  }

  /** The tenants whose installations reach this repository (normally none or one). */
  async ownerTenants(repoFullName: string): Promise<string[]> {
    const rows = await this.deps.sequelize.query<{ tenantId: string }>(
      `SELECT DISTINCT a.tenant_id AS "tenantId" FROM github_app_repos r JOIN github_apps a ON a.id = r.github_app_id WHERE r.full_name_lower = :name`,
      { replacements: { name: repoFullName.toLowerCase() }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => r.tenantId);
  }

  /** The installation that reaches this repository: the tenant's own when a tenant is given, else the first registered. */
  async reaching(repoFullName: string, tenantId?: string): Promise<GitHubAppRow | null> {
    const rows = await this.q(
      `SELECT ${columns('a.')} FROM github_app_repos r JOIN github_apps a ON a.id = r.github_app_id
       WHERE r.full_name_lower = :name ${tenantId ? 'AND a.tenant_id = :tenantId' : ''} ORDER BY a.created_at, a.id LIMIT 1`,
      { name: repoFullName.toLowerCase(), tenantId },
    );
    return rows[0] ?? null;
  }

  /** Every sealed value, for key rotation. */
  all(transaction: Transaction): Promise<GitHubAppRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM github_apps ORDER BY id FOR UPDATE`, {}, transaction);
  }

  async reseal(id: string, privateKey: Sealed, webhookSecret: Sealed | null, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(
      `UPDATE github_apps SET private_key_key_id = :pkKeyId, private_key = :pkData, webhook_secret_key_id = :wsKeyId, webhook_secret = :wsData WHERE id = :id`,
      { replacements: { id, pkKeyId: privateKey.keyId, pkData: privateKey.data, wsKeyId: webhookSecret?.keyId ?? null, wsData: webhookSecret?.data ?? null }, transaction },
    );
  }
}
