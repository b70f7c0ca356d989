import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Actor } from '../actor.js';

export type UploadStatus = 'pending' | 'uploading' | 'finalized' | 'errored';

/** A state version announced through TFE, waiting for (or given) its bytes at the upload URL. */
export interface TfeStateUpload {
  id: string;
  tenantId: string;
  workspaceId: string;
  serial: number;
  lineage: string;
  md5: string;
  /** the TFE lock the announcing caller held: the write goes under it */
  lockId: string | null;
  /** who announced it (authenticated then): the upload URL itself carries no credential */
  actor: Actor;
  status: UploadStatus;
  stateVersionId: string | null;
  jsonUploaded: boolean;
  expiresAt: Date;
  createdAt: Date;
}

const COLUMNS = `id, tenant_id AS "tenantId", workspace_id AS "workspaceId", serial::float8 AS serial, lineage, md5, lock_id AS "lockId",
  actor, status, state_version_id AS "stateVersionId", json_uploaded AS "jsonUploaded", expires_at AS "expiresAt", created_at AS "createdAt"`;

/** Queries on `tfe_state_uploads`. An upload URL's token is stored as its SHA-256 only. */
export class TfeStateUploadRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(u: Omit<TfeStateUpload, 'status' | 'stateVersionId' | 'jsonUploaded' | 'createdAt'> & { tokenHash: string }, t?: Transaction): Promise<TfeStateUpload> {
    // Announcements nobody finished are of no use a day later.
    await this.sequelize.query("DELETE FROM tfe_state_uploads WHERE expires_at < now() - interval '1 day'", { transaction: t });
    const [row] = await this.sequelize.query<TfeStateUpload>(
      `INSERT INTO tfe_state_uploads (id, tenant_id, workspace_id, token_hash, serial, lineage, md5, lock_id, actor, expires_at)
       VALUES (:id, :tenantId, :workspaceId, :tokenHash, :serial, :lineage, :md5, :lockId, :actor, :expiresAt) RETURNING ${COLUMNS}`,
      { replacements: { ...u, actor: JSON.stringify(u.actor) }, type: QueryTypes.SELECT, transaction: t },
    );
    return row;
  }

  async find(tenantId: string, id: string): Promise<TfeStateUpload | null> {
    const [row] = await this.sequelize.query<TfeStateUpload>(
      `SELECT ${COLUMNS} FROM tfe_state_uploads WHERE tenant_id = :tenantId AND id = :id`, { replacements: { tenantId, id }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  /** Takes a pending upload for its raw state, once: null when the token is wrong, used or expired. */
  async claimContent(id: string, tokenHash: string, now: Date): Promise<TfeStateUpload | null> {
    const [row] = await this.sequelize.query<TfeStateUpload>(
      `UPDATE tfe_state_uploads SET status = 'uploading'
       WHERE id = :id AND token_hash = :tokenHash AND status = 'pending' AND expires_at > :now RETURNING ${COLUMNS}`,
      { replacements: { id, tokenHash, now }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  /** Marks the JSON state received, once; null when the token is wrong, used or expired. */
  async claimJson(id: string, tokenHash: string, now: Date): Promise<TfeStateUpload | null> {
    const [row] = await this.sequelize.query<TfeStateUpload>(
      `UPDATE tfe_state_uploads SET json_uploaded = true
       WHERE id = :id AND token_hash = :tokenHash AND NOT json_uploaded AND status <> 'errored' AND expires_at > :now RETURNING ${COLUMNS}`,
      { replacements: { id, tokenHash, now }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  async finish(id: string, status: UploadStatus, stateVersionId: string | null): Promise<void> {
    await this.sequelize.query('UPDATE tfe_state_uploads SET status = :status, state_version_id = :stateVersionId WHERE id = :id', {
      replacements: { id, status, stateVersionId },
    });
  }
}
