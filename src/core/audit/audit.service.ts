import type { Transaction } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditEntry } from './audit-entry.model.js';
import type { AuditRepository } from './audit.repository.js';

export interface AuditTarget {
  type: string;
  id?: string | null;
}

export interface AuditQuery {
  limit?: number;
  /** return entries older than this id (cursor paging) */
  before?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
}

/** Every mutation writes one entry: who (actor), through what (via), did what, to what. */
export class AuditLog {
  constructor(private readonly deps: { repo: AuditRepository }) {}

  async record(
    actor: Actor,
    action: string,
    target: AuditTarget,
    detail: Record<string, unknown> = {},
    options: { transaction?: Transaction; tenantId?: string } = {},
  ): Promise<void> {
    await this.deps.repo.insert(
      {
        tenantId: options.tenantId ?? actor.tenantId,
        actorKind: actor.kind,
        actorId: actor.tokenId ?? actor.userId ?? null,
        actorName: actor.name,
        via: actor.via,
        action,
        targetType: target.type,
        targetId: target.id ?? null,
        detail,
      },
      options.transaction,
    );
  }

  async list(actor: Actor, query: AuditQuery = {}): Promise<AuditEntry[]> {
    requirePermission(actor, 'audit:read');
    return this.deps.repo.find({
      tenantId: actor.tenantId,
      action: query.action,
      targetType: query.targetType,
      targetId: query.targetId,
      beforeId: query.before && /^\d+$/.test(query.before) ? query.before : undefined,
      limit: Math.min(Math.max(query.limit ?? 100, 1), 1000),
    });
  }
}
