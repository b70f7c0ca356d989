import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { ChangeStatus, ServiceRequestStatus } from './itsm.schemas.js';

export interface ChangeRequest {
  id: string;
  tenantId: string;
  reference: string;
  title: string;
  description: string | null;
  type: 'normal' | 'standard' | 'emergency';
  riskLevel: 'low' | 'medium' | 'high' | 'critical';
  status: ChangeStatus;
  requestedStart: Date;
  requestedEnd: Date;
  implementationPlan: string | null;
  rollbackPlan: string | null;
  projectIds: string[];
  requestedBy: string;
  requestedByUserId: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceRequest {
  id: string;
  tenantId: string;
  reference: string;
  catalogItemId: string;
  status: ServiceRequestStatus;
  details: Record<string, unknown>;
  requestedBy: string;
  requestedByUserId: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const CHANGE = `id, tenant_id AS "tenantId", reference, title, description, type, risk_level AS "riskLevel", status,
  requested_start AS "requestedStart", requested_end AS "requestedEnd", implementation_plan AS "implementationPlan",
  rollback_plan AS "rollbackPlan", project_ids AS "projectIds", requested_by AS "requestedBy", requested_by_user_id AS "requestedByUserId",
  decided_by AS "decidedBy", decided_at AS "decidedAt", decision_note AS "decisionNote", created_at AS "createdAt", updated_at AS "updatedAt"`;
const REQUEST = `id, tenant_id AS "tenantId", reference, catalog_item_id AS "catalogItemId", status, details, requested_by AS "requestedBy",
  requested_by_user_id AS "requestedByUserId", decided_by AS "decidedBy", decided_at AS "decidedAt", decision_note AS "decisionNote",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const TABLES = { change: 'change_requests', request: 'service_requests' } as const;
const COLUMNS = { change: CHANGE, request: REQUEST } as const;
type Kind = keyof typeof TABLES;

/** Change and service requests, always within one tenant. */
export class ItsmRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  /** The tenant's next reference of a kind, gap-free: the counter moves in the caller's transaction. */
  async nextReference(tenantId: string, kind: Kind, transaction: Transaction): Promise<string> {
    const [{ last }] = await this.q<{ last: number }>(
      `INSERT INTO itsm_counters (tenant_id, kind, last) VALUES (:tenantId, :kind, 1)
       ON CONFLICT (tenant_id, kind) DO UPDATE SET last = itsm_counters.last + 1 RETURNING last`,
      { tenantId, kind },
      transaction,
    );
    return `${kind === 'change' ? 'CHG' : 'REQ'}-${String(last).padStart(8, '0')}`;
  }

  async insertChange(c: Omit<ChangeRequest, 'id' | 'createdAt' | 'updatedAt'>, transaction: Transaction): Promise<ChangeRequest> {
    const [row] = await this.q<ChangeRequest>(
      `INSERT INTO change_requests (id, tenant_id, reference, title, description, type, risk_level, status, requested_start, requested_end,
         implementation_plan, rollback_plan, project_ids, requested_by, requested_by_user_id, decided_by, decided_at, decision_note)
       VALUES (:id, :tenantId, :reference, :title, :description, :type, :riskLevel, :status, :requestedStart, :requestedEnd,
         :implementationPlan, :rollbackPlan, CAST(:projectIds AS uuid[]), :requestedBy, :requestedByUserId, :decidedBy, :decidedAt, :decisionNote)
       RETURNING ${CHANGE}`,
      { id: randomUUID(), ...c, projectIds: `{${c.projectIds.join(',')}}` },
      transaction,
    );
    return row;
  }

  async insertRequest(r: Omit<ServiceRequest, 'id' | 'createdAt' | 'updatedAt' | 'decidedBy' | 'decidedAt' | 'decisionNote'>, transaction: Transaction): Promise<ServiceRequest> {
    const [row] = await this.q<ServiceRequest>(
      `INSERT INTO service_requests (id, tenant_id, reference, catalog_item_id, status, details, requested_by, requested_by_user_id)
       VALUES (:id, :tenantId, :reference, :catalogItemId, :status, CAST(:details AS jsonb), :requestedBy, :requestedByUserId) RETURNING ${REQUEST}`,
      { id: randomUUID(), ...r, details: JSON.stringify(r.details) },
      transaction,
    );
    return row;
  }

  async list<K extends Kind>(kind: K, tenantId: string, filter: { status?: string; limit: number; offset: number }): Promise<{ items: Row<K>[]; total: number }> {
    const where = `tenant_id = :tenantId${filter.status ? ' AND status = :status' : ''}`;
    const replacements = { tenantId, status: filter.status ?? null };
    const [items, [{ total }]] = await Promise.all([
      this.q<Row<K>>(`SELECT ${COLUMNS[kind]} FROM ${TABLES[kind]} WHERE ${where} ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset`, {
        ...replacements, limit: filter.limit, offset: filter.offset,
      }),
      this.q<{ total: string }>(`SELECT count(*) AS total FROM ${TABLES[kind]} WHERE ${where}`, replacements),
    ]);
    return { items, total: Number(total) };
  }

  /** By id or reference (CHG-00000001 / REQ-00000001). */
  async find<K extends Kind>(kind: K, tenantId: string, ref: string, transaction?: Transaction): Promise<Row<K> | null> {
    // uuids compare case-insensitively; references are stored upper case
    const key = ref.toUpperCase();
    const byId = isUuid(ref);
    const [row] = await this.q<Row<K>>(
      `SELECT ${COLUMNS[kind]} FROM ${TABLES[kind]} WHERE tenant_id = :tenantId AND ${byId ? 'id = :ref' : 'reference = :ref'}${transaction ? ' FOR UPDATE' : ''}`,
      { tenantId, ref: key },
      transaction,
    );
    return row ?? null;
  }

  /** Moves a request from one of `from` to `status`; null when it was in none of them (decided meanwhile). */
  async transition<K extends Kind>(
    kind: K, tenantId: string, id: string, from: readonly string[], status: string,
    decision: { decidedBy?: string; note?: string | null }, transaction: Transaction,
  ): Promise<Row<K> | null> {
    const [row] = await this.q<Row<K>>(
      `UPDATE ${TABLES[kind]} SET status = :status, updated_at = now(),
         decided_by = COALESCE(:decidedBy, decided_by), decided_at = CASE WHEN CAST(:decidedBy AS text) IS NULL THEN decided_at ELSE now() END,
         decision_note = COALESCE(:note, decision_note)
       WHERE tenant_id = :tenantId AND id = :id AND status IN (:from) RETURNING ${COLUMNS[kind]}`,
      { tenantId, id, from, status, decidedBy: decision.decidedBy ?? null, note: decision.note ?? null },
      transaction,
    );
    return row ?? null;
  }

  /**
   * The approved change whose window covers `at` for this project (a change with no projects
   * covers every project), or else the next approved one still to come.
   */
  async windowFor(tenantId: string, projectId: string, at: Date): Promise<{ open: ChangeRequest | null; next: ChangeRequest | null }> {
    const rows = await this.q<ChangeRequest & { open: boolean }>(
      `SELECT ${CHANGE}, (requested_start <= :at AND requested_end > :at) AS open FROM change_requests
       WHERE tenant_id = :tenantId AND status = 'approved' AND requested_end > :at
         AND (cardinality(project_ids) = 0 OR CAST(:projectId AS uuid) = ANY(project_ids))
       ORDER BY requested_start LIMIT 5`,
      { tenantId, projectId, at },
    );
    const open = rows.find((r) => r.open) ?? null;
    const next = rows.find((r) => !r.open) ?? null;
    return { open: open && strip(open), next: next && strip(next) };
  }
}

type Row<K extends Kind> = K extends 'change' ? ChangeRequest : ServiceRequest;

function strip(row: ChangeRequest & { open?: boolean }): ChangeRequest {
  const { open: _open, ...rest } = row;
  return rest;
}
