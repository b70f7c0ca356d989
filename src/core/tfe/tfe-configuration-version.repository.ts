import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Actor } from '../actor.js';
import type { Encryptor, Sealed } from '../secrets/encryption.js';

export type ConfigurationVersionStatus = 'pending' | 'uploaded' | 'errored';

/** A configuration version: an upload of a configuration (tar.gz) for remote runs of a workspace. */
export interface TfeConfigurationVersion {
  id: string;
  tenantId: string;
  workspaceId: string;
  status: ConfigurationVersionStatus;
  errorMessage: string | null;
  autoQueueRuns: boolean;
  speculative: boolean;
  provisional: boolean;
  uploadExpiresAt: Date;
  archiveSha256: string | null;
  archiveSize: number | null;
  /** who created it (authenticated then): the upload URL itself carries no credential */
  actor: Actor;
  createdAt: Date;
  uploadedAt: Date | null;
}

const COLUMNS = `id, tenant_id AS "tenantId", workspace_id AS "workspaceId", status, error_message AS "errorMessage",
  auto_queue_runs AS "autoQueueRuns", speculative, provisional, upload_expires_at AS "uploadExpiresAt",
  archive_sha256 AS "archiveSha256", archive_size AS "archiveSize", actor, created_at AS "createdAt", uploaded_at AS "uploadedAt"`;

/** Binds an archive's ciphertext to its configuration version: a blob copied to another row does not open. */
export const archiveAad = (id: string) => `tfe-configuration-version:${id}`;

/** Queries on `tfe_configuration_versions`; the upload token is kept as its SHA-256, the archive sealed. */
export class TfeConfigurationVersionRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(cv: Omit<TfeConfigurationVersion, 'status' | 'errorMessage' | 'archiveSha256' | 'archiveSize' | 'createdAt' | 'uploadedAt'> & { tokenHash: string }): Promise<TfeConfigurationVersion> {
    const [row] = await this.sequelize.query<TfeConfigurationVersion>(
      `INSERT INTO tfe_configuration_versions (id, tenant_id, workspace_id, auto_queue_runs, speculative, provisional, upload_token_hash, upload_expires_at, actor)
       VALUES (:id, :tenantId, :workspaceId, :autoQueueRuns, :speculative, :provisional, :tokenHash, :uploadExpiresAt, :actor) RETURNING ${COLUMNS}`,
      { replacements: { ...cv, actor: JSON.stringify(cv.actor) }, type: QueryTypes.SELECT },
    );
    return row;
  }

  async find(tenantId: string, id: string, t?: Transaction): Promise<TfeConfigurationVersion | null> {
    const [row] = await this.sequelize.query<TfeConfigurationVersion>(
      `SELECT ${COLUMNS} FROM tfe_configuration_versions WHERE tenant_id = :tenantId AND id = :id`, { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction: t },
    );
    return row ?? null;
  }

  async list(tenantId: string, workspaceId: string, limit: number, offset: number): Promise<{ items: TfeConfigurationVersion[]; total: number }> {
    const replacements = { tenantId, workspaceId, limit, offset };
    const items = await this.sequelize.query<TfeConfigurationVersion>(
      `SELECT ${COLUMNS} FROM tfe_configuration_versions WHERE tenant_id = :tenantId AND workspace_id = :workspaceId ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset`,
      { replacements, type: QueryTypes.SELECT },
    );
    const [count] = await this.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM tfe_configuration_versions WHERE tenant_id = :tenantId AND workspace_id = :workspaceId', { replacements, type: QueryTypes.SELECT });
    return { items, total: Number(count.n) };
  }

  /** The workspace's newest uploaded configuration that is not a speculative plan's (what a run trigger queues from). */
  async latestUploaded(tenantId: string, workspaceId: string): Promise<TfeConfigurationVersion | null> {
    const [row] = await this.sequelize.query<TfeConfigurationVersion>(
      `SELECT ${COLUMNS} FROM tfe_configuration_versions WHERE tenant_id = :tenantId AND workspace_id = :workspaceId AND status = 'uploaded' AND NOT speculative
       ORDER BY uploaded_at DESC LIMIT 1`,
      { replacements: { tenantId, workspaceId }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  /**
   * Takes the upload URL, once: the token's row, still pending and unexpired, stops being
   * uploadable in the same statement. null when the token is wrong, used or expired.
   */
  async claimUpload(id: string, tokenHash: string, now: Date): Promise<TfeConfigurationVersion | null> {
    const [row] = await this.sequelize.query<TfeConfigurationVersion>(
      `UPDATE tfe_configuration_versions SET upload_token_hash = NULL
       WHERE id = :id AND upload_token_hash = :tokenHash AND status = 'pending' AND upload_expires_at > :now RETURNING ${COLUMNS}`,
      { replacements: { id, tokenHash, now }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  async markUploaded(id: string, sealed: Sealed, sha256: string, size: number, t?: Transaction): Promise<void> {
    await this.sequelize.query(
      `UPDATE tfe_configuration_versions SET status = 'uploaded', archive_key_id = :keyId, archive_sealed = :data, archive_sha256 = :sha256, archive_size = :size, uploaded_at = now()
       WHERE id = :id`,
      { replacements: { id, keyId: sealed.keyId, data: sealed.data, sha256, size }, transaction: t },
    );
  }

  async markErrored(id: string, message: string): Promise<void> {
    await this.sequelize.query("UPDATE tfe_configuration_versions SET status = 'errored', error_message = :message WHERE id = :id", { replacements: { id, message } });
  }

  async archive(tenantId: string, id: string): Promise<Sealed | null> {
    const [row] = await this.sequelize.query<{ keyId: string; data: Buffer }>(
      `SELECT archive_key_id AS "keyId", archive_sealed AS data FROM tfe_configuration_versions WHERE tenant_id = :tenantId AND id = :id AND archive_sealed IS NOT NULL`,
      { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  /** `atlantas rotate-key`: re-seals up to `limit` archives still under an old key. */
  async resealBatch(encryptor: Encryptor, limit: number, t: Transaction): Promise<number> {
    const rows = await this.sequelize.query<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, archive_key_id AS "keyId", archive_sealed AS data FROM tfe_configuration_versions
       WHERE archive_sealed IS NOT NULL AND archive_key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { replacements: { current: encryptor.currentKeyId, limit }, type: QueryTypes.SELECT, transaction: t },
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, archiveAad(row.id)), archiveAad(row.id));
      await this.sequelize.query('UPDATE tfe_configuration_versions SET archive_key_id = :keyId, archive_sealed = :data WHERE id = :id', {
        replacements: { id: row.id, keyId: sealed.keyId, data: sealed.data }, transaction: t,
      });
    }
    return rows.length;
  }
}
