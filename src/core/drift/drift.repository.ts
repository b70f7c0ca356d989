import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';
import type { DriftCheckStatus, DriftCounts, DriftDetails, DriftHistoryEntry, DriftRecord, DriftTarget } from './drift-record.js';

const RECORD = `id, tenant_id AS "tenantId", project_id AS "projectId", environment_id AS "environmentId", repo_full_name AS "repoFullName",
  dir, workspace, project_name AS "projectName", ref, commit_sha AS "commitSha", status, reason, check_id AS "checkId",
  refresh_run_id AS "refreshRunId", plan_run_id AS "planRunId", has_drift AS "hasDrift", to_add AS "toAdd", to_change AS "toChange",
  to_destroy AS "toDestroy", to_import AS "toImport", summary, changes_outside AS "changesOutside", pending_code_changes AS "pendingCodeChanges",
  details_key_id AS "detailsKeyId", details_sealed AS "detailsSealed", fingerprint, episode, notified_fingerprint AS "notifiedFingerprint",
  last_checked_at AS "lastCheckedAt", resolved_at AS "resolvedAt", resolved_by AS "resolvedBy", created_at AS "createdAt", updated_at AS "updatedAt",
  (SELECT p.name FROM projects p WHERE p.id = drift_records.project_id AND p.tenant_id = drift_records.tenant_id) AS "registeredProjectName"`;

const HISTORY = `id, record_id AS "recordId", check_id AS "checkId", status, reason, has_drift AS "hasDrift", to_add AS "toAdd", to_change AS "toChange",
  to_destroy AS "toDestroy", to_import AS "toImport", summary, fingerprint, commit_sha AS "commitSha", refresh_run_id AS "refreshRunId",
  plan_run_id AS "planRunId", checked_at AS "checkedAt"`;

type Row = Omit<DriftRecord, 'counts' | 'details'> & DriftCounts & { detailsKeyId: string | null; detailsSealed: Buffer | null };

export interface DriftFilter {
  repoFullName?: string;
  projectName?: string;
  workspace?: string;
  projectId?: string;
  environmentId?: string;
  hasDrift?: boolean;
  ids?: string[];
}

/** What a finished check writes into its record. */
export interface DriftResult {
  status: DriftCheckStatus;
  reason: string | null;
  commitSha: string | null;
  hasDrift?: boolean;
  counts?: DriftCounts;
  summary?: string;
  changesOutside?: boolean;
  pendingCodeChanges?: boolean;
  details?: DriftDetails;
  fingerprint?: string;
  episode?: number;
  notifiedFingerprint?: string | null;
}

/** Binds a record's sealed details to its row. */
const detailsAad = (recordId: string) => `drift-details:${recordId}`;

/**
 * Queries on drift records and their history, always within one tenant. The drifted resources
 * (addresses carry for_each keys, which can be names of real things) are sealed like a run's.
 */
export class DriftRepository {
  constructor(private readonly deps: { sequelize: Sequelize; encryptor: Encryptor }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  /** The target's record, created if new, now `checking` under `checkId`; earlier results stay until the check ends. */
  async begin(tenantId: string, t: DriftTarget, checkId: string, transaction?: Transaction): Promise<DriftRecord> {
    const [row] = await this.q<Row>(
      `INSERT INTO drift_records (id, tenant_id, project_id, environment_id, repo_full_name, dir, workspace, project_name, ref, status, check_id)
       VALUES (:id, :tenantId, :projectId, :environmentId, :repoFullName, :dir, :workspace, :projectName, :ref, 'checking', :checkId)
       ON CONFLICT (tenant_id, repo_full_name, dir, workspace, project_name) DO UPDATE SET
         status = 'checking', check_id = :checkId, ref = :ref, reason = NULL, refresh_run_id = NULL, plan_run_id = NULL,
         project_id = COALESCE(:projectId, drift_records.project_id), environment_id = COALESCE(:environmentId, drift_records.environment_id), updated_at = now()
       RETURNING ${RECORD}`,
      { id: randomUUID(), tenantId, checkId, ...t },
      transaction,
    );
    return this.open(row);
  }

  /** Records which runs the check queued; a newer check of the same target wins (nothing is written then). */
  async setRuns(id: string, checkId: string, runs: { refreshRunId?: string; planRunId?: string }): Promise<void> {
    await this.q(
      `UPDATE drift_records SET refresh_run_id = COALESCE(:refresh, refresh_run_id), plan_run_id = COALESCE(:plan, plan_run_id), updated_at = now()
       WHERE id = :id AND check_id = :checkId RETURNING id`,
      { id, checkId, refresh: runs.refreshRunId ?? null, plan: runs.planRunId ?? null },
    );
  }

  async getForUpdate(id: string, transaction: Transaction): Promise<DriftRecord | null> {
    const [row] = await this.q<Row>(`SELECT ${RECORD} FROM drift_records WHERE id = :id FOR UPDATE`, { id }, transaction);
    return row ? this.open(row) : null;
  }

  async finish(record: DriftRecord, r: DriftResult, now: Date, transaction: Transaction): Promise<void> {
    const sealed = r.details ? this.deps.encryptor.seal(JSON.stringify(r.details), detailsAad(record.id)) : null;
    const checked = r.status === 'checked';
    await this.q(
      // A person's "resolved" holds until a check finds different drift (columns on the right are the old values).
      `UPDATE drift_records SET status = :status, reason = :reason, commit_sha = COALESCE(:commitSha, commit_sha), last_checked_at = :now, updated_at = :now
       ${checked ? `, has_drift = :hasDrift, to_add = :toAdd, to_change = :toChange, to_destroy = :toDestroy, to_import = :toImport, summary = :summary,
         changes_outside = :changesOutside, pending_code_changes = :pendingCodeChanges, details_key_id = :keyId, details_sealed = :data,
         fingerprint = :fingerprint, episode = :episode, notified_fingerprint = :notified,
         resolved_at = CASE WHEN :hasDrift AND fingerprint IS DISTINCT FROM :fingerprint THEN NULL ELSE resolved_at END,
         resolved_by = CASE WHEN :hasDrift AND fingerprint IS DISTINCT FROM :fingerprint THEN NULL ELSE resolved_by END` : ''}
       WHERE id = :id RETURNING id`,
      {
        id: record.id, status: r.status, reason: r.reason, commitSha: r.commitSha, now,
        hasDrift: r.hasDrift ?? null, ...(r.counts ?? zero()), summary: r.summary ?? null, changesOutside: !!r.changesOutside,
        pendingCodeChanges: !!r.pendingCodeChanges, keyId: sealed?.keyId ?? null, data: sealed?.data ?? null,
        fingerprint: r.fingerprint ?? null, episode: r.episode ?? record.episode, notified: r.notifiedFingerprint ?? null,
      },
      transaction,
    );
    await this.q(
      `INSERT INTO drift_history (id, tenant_id, record_id, check_id, status, reason, has_drift, to_add, to_change, to_destroy, to_import, summary,
         fingerprint, commit_sha, refresh_run_id, plan_run_id, checked_at)
       VALUES (:hid, :tenantId, :id, :checkId, :status, :reason, :hasDrift, :toAdd, :toChange, :toDestroy, :toImport, :summary, :fingerprint,
         :commitSha, :refresh, :plan, :now) RETURNING id`,
      {
        hid: randomUUID(), tenantId: record.tenantId, id: record.id, checkId: record.checkId ?? randomUUID(), status: r.status, reason: r.reason,
        hasDrift: checked ? (r.hasDrift ?? null) : null, ...(r.counts ?? zero()), summary: r.summary ?? null, fingerprint: r.fingerprint ?? null,
        commitSha: r.commitSha, refresh: record.refreshRunId, plan: record.planRunId, now,
      },
      transaction,
    );
  }

  /** A person says the drift is dealt with: kept until a check finds it gone or different. */
  async markResolved(tenantId: string, ids: string[], by: string, now: Date, transaction: Transaction): Promise<void> {
    if (!ids.length) return;
    await this.q(`UPDATE drift_records SET resolved_at = :now, resolved_by = :by, updated_at = :now WHERE tenant_id = :tenantId AND id IN (:ids) RETURNING id`, { tenantId, ids, by, now }, transaction);
  }

  /** An environment's drift_status from its records: drifted when any has drift, in_sync when all checked clean. */
  async setEnvironmentStatus(environmentId: string, transaction: Transaction): Promise<void> {
    await this.q(
      `UPDATE environments e SET drift_status = s.status, last_drift_check_at = s.checked, updated_at = now()
       FROM (SELECT CASE WHEN bool_or(has_drift IS TRUE AND resolved_at IS NULL) THEN 'drifted'
                         WHEN bool_or(has_drift IS TRUE) THEN 'resolved'
                         WHEN bool_and(has_drift IS FALSE) THEN 'in_sync' ELSE 'unknown' END AS status,
                    max(last_checked_at) AS checked
             FROM drift_records WHERE environment_id = :environmentId) s
       WHERE e.id = :environmentId RETURNING e.id`,
      { environmentId }, transaction,
    );
  }

  async list(tenantId: string, f: DriftFilter = {}, transaction?: Transaction): Promise<DriftRecord[]> {
    if (f.ids && !f.ids.length) return [];
    const where = ['tenant_id = :tenantId'];
    if (f.repoFullName) where.push('lower(repo_full_name) = lower(:repoFullName)');
    if (f.projectName !== undefined) where.push("(project_name = :projectName OR (project_name = '' AND dir = :projectName) OR project_id::text = :projectName"
      + " OR (project_name = '' AND project_id IN (SELECT id FROM projects WHERE tenant_id = :tenantId AND name = :projectName)))");
    if (f.workspace) where.push('workspace = :workspace');
    if (f.projectId) where.push('project_id = :projectId');
    if (f.environmentId) where.push('environment_id = :environmentId');
    if (f.hasDrift !== undefined) where.push(f.hasDrift ? 'has_drift IS TRUE' : 'has_drift IS NOT TRUE');
    if (f.ids) where.push('id IN (:ids)');
    const rows = await this.q<Row>(`SELECT ${RECORD} FROM drift_records WHERE ${where.join(' AND ')} ORDER BY repo_full_name, dir, workspace, project_name`, { tenantId, ...f }, transaction);
    return rows.map((r) => this.open(r));
  }

  async history(tenantId: string, recordId: string, limit: number): Promise<DriftHistoryEntry[]> {
    const rows = await this.q<DriftHistoryEntry & DriftCounts>(
      `SELECT ${HISTORY} FROM drift_history WHERE tenant_id = :tenantId AND record_id = :recordId ORDER BY checked_at DESC, id LIMIT :limit`,
      { tenantId, recordId, limit },
    );
    return rows.map(({ toAdd, toChange, toDestroy, toImport, ...h }) => ({ ...h, counts: { toAdd, toChange, toDestroy, toImport } }));
  }

  /** `atlantas rotate-key`: re-seals a batch of details not under the current key; returns how many. */
  async resealBatch(encryptor: Encryptor, limit: number, transaction: Transaction): Promise<number> {
    const rows = await this.q<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, details_key_id AS "keyId", details_sealed AS data FROM drift_records
       WHERE details_key_id IS NOT NULL AND details_key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE`,
      { current: encryptor.currentKeyId, limit }, transaction,
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, detailsAad(row.id)), detailsAad(row.id));
      await this.q(`UPDATE drift_records SET details_key_id = :keyId, details_sealed = :data WHERE id = :id RETURNING id`, { id: row.id, ...sealed }, transaction);
    }
    return rows.length;
  }

  private open(row: Row): DriftRecord {
    const { toAdd, toChange, toDestroy, toImport, detailsKeyId, detailsSealed, ...rest } = row;
    const details = detailsKeyId && detailsSealed
      ? (JSON.parse(this.deps.encryptor.openString({ keyId: detailsKeyId, data: detailsSealed }, detailsAad(row.id))) as DriftDetails)
      : null;
    return { ...rest, counts: { toAdd, toChange, toDestroy, toImport }, details };
  }
}

function zero(): DriftCounts {
  return { toAdd: 0, toChange: 0, toDestroy: 0, toImport: 0 };
}
