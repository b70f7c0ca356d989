import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';
import type { CloudProvider } from './cloud-credential.schemas.js';

/** A cloud credential as stored: the secrets stay sealed here. */
export interface CloudCredentialRow {
  id: string;
  tenantId: string;
  name: string;
  provider: CloudProvider;
  credentialType: string;
  fieldNames: string[];
  fingerprint: string;
  secrets: Sealed;
  lastValidatedAt: Date | null;
  lastValidationOk: boolean | null;
  lastValidationMessage: string | null;
  lastValidationIdentity: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A credential without its ciphertext: what services hand to presenters. */
export type CloudCredential = Omit<CloudCredentialRow, 'secrets'>;

/** Binds sealed secrets to their row and tenant: a ciphertext copied to another row does not open. */
export function cloudCredentialAad(tenantId: string, id: string): string {
  return `cloud_credential:${tenantId}:${id}`;
}

export interface Validation {
  ok: boolean;
  message: string;
  identity: string | null;
  at: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", name, provider, credential_type AS "credentialType", field_names AS "fieldNames",
  fingerprint, key_id AS "keyId", data, last_validated_at AS "lastValidatedAt", last_validation_ok AS "lastValidationOk",
  last_validation_message AS "lastValidationMessage", last_validation_identity AS "lastValidationIdentity",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

type Raw = Omit<CloudCredentialRow, 'secrets'> & { keyId: string; data: Buffer };

function toRow({ keyId, data, ...rest }: Raw): CloudCredentialRow {
  return { ...rest, secrets: { keyId, data } };
}

/** Queries on cloud credentials; every one but key rotation's names the tenant. */
export class CloudCredentialRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private async q(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<CloudCredentialRow[]> {
    const rows = await this.deps.sequelize.query<Raw>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return rows.map(toRow);
  }

  list(tenantId: string): Promise<CloudCredentialRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM cloud_credentials WHERE tenant_id = :tenantId ORDER BY name, id`, { tenantId });
  }

  async find(tenantId: string, id: string, transaction?: Transaction, forUpdate = false): Promise<CloudCredentialRow | null> {
    const lock = forUpdate ? ' FOR UPDATE' : '';
    return (await this.q(`SELECT ${COLUMNS} FROM cloud_credentials WHERE tenant_id = :tenantId AND id = :id${lock}`, { tenantId, id }, transaction))[0] ?? null;
  }

  /** `id` is chosen by the caller: the sealed secrets are bound to it before the row exists. */
  async insert(
    v: { id: string; tenantId: string; name: string; provider: CloudProvider; credentialType: string; fieldNames: string[]; fingerprint: string; secrets: Sealed; createdBy: string },
    transaction?: Transaction,
  ): Promise<CloudCredentialRow> {
    const rows = await this.q(
      `INSERT INTO cloud_credentials (id, tenant_id, name, provider, credential_type, field_names, fingerprint, key_id, data, created_by)
       VALUES (:id, :tenantId, :name, :provider, :credentialType, ARRAY[:fieldNames]::text[], :fingerprint, :keyId, :data, :createdBy)
       RETURNING ${COLUMNS}`,
      { ...v, keyId: v.secrets.keyId, data: v.secrets.data },
      transaction,
    );
    return rows[0]!;
  }

  async rename(tenantId: string, id: string, name: string, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(`UPDATE cloud_credentials SET name = :name, updated_at = now() WHERE tenant_id = :tenantId AND id = :id`, {
      replacements: { tenantId, id, name }, transaction,
    });
  }

  /** New secrets: what was validated before says nothing about them. */
  async replaceSecrets(
    tenantId: string, id: string, v: { credentialType: string; fieldNames: string[]; fingerprint: string; secrets: Sealed }, transaction: Transaction,
  ): Promise<void> {
    await this.deps.sequelize.query(
      `UPDATE cloud_credentials SET credential_type = :credentialType, field_names = ARRAY[:fieldNames]::text[], fingerprint = :fingerprint,
         key_id = :keyId, data = :data, last_validated_at = NULL, last_validation_ok = NULL, last_validation_message = NULL,
         last_validation_identity = NULL, updated_at = now()
       WHERE tenant_id = :tenantId AND id = :id`,
      { replacements: { tenantId, id, ...v, keyId: v.secrets.keyId, data: v.secrets.data }, transaction },
    );
  }

  /** Records a validation, unless the secrets changed since they were read (`fingerprint`). */
  async recordValidation(tenantId: string, id: string, fingerprint: string, v: Validation): Promise<void> {
    await this.deps.sequelize.query(
      `UPDATE cloud_credentials SET last_validated_at = :at, last_validation_ok = :ok, last_validation_message = :message, last_validation_identity = :identity
       WHERE tenant_id = :tenantId AND id = :id AND fingerprint = :fingerprint`,
      { replacements: { tenantId, id, fingerprint, ...v } },
    );
  }

  async delete(tenantId: string, id: string, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(`DELETE FROM cloud_credentials WHERE tenant_id = :tenantId AND id = :id`, { replacements: { tenantId, id }, transaction });
  }

  /** Names of the projects and environments that name this credential (deleting it is refused while any do). */
  async users(tenantId: string, id: string, transaction?: Transaction): Promise<{ kind: 'project' | 'environment'; name: string }[]> {
    return this.deps.sequelize.query<{ kind: 'project' | 'environment'; name: string }>(
      `SELECT 'project' AS kind, name FROM projects WHERE tenant_id = :tenantId AND cloud_credential_id = :id
       UNION ALL SELECT 'environment' AS kind, name FROM environments WHERE tenant_id = :tenantId AND cloud_credential_id = :id
       ORDER BY kind DESC, name`,
      { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
    );
  }

  /**
   * The credential a run of this project gets: the project's own, else its environment's. Both
   * lookups and the credential are in the run's tenant, so no run can reach another tenant's.
   */
  async forRun(tenantId: string, projectId: string | null, environmentId: string | null): Promise<CloudCredentialRow | null> {
    if (!projectId && !environmentId) return null;
    return (await this.q(
      `SELECT ${COLUMNS} FROM cloud_credentials c WHERE c.tenant_id = :tenantId AND c.id = COALESCE(
         (SELECT cloud_credential_id FROM projects WHERE tenant_id = :tenantId AND id = :projectId),
         (SELECT e.cloud_credential_id FROM environments e WHERE e.tenant_id = :tenantId AND e.id = COALESCE(
            (SELECT environment_id FROM projects WHERE tenant_id = :tenantId AND id = :projectId), :environmentId)))`,
      { tenantId, projectId, environmentId },
    ))[0] ?? null;
  }

  /** Every sealed secret, for key rotation (few rows: one transaction). */
  all(transaction: Transaction): Promise<CloudCredentialRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM cloud_credentials ORDER BY id FOR UPDATE`, {}, transaction);
  }

  async reseal(id: string, secrets: Sealed, transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query(`UPDATE cloud_credentials SET key_id = :keyId, data = :data WHERE id = :id`, {
      replacements: { id, keyId: secrets.keyId, data: secrets.data }, transaction,
    });
  }
}

export function newCredentialId(): string {
  return randomUUID();
}
