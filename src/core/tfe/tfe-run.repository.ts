import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { ACTIVE_STATUSES, CLAIMABLE_STATUSES } from '../runs/run-status.js';

/** What TFE says about a run beyond the Atlantas run it is: its workspace, configuration and flags. */
export interface TfeRunRow {
  runId: string;
  tenantId: string;
  workspaceId: string;
  configurationVersionId: string;
  message: string;
  isDestroy: boolean;
  refreshOnly: boolean;
  planOnly: boolean;
  targetAddrs: string[];
  replaceAddrs: string[];
  /** the upstream run whose apply queued this one (a run trigger) */
  triggeredBy: string | null;
  createdAt: Date;
}

const COLUMNS = `run_id AS "runId", tenant_id AS "tenantId", workspace_id AS "workspaceId", configuration_version_id AS "configurationVersionId",
  message, is_destroy AS "isDestroy", refresh_only AS "refreshOnly", plan_only AS "planOnly", target_addrs AS "targetAddrs",
  replace_addrs AS "replaceAddrs", triggered_by AS "triggeredBy", created_at AS "createdAt"`;

const PREFIXED = `t.run_id AS "runId", t.tenant_id AS "tenantId", t.workspace_id AS "workspaceId", t.configuration_version_id AS "configurationVersionId",
  t.message, t.is_destroy AS "isDestroy", t.refresh_only AS "refreshOnly", t.plan_only AS "planOnly", t.target_addrs AS "targetAddrs",
  t.replace_addrs AS "replaceAddrs", t.triggered_by AS "triggeredBy", t.created_at AS "createdAt"`;

const textArray = (values: readonly string[], name: string) => (values.length ? `ARRAY[:${name}]::text[]` : "'{}'::text[]");

/** Queries on `tfe_runs`, always within one tenant. */
export class TfeRunRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(r: Omit<TfeRunRow, 'createdAt'>, t?: Transaction): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO tfe_runs (run_id, tenant_id, workspace_id, configuration_version_id, message, is_destroy, refresh_only, plan_only, target_addrs, replace_addrs, triggered_by)
       VALUES (:runId, :tenantId, :workspaceId, :configurationVersionId, :message, :isDestroy, :refreshOnly, :planOnly,
         ${textArray(r.targetAddrs, 'targetAddrs')}, ${textArray(r.replaceAddrs, 'replaceAddrs')}, :triggeredBy)`,
      { replacements: { ...r }, transaction: t },
    );
  }

  async find(tenantId: string, runId: string): Promise<TfeRunRow | null> {
    const [row] = await this.sequelize.query<TfeRunRow>(`SELECT ${COLUMNS} FROM tfe_runs WHERE tenant_id = :tenantId AND run_id = :runId`, {
      replacements: { tenantId, runId }, type: QueryTypes.SELECT,
    });
    return row ?? null;
  }

  /** A workspace's runs, newest first. */
  async list(tenantId: string, workspaceId: string, limit: number, offset: number): Promise<{ items: TfeRunRow[]; total: number }> {
    const replacements = { tenantId, workspaceId, limit, offset };
    const items = await this.sequelize.query<TfeRunRow>(
      `SELECT ${COLUMNS} FROM tfe_runs WHERE tenant_id = :tenantId AND workspace_id = :workspaceId ORDER BY created_at DESC, run_id LIMIT :limit OFFSET :offset`,
      { replacements, type: QueryTypes.SELECT },
    );
    const [count] = await this.sequelize.query<{ n: string }>('SELECT count(*) AS n FROM tfe_runs WHERE tenant_id = :tenantId AND workspace_id = :workspaceId', { replacements, type: QueryTypes.SELECT });
    return { items, total: Number(count.n) };
  }

  /** The tenant's TFE runs not yet ended, oldest first (the organization's run queue). */
  async unfinished(tenantId: string): Promise<(TfeRunRow & { status: string })[]> {
    return this.sequelize.query<TfeRunRow & { status: string }>(
      `SELECT ${PREFIXED}, r.status
       FROM tfe_runs t JOIN runs r ON r.id = t.run_id
       WHERE t.tenant_id = :tenantId AND r.status IN (:statuses)
       ORDER BY t.created_at, t.run_id`,
      // queued (waiting for a worker) or running
      { replacements: { tenantId, statuses: [...CLAIMABLE_STATUSES, ...ACTIVE_STATUSES] }, type: QueryTypes.SELECT },
    );
  }
}

export interface TfeRunTrigger {
  id: string;
  tenantId: string;
  /** downstream: the workspace whose runs the trigger queues */
  workspaceId: string;
  /** upstream: the workspace whose applies fire it */
  sourceableId: string;
  createdAt: Date;
}

const TRIGGER_COLUMNS = `id, tenant_id AS "tenantId", workspace_id AS "workspaceId", sourceable_id AS "sourceableId", created_at AS "createdAt"`;

/** Queries on `tfe_run_triggers`. */
export class TfeRunTriggerRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** null when this pair exists already. */
  async insert(r: Omit<TfeRunTrigger, 'createdAt'>, t: Transaction): Promise<TfeRunTrigger | null> {
    const [row] = await this.sequelize.query<TfeRunTrigger>(
      `INSERT INTO tfe_run_triggers (id, tenant_id, workspace_id, sourceable_id) VALUES (:id, :tenantId, :workspaceId, :sourceableId)
       ON CONFLICT (workspace_id, sourceable_id) DO NOTHING RETURNING ${TRIGGER_COLUMNS}`,
      { replacements: { ...r }, type: QueryTypes.SELECT, transaction: t },
    );
    return row ?? null;
  }

  async find(tenantId: string, id: string): Promise<TfeRunTrigger | null> {
    const [row] = await this.sequelize.query<TfeRunTrigger>(`SELECT ${TRIGGER_COLUMNS} FROM tfe_run_triggers WHERE tenant_id = :tenantId AND id = :id`, {
      replacements: { tenantId, id }, type: QueryTypes.SELECT,
    });
    return row ?? null;
  }

  /** inbound: triggers queuing runs in `workspaceId`; outbound: triggers that `workspaceId`'s applies fire. */
  async list(tenantId: string, workspaceId: string, direction: 'inbound' | 'outbound', t?: Transaction): Promise<TfeRunTrigger[]> {
    const column = direction === 'inbound' ? 'workspace_id' : 'sourceable_id';
    return this.sequelize.query<TfeRunTrigger>(`SELECT ${TRIGGER_COLUMNS} FROM tfe_run_triggers WHERE tenant_id = :tenantId AND ${column} = :workspaceId ORDER BY created_at, id`, {
      replacements: { tenantId, workspaceId }, type: QueryTypes.SELECT, transaction: t,
    });
  }

  async delete(tenantId: string, id: string): Promise<void> {
    await this.sequelize.query('DELETE FROM tfe_run_triggers WHERE tenant_id = :tenantId AND id = :id', { replacements: { tenantId, id } });
  }
}
