import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Role } from '../actor.js';
import { isUuid } from '../ids.js';
import type { Sealed } from '../secrets/encryption.js';
import type { SsoType } from './sso.schemas.js';

/** An SSO provider as stored: its secrets (client secret, SP private key) stay sealed in `secret`. */
export interface SsoProviderRow {
  id: string;
  tenantId: string;
  name: string;
  providerType: SsoType;
  enabled: boolean;
  clientId: string | null;
  issuerUrl: string | null;
  /** type-specific, non-secret settings (scopes, github_url, entry_point, idp_certificate …) */
  settings: Record<string, unknown>;
  defaultRole: Role;
  groupRoleMapping: Record<string, Role>;
  allowedDomains: string[];
  /** sealed JSON of { client_secret?, sp_private_key? } */
  secret: Sealed | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed secrets of a provider, opened. */
export interface SsoSecrets {
  client_secret?: string;
  sp_private_key?: string;
}

/** Binds a provider's sealed secrets to its row: a ciphertext copied to another provider does not open. */
export function ssoSecretAad(providerId: string): string {
  return `sso_provider:${providerId}`;
}

export type SsoProviderValues = Omit<SsoProviderRow, 'id' | 'tenantId' | 'createdBy' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, tenant_id AS "tenantId", name, provider_type AS "providerType", enabled, client_id AS "clientId",
  issuer_url AS "issuerUrl", settings, default_role AS "defaultRole", group_role_mapping AS "groupRoleMapping",
  allowed_domains AS "allowedDomains", secret_key_id AS "keyId", secret AS "data", created_by AS "createdBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

type Raw = Omit<SsoProviderRow, 'secret'> & { keyId: string | null; data: Buffer | null };

function toRow({ keyId, data, ...rest }: Raw): SsoProviderRow {
  return { ...rest, secret: keyId && data ? { keyId, data } : null };
}

function params(id: string, v: SsoProviderValues): Record<string, unknown> {
  return {
    id, name: v.name, providerType: v.providerType, enabled: v.enabled, clientId: v.clientId, issuerUrl: v.issuerUrl,
    settings: JSON.stringify(v.settings), defaultRole: v.defaultRole, groupRoleMapping: JSON.stringify(v.groupRoleMapping),
    allowedDomains: JSON.stringify(v.allowedDomains), keyId: v.secret?.keyId ?? null, data: v.secret?.data ?? null,
  };
}

/** Queries on sso_providers; every read but `byId` (the public login routes) is scoped to a tenant. */
export class SsoProviderRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private async q(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<SsoProviderRow[]> {
    const rows = await this.deps.sequelize.query<Raw>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return rows.map(toRow);
  }

  list(tenantId: string): Promise<SsoProviderRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM sso_providers WHERE tenant_id = :tenantId ORDER BY created_at, id`, { tenantId });
  }

  /** Any tenant's provider: the login routes are reached by provider id before anyone is signed in. */
  async byId(id: string): Promise<SsoProviderRow | null> {
    if (!isUuid(id)) return null;
    return (await this.q(`SELECT ${COLUMNS} FROM sso_providers WHERE id = :id`, { id }))[0] ?? null;
  }

  async inTenant(tenantId: string, id: string, transaction?: Transaction): Promise<SsoProviderRow | null> {
    if (!isUuid(id)) return null;
    const lock = transaction ? ' FOR UPDATE' : '';
    return (await this.q(`SELECT ${COLUMNS} FROM sso_providers WHERE id = :id AND tenant_id = :tenantId${lock}`, { id, tenantId }, transaction))[0] ?? null;
  }

  /** Throws Sequelize's UniqueConstraintError on a taken name (the service maps it). */
  async create(tenantId: string, createdBy: string, id: string, v: SsoProviderValues, transaction?: Transaction): Promise<SsoProviderRow> {
    const [row] = await this.q(
      `INSERT INTO sso_providers (id, tenant_id, name, provider_type, enabled, client_id, issuer_url, settings, default_role,
         group_role_mapping, allowed_domains, secret_key_id, secret, created_by)
       VALUES (:id, :tenantId, :name, :providerType, :enabled, :clientId, :issuerUrl, :settings, :defaultRole,
         :groupRoleMapping, :allowedDomains, :keyId, :data, :createdBy)
       RETURNING ${COLUMNS}`,
      { ...params(id, v), tenantId, createdBy },
      transaction,
    );
    return row!;
  }

  async update(id: string, v: SsoProviderValues, transaction: Transaction): Promise<SsoProviderRow> {
    const [row] = await this.q(
      `UPDATE sso_providers SET name = :name, enabled = :enabled, client_id = :clientId, issuer_url = :issuerUrl, settings = :settings,
         default_role = :defaultRole, group_role_mapping = :groupRoleMapping, allowed_domains = :allowedDomains,
         secret_key_id = :keyId, secret = :data, updated_at = now()
       WHERE id = :id RETURNING ${COLUMNS}`,
      params(id, v),
      transaction,
    );
    return row!;
  }

  async delete(tenantId: string, id: string, transaction?: Transaction): Promise<boolean> {
    if (!isUuid(id)) return false;
    return (await this.q(`DELETE FROM sso_providers WHERE id = :id AND tenant_id = :tenantId RETURNING ${COLUMNS}`, { id, tenantId }, transaction)).length > 0;
  }

  /** Providers whose secret is sealed under another key than `keyId`, locked (key rotation). */
  stale(keyId: string, limit: number, transaction: Transaction): Promise<SsoProviderRow[]> {
    return this.q(
      `SELECT ${COLUMNS} FROM sso_providers WHERE secret_key_id IS NOT NULL AND secret_key_id <> :keyId ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { keyId, limit }, transaction,
    );
  }

  async reseal(id: string, secret: Sealed, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query('UPDATE sso_providers SET secret_key_id = :keyId, secret = :data WHERE id = :id', {
      replacements: { id, keyId: secret.keyId, data: secret.data }, transaction,
    });
  }
}

export const newProviderId = (): string => randomUUID();
