import { literal, Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { LockInfo } from './lock-info.js';
import type { StateRef } from './state-ref.js';
import type { StateModel, StateRow } from './state.model.js';
import type { StateVersion, StateVersionModel, StateVersionRow } from './state-version.model.js';

export type StateWithProject = StateRow & { projectName: string | null };
export type NewVersion = Omit<StateVersionRow, 'id' | 'createdAt'>;

const WITHOUT_DATA = { exclude: ['data', 'keyId'] as ('data' | 'keyId')[] };
const PROJECT_NAME = literal('(SELECT p.name FROM projects p WHERE p.id = "State".project_id)');

/** Queries over `states` and `state_versions`; returns plain objects. Rules live in the service. */
export class StateRepository {
  constructor(private readonly deps: { sequelize: Sequelize; states: StateModel; versions: StateVersionModel }) {}

  async findByRef(tenantId: string, ref: StateRef, t?: Transaction): Promise<StateRow | null> {
    const row = await this.deps.states.findOne({
      where: { tenantId, name: ref.name, workspace: ref.workspace }, transaction: t, lock: t ? t.LOCK.UPDATE : undefined,
    });
    return row ? row.get({ plain: true }) : null;
  }

  /** By id in the tenant; with a transaction the row is locked until it ends. */
  async findById(tenantId: string, id: string, t?: Transaction): Promise<StateWithProject | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.states.findOne({
      where: { tenantId, id }, attributes: { include: [[PROJECT_NAME, 'projectName']] }, transaction: t, lock: t ? t.LOCK.UPDATE : undefined,
    });
    return row ? (row.get({ plain: true }) as StateWithProject) : null;
  }

  /** Creates the state row unless it exists (concurrent creators are fine), then locks it. */
  async createAndLock(tenantId: string, ref: StateRef, projectId: string | null, t: Transaction): Promise<{ row: StateRow; created: boolean }> {
    const inserted = await this.deps.sequelize.query(
      `INSERT INTO states (tenant_id, name, workspace, project_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, name, workspace) DO NOTHING RETURNING id`,
      { bind: [tenantId, ref.name, ref.workspace, projectId], type: QueryTypes.SELECT, transaction: t },
    );
    const row = await this.findByRef(tenantId, ref, t);
    if (!row) throw new Error('state row vanished after insert');
    return { row, created: inserted.length > 0 };
  }

  /**
   * Takes the lock in one statement: creates the state row on first use (linked to the project of
   * that name), or locks a free one. Null when another lock holds it (or holds it under the same
   * ID: the caller reads the holder).
   */
  async takeLock(tenantId: string, ref: StateRef, lock: { info: LockInfo; by: string }, t?: Transaction): Promise<{ id: string; created: boolean } | null> {
    const [row] = await this.deps.sequelize.query<{ id: string; created: boolean }>(
      `INSERT INTO states (tenant_id, name, workspace, project_id, lock_id, lock_info, locked_at, locked_by)
       VALUES ($1, $2, $3, (SELECT p.id FROM projects p WHERE p.tenant_id = $1 AND (p.name = $2 OR p.id::text = $2) ORDER BY p.name = $2 DESC LIMIT 1), $4, $5, now(), $6)
       ON CONFLICT (tenant_id, name, workspace) DO UPDATE
         SET lock_id = EXCLUDED.lock_id, lock_info = EXCLUDED.lock_info, locked_at = EXCLUDED.locked_at, locked_by = EXCLUDED.locked_by, updated_at = now()
         WHERE states.lock_id IS NULL
       RETURNING id, (xmax = 0) AS created`,
      { bind: [tenantId, ref.name, ref.workspace, lock.info.ID, JSON.stringify(lock.info), lock.by], type: QueryTypes.SELECT, transaction: t },
    );
    return row ?? null;
  }

  /**
   * Frees the lock held by `lockId` in one statement; a state that was never written goes with its
   * lock (no version means no state). Null when that ID holds no lock there (the caller reads why).
   */
  async releaseLock(tenantId: string, ref: StateRef, lockId: string, t?: Transaction): Promise<Pick<StateRow, 'id' | 'lockInfo' | 'lockedBy'> | null> {
    const [row] = await this.deps.sequelize.query<{ id: string; lock_info: LockInfo | null; locked_by: string | null }>(
      `WITH target AS (
         SELECT id, lock_info, locked_by, current_version_id FROM states
         WHERE tenant_id = $1 AND name = $2 AND workspace = $3 AND lock_id = $4 FOR UPDATE
       ), gone AS (
         DELETE FROM states s USING target WHERE s.id = target.id AND target.current_version_id IS NULL RETURNING s.id
       ), freed AS (
         UPDATE states s SET lock_id = NULL, lock_info = NULL, locked_at = NULL, locked_by = NULL, updated_at = now()
         FROM target WHERE s.id = target.id AND target.current_version_id IS NOT NULL RETURNING s.id
       )
       SELECT id, lock_info, locked_by FROM target`,
      { bind: [tenantId, ref.name, ref.workspace, lockId], type: QueryTypes.SELECT, transaction: t },
    );
    return row ? { id: row.id, lockInfo: row.lock_info, lockedBy: row.locked_by } : null;
  }

  async setLock(id: string, lock: { info: LockInfo; by: string } | null, t: Transaction): Promise<void> {
    await this.deps.states.update(
      lock ? { lockId: lock.info.ID, lockInfo: lock.info, lockedAt: new Date(), lockedBy: lock.by } : { lockId: null, lockInfo: null, lockedAt: null, lockedBy: null },
      { where: { id }, transaction: t },
    );
  }

  /**
   * Inserts an immutable version and moves the state's current pointer to it, in one statement:
   * the ciphertext travels once (a bind parameter, sent binary) and nothing large comes back.
   */
  async addVersion(values: NewVersion, t: Transaction): Promise<StateVersion> {
    const v = values;
    const [row] = await this.deps.sequelize.query<{ id: string; created_at: Date }>(
      `WITH v AS (
         INSERT INTO state_versions (state_id, tenant_id, version, serial, lineage, md5, size, key_id, data, forced, created_by_kind, created_by_id, created_by_name, via)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id, created_at
       )
       UPDATE states SET current_version_id = v.id, latest_version = $3, serial = $4, lineage = $5, md5 = $6, size = $7, updated_at = now()
       FROM v WHERE states.id = $1 RETURNING v.id, v.created_at`,
      {
        bind: [v.stateId, v.tenantId, v.version, v.serial, v.lineage, v.md5, v.size, v.keyId, v.data, v.forced, v.createdByKind, v.createdById, v.createdByName, v.via],
        type: QueryTypes.SELECT, transaction: t,
      },
    );
    if (!row) throw new Error(`state ${v.stateId} vanished while a version was written`);
    const { data: _data, keyId: _keyId, ...meta } = v;
    return { ...meta, id: row.id, createdAt: row.created_at };
  }

  async list(tenantId: string): Promise<StateWithProject[]> {
    const rows = await this.deps.states.findAll({
      where: { tenantId }, attributes: { include: [[PROJECT_NAME, 'projectName']] }, order: [['name', 'ASC'], ['workspace', 'ASC']],
    });
    return rows.map((r) => r.get({ plain: true }) as StateWithProject);
  }

  async versions(stateId: string): Promise<StateVersion[]> {
    const rows = await this.deps.versions.findAll({ where: { stateId }, attributes: WITHOUT_DATA, order: [['version', 'DESC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  async versionMeta(versionId: string, t?: Transaction): Promise<StateVersion | null> {
    const row = await this.deps.versions.findOne({ where: { id: versionId }, attributes: WITHOUT_DATA, transaction: t });
    return row ? row.get({ plain: true }) : null;
  }

  /** A version's metadata by its id, within a tenant (TFE names versions by id alone). */
  async versionMetaInTenant(tenantId: string, id: string): Promise<StateVersion | null> {
    if (!isUuid(id)) return null;
    const row = await this.deps.versions.findOne({ where: { id, tenantId }, attributes: WITHOUT_DATA });
    return row ? row.get({ plain: true }) : null;
  }

  /** One version with its ciphertext, by id or by version number. */
  async versionWithData(stateId: string, ref: string): Promise<StateVersionRow | null> {
    let where: { stateId: string; id?: string; version?: number };
    if (isUuid(ref)) where = { stateId, id: ref };
    else if (/^[1-9]\d{0,9}$/.test(ref)) where = { stateId, version: Number(ref) };
    else return null;
    const row = await this.deps.versions.findOne({ where });
    return row ? row.get({ plain: true }) : null;
  }

  /** The current version of a state, with its ciphertext, in one query: null when the state or its version is not there. */
  async currentVersionWithData(tenantId: string, ref: StateRef): Promise<Pick<StateVersionRow, 'stateId' | 'version' | 'md5' | 'keyId' | 'data'> | null> {
    const [row] = await this.deps.sequelize.query<{ state_id: string; version: number; md5: string; key_id: string; data: Buffer }>(
      `SELECT v.state_id, v.version, v.md5, v.key_id, v.data FROM states s JOIN state_versions v ON v.id = s.current_version_id
       WHERE s.tenant_id = $1 AND s.name = $2 AND s.workspace = $3`,
      { bind: [tenantId, ref.name, ref.workspace], type: QueryTypes.SELECT },
    );
    return row ? { stateId: row.state_id, version: row.version, md5: row.md5, keyId: row.key_id, data: row.data } : null;
  }

  /**
   * Frees every lock taken under `lockedBy` (a crashed run's terraform cannot unlock what it
   * locked); states that were never written go with their lock. Returns how many were freed.
   */
  async releaseLocksHeldBy(lockedBy: string): Promise<number> {
    return this.deps.sequelize.transaction(async (t) => {
      const removed = await this.deps.sequelize.query(
        'DELETE FROM states WHERE locked_by = :lockedBy AND current_version_id IS NULL RETURNING id',
        { replacements: { lockedBy }, type: QueryTypes.SELECT, transaction: t },
      );
      const freed = await this.deps.sequelize.query(
        `UPDATE states SET lock_id = NULL, lock_info = NULL, locked_at = NULL, locked_by = NULL, updated_at = now()
         WHERE locked_by = :lockedBy RETURNING id`,
        { replacements: { lockedBy }, type: QueryTypes.SELECT, transaction: t },
      );
      return removed.length + freed.length;
    });
  }

  /**
   * Ids of up to `limit` versions sealed under another key than `keyId`, oldest first, locked
   * until the transaction ends (`SKIP LOCKED`: two rotators share the work).
   */
  async versionIdsNotUnderKey(keyId: string, limit: number, t: Transaction): Promise<string[]> {
    const rows = await this.deps.versions.findAll({
      attributes: ['id'], where: { keyId: { [Op.ne]: keyId } }, order: [['createdAt', 'ASC'], ['id', 'ASC']],
      limit, lock: t.LOCK.UPDATE, skipLocked: true, transaction: t,
    });
    return rows.map((r) => r.getDataValue('id'));
  }

  /** One version with its ciphertext, by id alone (key rotation). */
  async versionWithDataById(id: string, t: Transaction): Promise<StateVersionRow | null> {
    const row = await this.deps.versions.findByPk(id, { transaction: t });
    return row ? row.get({ plain: true }) : null;
  }

  /** Replaces a version's ciphertext; the plaintext, and so the version, is unchanged. */
  async resealVersion(id: string, sealed: { keyId: string; data: Buffer }, t: Transaction): Promise<void> {
    await this.deps.versions.update({ keyId: sealed.keyId, data: sealed.data }, { where: { id }, transaction: t });
  }

  async delete(id: string, t: Transaction): Promise<void> {
    await this.deps.states.destroy({ where: { id }, transaction: t }); // versions go with it (ON DELETE CASCADE)
  }
}
