import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { RunbookStatus, RunbookStep } from './runbook.schemas.js';
import type { Runbook, RunbookExecution } from './runbook.js';

const RUNBOOK = `id, tenant_id AS "tenantId", name, description, status, steps, version, generated_by AS "generatedBy", incident_id AS "incidentId",
  created_by AS "createdBy", updated_by AS "updatedBy", published_at AS "publishedAt", published_by AS "publishedBy", created_at AS "createdAt", updated_at AS "updatedAt"`;
const EXECUTION = `id, tenant_id AS "tenantId", runbook_id AS "runbookId", runbook_version AS "runbookVersion", incident_id AS "incidentId", dry_run AS "dryRun",
  status, steps, actor_kind AS "actorKind", actor_name AS "actorName", via, created_at AS "createdAt", finished_at AS "finishedAt"`;

export type NewRunbook = Pick<Runbook, 'tenantId' | 'name' | 'description' | 'steps' | 'generatedBy' | 'incidentId' | 'createdBy'>;

/** Queries on runbooks and their executions, always within one tenant; plain objects out. */
export class RunbookRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  async insert(v: NewRunbook, transaction?: Transaction): Promise<Runbook> {
    const [row] = await this.q<Runbook>(
      `INSERT INTO runbooks (id, tenant_id, name, description, status, steps, generated_by, incident_id, created_by, updated_by)
       VALUES (:id, :tenantId, :name, :description, 'draft', CAST(:steps AS jsonb), :generatedBy, :incidentId, :createdBy, :createdBy) RETURNING ${RUNBOOK}`,
      { ...v, id: randomUUID(), steps: JSON.stringify(v.steps) }, transaction,
    );
    return row;
  }

  async get(tenantId: string, id: string, transaction?: Transaction, forUpdate = false): Promise<Runbook | null> {
    const [row] = await this.q<Runbook>(`SELECT ${RUNBOOK} FROM runbooks WHERE tenant_id = :tenantId AND id = :id${forUpdate ? ' FOR UPDATE' : ''}`, { tenantId, id }, transaction);
    return row ?? null;
  }

  async list(tenantId: string, f: { status?: RunbookStatus; limit: number; offset: number }): Promise<{ items: Runbook[]; total: number }> {
    const where = `tenant_id = :tenantId${f.status ? ' AND status = :status' : ''}`;
    const items = await this.q<Runbook>(`SELECT ${RUNBOOK} FROM runbooks WHERE ${where} ORDER BY updated_at DESC, id LIMIT :limit OFFSET :offset`, { tenantId, ...f });
    const [{ count }] = await this.q<{ count: string }>(`SELECT count(*) AS count FROM runbooks WHERE ${where}`, { tenantId, ...f });
    return { items, total: Number(count) };
  }

  async update(id: string, changes: { name?: string; description?: string; steps?: RunbookStep[]; status: RunbookStatus; updatedBy: string; publishedBy?: string | null }, transaction: Transaction): Promise<Runbook> {
    const [row] = await this.q<Runbook>(
      `UPDATE runbooks SET name = coalesce(:name, name), description = coalesce(:description, description), steps = coalesce(CAST(:steps AS jsonb), steps),
         status = :status, updated_by = :updatedBy, version = version + 1, updated_at = now(),
         published_at = CASE WHEN :status = 'published' THEN now() WHEN :status = 'draft' THEN NULL ELSE published_at END,
         published_by = CASE WHEN :status = 'published' THEN :publishedBy WHEN :status = 'draft' THEN NULL ELSE published_by END
       WHERE id = :id RETURNING ${RUNBOOK}`,
      { id, name: changes.name ?? null, description: changes.description ?? null, steps: changes.steps ? JSON.stringify(changes.steps) : null, status: changes.status, updatedBy: changes.updatedBy, publishedBy: changes.publishedBy ?? null },
      transaction,
    );
    return row;
  }

  async insertExecution(e: Omit<RunbookExecution, 'createdAt'>): Promise<RunbookExecution> {
    const [row] = await this.q<RunbookExecution>(
      `INSERT INTO runbook_executions (id, tenant_id, runbook_id, runbook_version, incident_id, dry_run, status, steps, actor_kind, actor_name, via, finished_at)
       VALUES (:id, :tenantId, :runbookId, :runbookVersion, :incidentId, :dryRun, :status, CAST(:steps AS jsonb), :actorKind, :actorName, :via, :finishedAt) RETURNING ${EXECUTION}`,
      { ...e, steps: JSON.stringify(e.steps) },
    );
    return row;
  }

  async execution(tenantId: string, runbookId: string, id: string): Promise<RunbookExecution | null> {
    const [row] = await this.q<RunbookExecution>(`SELECT ${EXECUTION} FROM runbook_executions WHERE tenant_id = :tenantId AND runbook_id = :runbookId AND id = :id`, { tenantId, runbookId, id });
    return row ?? null;
  }

  /** Takes a waiting execution for one resume: false when it is no longer waiting (someone else took it). */
  async claimExecution(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.q<{ id: string }>(
      `UPDATE runbook_executions SET status = 'resuming' WHERE tenant_id = :tenantId AND id = :id AND status = 'waiting_approval' RETURNING id`, { tenantId, id },
    );
    return rows.length === 1;
  }

  async finishExecution(id: string, e: Pick<RunbookExecution, 'status' | 'steps' | 'finishedAt'>): Promise<RunbookExecution> {
    const [row] = await this.q<RunbookExecution>(
      `UPDATE runbook_executions SET status = :status, steps = CAST(:steps AS jsonb), finished_at = :finishedAt WHERE id = :id RETURNING ${EXECUTION}`,
      { id, status: e.status, steps: JSON.stringify(e.steps), finishedAt: e.finishedAt },
    );
    return row;
  }

  async executions(tenantId: string, runbookId: string, limit: number): Promise<RunbookExecution[]> {
    return this.q<RunbookExecution>(`SELECT ${EXECUTION} FROM runbook_executions WHERE tenant_id = :tenantId AND runbook_id = :runbookId ORDER BY created_at DESC, id LIMIT :limit`, { tenantId, runbookId, limit });
  }
}
