import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { ApprovalRequest, ApprovalStatus, NewApprovalRequest } from './approval.model.js';

const COLUMNS = `id, tenant_id AS "tenantId", action, target_type AS "targetType", target_id AS "targetId", project_id AS "projectId",
  run_id AS "runId", summary, reason, requested_by_kind AS "requestedByKind", requested_by_user_id AS "requestedByUserId",
  requested_by_token_id AS "requestedByTokenId", requested_by_name AS "requestedByName", requested_via AS "requestedVia", status,
  expires_at AS "expiresAt", decided_by_user_id AS "decidedByUserId", decided_by_name AS "decidedByName", decided_via AS "decidedVia",
  decided_at AS "decidedAt", decision_note AS "decisionNote", outcome, created_at AS "createdAt"`;

export interface Decision {
  status: Exclude<ApprovalStatus, 'pending' | 'expired'>;
  userId: string | null;
  name: string;
  via: string;
  note: string | null;
  at: Date;
}

/** Queries on approval requests. Expiry is written lazily: a pending request past its time is marked expired before any read. */
export class ApprovalRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  async expireDue(tenantId: string, now: Date, transaction?: Transaction): Promise<void> {
    await this.q(`UPDATE approval_requests SET status = 'expired' WHERE tenant_id = :tenantId AND status = 'pending' AND expires_at <= :now RETURNING id`, { tenantId, now }, transaction);
  }

  /** A new pending request, or the one already pending for the same action and target (an agent asking twice). */
  async insertOrPending(values: NewApprovalRequest, now: Date, transaction: Transaction): Promise<{ request: ApprovalRequest; created: boolean }> {
    await this.expireDue(values.tenantId, now, transaction);
    const [inserted] = await this.q<ApprovalRequest>(
      `INSERT INTO approval_requests (id, tenant_id, action, target_type, target_id, project_id, run_id, summary, reason, requested_by_kind,
         requested_by_user_id, requested_by_token_id, requested_by_name, requested_via, expires_at)
       VALUES (:id, :tenantId, :action, :targetType, :targetId, :projectId, :runId, :summary, :reason, :requestedByKind,
         :requestedByUserId, :requestedByTokenId, :requestedByName, :requestedVia, :expiresAt)
       ON CONFLICT (tenant_id, action, target_id) WHERE status = 'pending' DO NOTHING
       RETURNING ${COLUMNS}`,
      { id: randomUUID(), ...values },
      transaction,
    );
    if (inserted) return { request: inserted, created: true };
    const [pending] = await this.q<ApprovalRequest>(
      `SELECT ${COLUMNS} FROM approval_requests WHERE tenant_id = :tenantId AND action = :action AND target_id = :targetId AND status = 'pending'`,
      values, transaction,
    );
    return { request: pending, created: false };
  }

  async get(tenantId: string, id: string, now: Date, transaction?: Transaction): Promise<ApprovalRequest | null> {
    if (!isUuid(id)) return null;
    await this.expireDue(tenantId, now, transaction);
    return (await this.q<ApprovalRequest>(`SELECT ${COLUMNS} FROM approval_requests WHERE tenant_id = :tenantId AND id = :id`, { tenantId, id }, transaction))[0] ?? null;
  }

  async list(tenantId: string, filter: { status?: ApprovalStatus; runId?: string; limit: number }, now: Date): Promise<ApprovalRequest[]> {
    await this.expireDue(tenantId, now);
    return this.q(
      `SELECT ${COLUMNS} FROM approval_requests WHERE tenant_id = :tenantId
         AND (CAST(:status AS text) IS NULL OR status = :status) AND (CAST(:runId AS uuid) IS NULL OR run_id = :runId)
       ORDER BY created_at DESC, id LIMIT :limit`,
      { tenantId, status: filter.status ?? null, runId: filter.runId ?? null, limit: filter.limit },
    );
  }

  /** The decision, exactly once: null when the request was no longer pending (decided elsewhere, or expired). */
  async decide(tenantId: string, id: string, d: Decision, transaction?: Transaction): Promise<ApprovalRequest | null> {
    const [row] = await this.q<ApprovalRequest>(
      `UPDATE approval_requests SET status = :status, decided_by_user_id = :userId, decided_by_name = :name, decided_via = :via,
         decision_note = :note, decided_at = :at
       WHERE tenant_id = :tenantId AND id = :id AND status = 'pending' AND expires_at > :at
       RETURNING ${COLUMNS}`,
      { tenantId, id, ...d }, transaction,
    );
    return row ?? null;
  }

  /** A human approved the run elsewhere (a PR comment, the run's own approve): its pending requests are approved by them. */
  async approvePendingOfRun(tenantId: string, runId: string, d: Omit<Decision, 'status'>, transaction: Transaction): Promise<ApprovalRequest[]> {
    return this.q<ApprovalRequest>(
      `UPDATE approval_requests SET status = 'approved', decided_by_user_id = :userId, decided_by_name = :name, decided_via = :via,
         decision_note = :note, decided_at = :at, outcome = 'applying'
       WHERE tenant_id = :tenantId AND run_id = :runId AND status = 'pending' AND expires_at > :at
       RETURNING ${COLUMNS}`,
      { tenantId, runId, ...d }, transaction,
    );
  }

  async setOutcome(id: string, outcome: string): Promise<void> {
    await this.q(`UPDATE approval_requests SET outcome = :outcome WHERE id = :id RETURNING id`, { id, outcome: outcome.slice(0, 2000) });
  }
}
