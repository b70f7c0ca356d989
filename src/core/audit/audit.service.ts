import { Op, type Transaction, type WhereOptions } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditEntry, AuditEntryModel } from './audit-entry.model.js';

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
  constructor(private readonly deps: { model: AuditEntryModel }) {}

  async record(
    actor: Actor,
    action: string,
    target: AuditTarget,
    detail: Record<string, unknown> = {},
    options: { transaction?: Transaction; tenantId?: string } = {},
  ): Promise<void> {
    await this.deps.model.create(
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
      { transaction: options.transaction },
    );
  }

  async list(actor: Actor, query: AuditQuery = {}): Promise<AuditEntry[]> {
    requirePermission(actor, 'audit:read');
    const where: WhereOptions<AuditEntry> = { tenantId: actor.tenantId };
    if (query.action) Object.assign(where, { action: query.action });
    if (query.targetType) Object.assign(where, { targetType: query.targetType });
    if (query.targetId) Object.assign(where, { targetId: query.targetId });
    if (query.before && /^\d+$/.test(query.before)) Object.assign(where, { id: { [Op.lt]: query.before } });
    const rows = await this.deps.model.findAll({
      where,
      order: [['id', 'DESC']],
      limit: Math.min(Math.max(query.limit ?? 100, 1), 1000),
    });
    return rows.map((r) => r.get({ plain: true }));
  }
}
