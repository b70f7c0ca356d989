import { randomUUID } from 'node:crypto';
import { literal, Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { RunPosition } from './run-cursor.js';
import type { Run, RunModel } from './run.model.js';
import type { Sealed } from '../secrets/encryption.js';
import { SEALED_RUN_COLUMNS, SEALED_RUN_FIELDS, type RunRow, type RunSealer, type SealedRunField } from './run-sealing.js';
import { ACTIVE_STATUSES, CLAIMABLE_STATUSES, TERMINAL_STATUSES, type RunStatus } from './run-status.js';

export interface RunFilter {
  tenantId: string;
  status?: RunStatus[];
  projectId?: string;
  environmentId?: string;
  repoFullName?: string;
  prNumber?: number;
  batchId?: string;
  scheduledOnly?: boolean;
  limit: number;
  offset: number;
}

const list = (xs: readonly string[]) => xs.map((s) => `'${s}'`).join(', ');

type Row = { get(o: { plain: true }): RunRow };

const NEWEST_FIRST: [string, string][] = [['createdAt', 'DESC'], ['id', 'DESC']];
/** A run's created_at to the microsecond, UTC: what a keyset cursor must carry (run-cursor.ts). */
const POSITION = literal(`to_char("Run".created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`);

function whereOf(filter: RunFilter): Record<string | symbol, unknown> {
  const where: Record<string | symbol, unknown> = { tenantId: filter.tenantId };
  if (filter.status?.length) where.status = { [Op.in]: filter.status };
  if (filter.projectId) where.projectId = filter.projectId;
  if (filter.environmentId) where.environmentId = filter.environmentId;
  if (filter.repoFullName) where.repoFullName = filter.repoFullName;
  if (filter.prNumber !== undefined) where.prNumber = filter.prNumber;
  if (filter.batchId) where.batchId = filter.batchId;
  if (filter.scheduledOnly) Object.assign(where, { status: 'pending', scheduledAt: { [Op.gt]: new Date() } });
  return where;
}

/**
 * Queries on runs: plain objects out. The claim is the heart of the queue. What a run holds from
 * terraform is sealed on the way in and opened on the way out (run-sealing.ts).
 */
export class RunRepository {
  constructor(private readonly deps: { sequelize: Sequelize; model: RunModel; sealer: RunSealer }) {}

  async get(tenantId: string, id: string, transaction?: Transaction): Promise<Run | null> {
    const row = await this.deps.model.findOne({ where: { id, tenantId }, transaction });
    return row ? this.open(row) : null;
  }

  async getForUpdate(tenantId: string, id: string, transaction: Transaction): Promise<Run | null> {
    const row = await this.deps.model.findOne({ where: { id, tenantId }, transaction, lock: transaction.LOCK.UPDATE });
    return row ? this.open(row) : null;
  }

  async insert(values: Partial<Run> & Pick<Run, 'tenantId' | 'operation' | 'source' | 'repoFullName' | 'actorKind' | 'actorName' | 'via'>, transaction: Transaction): Promise<Run> {
    const id = values.id ?? randomUUID(); // the ciphertexts are bound to it
    const row = await this.deps.model.create(this.deps.sealer.seal(id, { ...values, id }), { transaction });
    return this.open(row);
  }

  async update(id: string, values: Partial<Run>, options: { transaction?: Transaction; onlyIfStatus?: RunStatus[] } = {}): Promise<boolean> {
    const where: WhereOptions<RunRow> = { id };
    if (options.onlyIfStatus) Object.assign(where, { status: { [Op.in]: options.onlyIfStatus } });
    const [n] = await this.deps.model.update(this.deps.sealer.seal(id, values), { where, transaction: options.transaction });
    return n > 0;
  }

  /**
   * A run's end in one statement (a data-modifying CTE, atomic without a transaction of its
   * own): its row updated, when `onlyIfStatus` still holds (the update is the claim), and only
   * then what it held deleted with it: its saved plan, and its actor locks unless
   * `releaseActorLocks` is false (a run that stays planned keeps them). One round trip instead of
   * a transaction of four. Whether the update took the row.
   */
  async end(id: string, values: Partial<Run>, options: { transaction?: Transaction; onlyIfStatus?: RunStatus[]; releaseActorLocks: boolean }): Promise<boolean> {
    const { model, sequelize } = this.deps;
    const attributes = model.getAttributes() as Record<string, { field?: string }>;
    const fields: Record<string, unknown> = {};
    // as model.update does: undefined values are left out, updated_at is now
    for (const [name, value] of Object.entries({ ...this.deps.sealer.seal(id, values), updatedAt: new Date() })) {
      if (value === undefined) continue;
      const field = attributes[name]?.field;
      if (!field) throw new Error(`runs has no column for ${name}`);
      fields[field] = value;
    }
    const byField = Object.fromEntries(Object.values(attributes).map((a) => [a.field, a]));
    const where: WhereOptions<RunRow> = { id };
    if (options.onlyIfStatus) Object.assign(where, { status: { [Op.in]: options.onlyIfStatus } });
    // the UPDATE model.update would send (bind parameters, typed by the columns)
    const generator = (sequelize.getQueryInterface() as unknown as { queryGenerator: { updateQuery(...args: unknown[]): { query: string; bind: unknown[] } } }).queryGenerator;
    const update = generator.updateQuery(model.getTableName(), fields, where, {}, byField);
    const rows = await sequelize.query<{ n: number }>(
      `WITH ended AS (${update.query.replace(/;\s*$/, '')} RETURNING id),
            plans AS (DELETE FROM run_plans WHERE run_id IN (SELECT id FROM ended)),
            locks AS (DELETE FROM project_locks WHERE ${options.releaseActorLocks ? '' : 'false AND '}holder_kind = 'actor' AND run_id IN (SELECT id FROM ended))
       SELECT count(*)::int AS n FROM ended`,
      { bind: update.bind, type: QueryTypes.SELECT, transaction: options.transaction },
    );
    return (rows[0]?.n ?? 0) > 0;
  }

  async find(filter: RunFilter): Promise<{ runs: Run[]; total: number }> {
    const { rows, count } = await this.deps.model.findAndCountAll({
      where: whereOf(filter),
      order: filter.scheduledOnly ? [['scheduledAt', 'ASC']] : NEWEST_FIRST,
      limit: filter.limit,
      offset: filter.offset,
    });
    return { runs: rows.map((r) => this.open(r)), total: count };
  }

  /**
   * One page of runs, newest first. After a position it is a keyset page: a range of the index
   * runs_tenant_created_id_idx, as fast a hundred thousand runs deep as on the first page;
   * otherwise `offset` rows are skipped. One row past the limit says whether a next page exists.
   * The total is counted only when asked (it costs a scan of the tenant's runs).
   */
  async page(filter: RunFilter, after: RunPosition | null, count: boolean): Promise<{ runs: Run[]; total: number | null; next: RunPosition | null }> {
    const where = whereOf(filter);
    const keyset = after
      ? [literal(`("Run".created_at, "Run".id) < (${this.deps.sequelize.escape(after.createdAt)}::timestamp AT TIME ZONE 'UTC', ${this.deps.sequelize.escape(after.id)}::uuid)`)]
      : [];
    const [rows, total] = await Promise.all([
      this.deps.model.findAll({
        where: { [Op.and]: [where, ...keyset] } as WhereOptions<RunRow>,
        attributes: { include: [[POSITION, 'position']] },
        order: NEWEST_FIRST, limit: filter.limit + 1, offset: after ? 0 : filter.offset,
        raw: true, // plain rows: a page is read, never saved, and model instances cost more than the query
      }) as unknown as Promise<(RunRow & { position?: string })[]>,
      count ? this.deps.model.count({ where: where as WhereOptions<RunRow> }) : null,
    ]);
    const last = rows.length > filter.limit ? rows[filter.limit - 1] : undefined;
    const next = last ? { createdAt: last.position!, id: last.id } : null;
    const runs = rows.slice(0, filter.limit).map((row) => {
      delete row.position;
      return this.deps.sealer.open(row);
    });
    return { runs, total, next };
  }

  /** Unstarted or unapplied runs of one project by one holder (a PR number, or null outside PRs). */
  async findWaiting(tenantId: string, t: Pick<Run, 'repoFullName' | 'dir' | 'workspace' | 'projectName'>, prNumber: number | null, transaction: Transaction): Promise<Run[]> {
    const rows = await this.deps.model.findAll({
      where: {
        tenantId, repoFullName: t.repoFullName, dir: t.dir, workspace: t.workspace, projectName: t.projectName, prNumber,
        status: { [Op.in]: ['planned', 'pending'] },
      },
      transaction, lock: transaction.LOCK.UPDATE,
    });
    return rows.map((r) => this.open(r));
  }

  /** A run by id alone: for code that already checked its tenant. */
  async getById(id: string, transaction?: Transaction): Promise<Run | null> {
    const row = await this.deps.model.findOne({ where: { id }, transaction });
    return row ? this.open(row) : null;
  }

  /**
   * The decision to apply, as one conditional update: planned → confirmed. False when the run is
   * no longer planned (applied, discarded, superseded, expired, canceled) or not the tenant's.
   */
  async confirmIfPlanned(tenantId: string, id: string, approvedBy: string, transaction: Transaction): Promise<boolean> {
    const [n] = await this.deps.model.update(
      { status: 'confirmed', approvedBy, approvedAt: new Date() },
      { where: { id, tenantId, status: 'planned' }, transaction },
    );
    return n > 0;
  }

  /** Planned runs outside pull requests (kept plans, apply runs waiting) that planned before `cutoff`, every tenant. */
  async findPlannedOutsidePullRequests(cutoff: Date): Promise<Run[]> {
    const rows = await this.deps.model.findAll({ where: { status: 'planned', prNumber: null, plannedAt: { [Op.lt]: cutoff } }, order: [['plannedAt', 'ASC']], limit: 500 });
    return rows.map((r) => this.open(r));
  }

  async findByIds(ids: string[]): Promise<Run[]> {
    if (!ids.length) return [];
    const rows = await this.deps.model.findAll({ where: { id: { [Op.in]: ids } } });
    return rows.map((r) => this.open(r));
  }

  /**
   * Claims the oldest runnable run: pending or confirmed, due, no active run on the same
   * repo/dir/workspace, dependencies finished. SKIP LOCKED lets many workers and replicas claim
   * concurrently; the partial unique index on active runs settles the remaining race.
   */
  async claim(workerId: string, poolId: string | null = null): Promise<Run | null> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const rows = await this.deps.sequelize.query(
          `UPDATE runs SET status = CASE WHEN runs.status = 'confirmed' THEN 'applying' ELSE 'planning' END,
                  worker_id = :workerId, heartbeat_at = now(), started_at = COALESCE(runs.started_at, now()), updated_at = now()
           FROM (
             SELECT r.id FROM runs r
             WHERE r.status IN (${list(CLAIMABLE_STATUSES)})
               AND (r.scheduled_at IS NULL OR r.scheduled_at <= now())
               AND NOT EXISTS (SELECT 1 FROM runs a WHERE a.tenant_id = r.tenant_id AND a.repo_full_name = r.repo_full_name
                               AND a.dir = r.dir AND a.workspace = r.workspace AND a.status IN (${list(ACTIVE_STATUSES)}))
               -- a plan waits for its dependencies' plans; an apply waits until they are applied (or ended)
               AND NOT EXISTS (SELECT 1 FROM runs d WHERE d.id = ANY(r.depends_on_run_ids)
                               AND (d.status NOT IN (${list(TERMINAL_STATUSES)}) AND NOT (r.status = 'pending' AND d.status = 'planned')))
               -- a run waits for a runner of its own pool, else its project's, else its tenant's default; without one, for an in-process worker
               AND COALESCE(r.runner_pool_id, (SELECT p.runner_pool_id FROM projects p WHERE p.id = r.project_id),
                            (SELECT t.default_runner_pool_id FROM tenants t WHERE t.id = r.tenant_id)) IS NOT DISTINCT FROM CAST(:poolId AS uuid)
             ORDER BY (r.status = 'confirmed') DESC, r.created_at, r.id
             LIMIT 1
             FOR UPDATE OF r SKIP LOCKED
           ) c
           WHERE runs.id = c.id
           RETURNING runs.*`,
          { replacements: { workerId, poolId }, type: QueryTypes.SELECT, model: this.deps.model, mapToModel: true },
        );
        const row = rows[0] as unknown as Row | undefined;
        return row ? this.open(row) : null;
      } catch (err) {
        // Another worker started a run on the same repo/dir/workspace between our check and update.
        if (err instanceof UniqueConstraintError || /runs_one_active_idx/.test(String((err as Error).message))) continue;
        throw err;
      }
    }
    return null;
  }

  /**
   * Hands a claimed run back to the queue, as it was before the claim, when the worker that claimed it
   * never received it (a remote runner's long poll whose connection closed). Only while `workerId` holds it.
   */
  async release(id: string, workerId: string): Promise<boolean> {
    const rows = await this.deps.sequelize.query(
      `UPDATE runs SET status = CASE WHEN status = 'applying' THEN 'confirmed' ELSE 'pending' END,
              worker_id = NULL, heartbeat_at = NULL, updated_at = now()
       WHERE id = :id AND worker_id = :workerId AND status IN (${list(ACTIVE_STATUSES)}) RETURNING id`,
      { replacements: { id, workerId }, type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }

  /** Records liveness of runs this worker executes; returns those asked to cancel. */
  async heartbeat(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.deps.sequelize.query<{ id: string }>(
      `UPDATE runs SET heartbeat_at = now() WHERE id IN (:ids) RETURNING id, cancel_requested_at`,
      { replacements: { ids }, type: QueryTypes.SELECT },
    );
    return rows.filter((r) => (r as unknown as { cancel_requested_at: Date | null }).cancel_requested_at).map((r) => r.id);
  }

  /** Heartbeats those of `ids` that `workerId` holds; returns which it holds and which are asked to cancel. */
  async heartbeatHeld(ids: string[], workerId: string): Promise<{ held: string[]; cancel: string[] }> {
    if (!ids.length) return { held: [], cancel: [] };
    const rows = await this.deps.sequelize.query<{ id: string; cancel_requested_at: Date | null }>(
      `UPDATE runs SET heartbeat_at = now() WHERE id IN (:ids) AND worker_id = :workerId AND status IN (${list(ACTIVE_STATUSES)}) RETURNING id, cancel_requested_at`,
      { replacements: { ids, workerId }, type: QueryTypes.SELECT },
    );
    return { held: rows.map((r) => r.id), cancel: rows.filter((r) => r.cancel_requested_at).map((r) => r.id) };
  }

  /** Runs of every tenant waiting for a worker now: queued or approved, and due. */
  async countQueued(): Promise<number> {
    return this.deps.model.count({
      where: { status: { [Op.in]: [...CLAIMABLE_STATUSES] }, [Op.or]: [{ scheduledAt: null }, { scheduledAt: { [Op.lte]: new Date() } }] },
    });
  }

  /** Every run a terraform process should be running for right now (recovery decides which are orphans). */
  async findActive(): Promise<Run[]> {
    const rows = await this.deps.model.findAll({ where: { status: { [Op.in]: [...ACTIVE_STATUSES] } } });
    return rows.map((r) => this.open(r));
  }

  /** Discards the planned (unapplied) runs of one project: the lock they were planned under was released. */
  async discardPlannedOf(tenantId: string, t: Pick<Run, 'repoFullName' | 'dir' | 'workspace' | 'projectName'>, statusReason: string, transaction: Transaction): Promise<void> {
    await this.deps.model.update(
      { status: 'discarded', statusReason, finishedAt: new Date() },
      { where: { tenantId, repoFullName: t.repoFullName, dir: t.dir, workspace: t.workspace, projectName: t.projectName, status: 'planned' }, transaction },
    );
  }

  /** Discards a pull request's runs that wait to start or to be applied (its locks were released). */
  async discardUnappliedOfPullRequest(tenantId: string, repoFullName: string, prNumber: number, statusReason: string, transaction: Transaction): Promise<void> {
    await this.deps.model.update(
      { status: 'discarded', statusReason, finishedAt: new Date() },
      { where: { tenantId, repoFullName, prNumber, status: { [Op.in]: ['planned', 'pending'] } }, transaction },
    );
  }

  /**
   * Up to `limit` runs after the cursor (by id) with a sealed field under another key than
   * `keyId`, with their sealed fields as stored; locked until the transaction ends (plainly, not
   * skipped: a skipped row would be left behind the cursor).
   */
  async sealedFieldsNotUnderKey(keyId: string, afterId: string, limit: number, transaction: Transaction): Promise<Array<{ id: string; fields: Partial<Record<SealedRunField, Sealed>> }>> {
    const columns = SEALED_RUN_FIELDS.map((f) => SEALED_RUN_COLUMNS[f]);
    const stale = columns.map((c) => `${c}_key_id <> :current`).join(' OR ');
    const rows = await this.deps.sequelize.query<Record<string, unknown> & { id: string }>(
      `SELECT id, ${columns.map((c) => `${c}_key_id, ${c}_sealed`).join(', ')} FROM runs
       WHERE id > :after AND (${stale}) ORDER BY id LIMIT :limit FOR UPDATE`,
      { replacements: { after: afterId, current: keyId, limit }, type: QueryTypes.SELECT, transaction },
    );
    return rows.map((row) => {
      const fields: Partial<Record<SealedRunField, Sealed>> = {};
      for (const field of SEALED_RUN_FIELDS) {
        const c = SEALED_RUN_COLUMNS[field];
        const stored = row[`${c}_key_id`] as string | null;
        if (stored !== null) fields[field] = { keyId: stored, data: row[`${c}_sealed`] as Buffer };
      }
      return { id: row.id, fields };
    });
  }

  /** Replaces sealed fields' ciphertexts (null: nothing stored). Not `updated_at`: the run did not change. */
  async resealFields(id: string, fields: Partial<Record<SealedRunField, Sealed | null>>, transaction: Transaction): Promise<void> {
    const set: Record<string, unknown> = {};
    for (const [field, sealed] of Object.entries(fields) as [SealedRunField, Sealed | null][]) {
      const c = SEALED_RUN_COLUMNS[field];
      Object.assign(set, { [`${c}_key_id`]: sealed?.keyId ?? null, [`${c}_sealed`]: sealed?.data ?? null });
    }
    if (!Object.keys(set).length) return;
    await this.deps.sequelize.query(`UPDATE runs SET ${Object.keys(set).map((k) => `${k} = :${k}`).join(', ')} WHERE id = :id`, {
      replacements: { ...set, id }, transaction,
    });
  }

  private open(row: Row): Run {
    return this.deps.sealer.open(row.get({ plain: true }));
  }
}
