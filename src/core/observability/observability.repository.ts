import { QueryTypes, type Sequelize } from 'sequelize';
import type { Sealed } from '../secrets/encryption.js';
import type { MetricName } from './observability.schemas.js';

export interface AuditLine {
  id: string;
  createdAt: Date;
  actorName: string;
  via: string;
  action: string;
  targetType: string;
  targetId: string | null;
}

export interface RunChunk extends Sealed {
  runId: string;
  seq: number;
  phase: string;
  createdAt: Date;
  projectName: string | null;
  repoFullName: string;
  dir: string;
}

export interface TraceRun {
  id: string;
  operation: string;
  status: string;
  repoFullName: string;
  dir: string;
  workspace: string;
  projectName: string | null;
  createdAt: Date;
  startedAt: Date | null;
  plannedAt: Date | null;
  approvedAt: Date | null;
  finishedAt: Date | null;
}

export interface PhaseBounds {
  runId: string;
  phase: string;
  first: Date;
  last: Date;
}

/** A bucket's value for one label set. */
export interface MetricRow {
  bucket: number;
  label: string | null;
  value: number;
}

interface Window {
  from?: Date;
  to?: Date;
}

/**
 * What a metric is computed from: a table, its time column, its label and value, and a condition.
 * Every metric is read off recorded facts (runs, drift checks, state versions), never a counter.
 */
const METRICS: Record<MetricName, { table: string; at: string; label: string | null; value: string; where: string }> = {
  runs_total: { table: 'runs', at: 'created_at', label: 'status', value: 'count(*)', where: 'true' },
  runs_failed_total: { table: 'runs', at: 'finished_at', label: 'operation', value: 'count(*)', where: "status = 'errored'" },
  applies_total: { table: 'runs', at: 'finished_at', label: 'operation', value: 'count(*)', where: "status = 'applied'" },
  run_duration_seconds: {
    table: 'runs', at: 'finished_at', label: 'operation', value: 'avg(extract(epoch from finished_at - started_at))', where: 'started_at IS NOT NULL',
  },
  drift_detected_total: { table: 'drift_history', at: 'checked_at', label: null, value: 'count(*)', where: 'has_drift' },
  state_writes_total: { table: 'state_versions', at: 'created_at', label: null, value: 'count(*)', where: 'true' },
};

/** The label each metric's series are split by (null: one series). */
export function metricLabel(metric: MetricName): string | null {
  return METRICS[metric].label;
}

/** Read-only queries over a tenant's runs, run output, audit trail, drift checks and state writes. */
export class ObservabilityRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }

  async audit(tenantId: string, w: Window, limit: number): Promise<AuditLine[]> {
    return this.q<AuditLine>(
      `SELECT id::text AS id, created_at AS "createdAt", actor_name AS "actorName", via, action, target_type AS "targetType", target_id AS "targetId"
       FROM audit_log WHERE tenant_id = :tenantId ${range('created_at', w)} ORDER BY created_at DESC, id DESC LIMIT :limit`,
      { tenantId, limit, from: w.from ?? null, to: w.to ?? null },
    );
  }

  /** The newest output chunks of the tenant's runs (sealed), newest first. */
  async runChunks(tenantId: string, w: Window & { runId?: string }, limit: number): Promise<RunChunk[]> {
    const rows = await this.q<Omit<RunChunk, 'keyId' | 'data'> & { key_id: string; data: Buffer }>(
      `SELECT l.run_id AS "runId", l.seq, l.phase, l.key_id, l.data, l.created_at AS "createdAt", NULLIF(COALESCE(p.name, r.project_name), '') AS "projectName",
         r.repo_full_name AS "repoFullName", r.dir
       FROM run_logs l JOIN runs r ON r.id = l.run_id LEFT JOIN projects p ON p.id = r.project_id
       WHERE r.tenant_id = :tenantId ${range('l.created_at', w)} ${w.runId ? 'AND l.run_id = :runId' : ''}
       ORDER BY l.created_at DESC, l.seq DESC LIMIT :limit`,
      { tenantId, limit, from: w.from ?? null, to: w.to ?? null, runId: w.runId ?? null },
    );
    return rows.map(({ key_id, data, ...r }) => ({ ...r, keyId: key_id, data }));
  }

  async traceRuns(tenantId: string, w: Window & { service?: string; status?: string }, limit: number): Promise<TraceRun[]> {
    return this.q<TraceRun>(
      `SELECT r.id, r.operation, r.status, r.repo_full_name AS "repoFullName", r.dir, r.workspace, NULLIF(COALESCE(p.name, r.project_name), '') AS "projectName",
         r.created_at AS "createdAt", r.started_at AS "startedAt", r.planned_at AS "plannedAt", r.approved_at AS "approvedAt", r.finished_at AS "finishedAt"
       FROM runs r LEFT JOIN projects p ON p.id = r.project_id
       WHERE r.tenant_id = :tenantId ${range('r.created_at', w)}
         ${w.service ? 'AND (p.name = :service OR r.project_name = :service OR r.repo_full_name = :service)' : ''}
         ${w.status ? 'AND r.status = :status' : ''}
       ORDER BY r.created_at DESC, r.id LIMIT :limit`,
      { tenantId, limit, from: w.from ?? null, to: w.to ?? null, service: w.service ?? null, status: w.status ?? null },
    );
  }

  async phaseBounds(runIds: string[]): Promise<PhaseBounds[]> {
    if (!runIds.length) return [];
    return this.q<PhaseBounds>(
      `SELECT run_id AS "runId", phase, min(created_at) AS first, max(created_at) AS last FROM run_logs WHERE run_id IN (:runIds) GROUP BY run_id, phase`,
      { runIds },
    );
  }

  /** `metric` per bucket of `stepSeconds` from `start` (bucket 0) to `end`, per label. */
  async metric(tenantId: string, metric: MetricName, start: Date, end: Date, stepSeconds: number): Promise<MetricRow[]> {
    const m = METRICS[metric];
    const rows = await this.q<{ bucket: string; label: string | null; value: string }>(
      `SELECT floor(extract(epoch from ${m.at} - CAST(:start AS timestamptz)) / :step)::int AS bucket, ${m.label ?? 'NULL'} AS label, ${m.value} AS value
       FROM ${m.table} WHERE tenant_id = :tenantId AND ${m.at} >= :start AND ${m.at} < :end AND ${m.where}
       GROUP BY 1, 2`,
      { tenantId, start, end, step: stepSeconds },
    );
    return rows.map((r) => ({ bucket: Number(r.bucket), label: r.label, value: Number(r.value) }));
  }
}

function range(column: string, w: Window): string {
  return `${w.from ? `AND ${column} >= :from` : ''} ${w.to ? `AND ${column} < :to` : ''}`;
}
