import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { AuditEntry, AuditEntryModel } from './audit-entry.model.js';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'createdAt'>;

export interface AuditFilter {
  tenantId: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  /** entries older than this id */
  beforeId?: string;
  limit: number;
}

/** Queries on the audit log (append-only); plain objects out. */
export class AuditRepository {
  constructor(private readonly deps: { model: AuditEntryModel }) {}

  async insert(entry: NewAuditEntry, transaction?: Transaction): Promise<void> {
    await this.deps.model.create(entry, { transaction });
  }

  /** Newest first. */
  async find(filter: AuditFilter): Promise<AuditEntry[]> {
    const where: WhereOptions<AuditEntry> = { tenantId: filter.tenantId };
    if (filter.action) Object.assign(where, { action: filter.action });
    if (filter.targetType) Object.assign(where, { targetType: filter.targetType });
    if (filter.targetId) Object.assign(where, { targetId: filter.targetId });
    if (filter.beforeId) Object.assign(where, { id: { [Op.lt]: filter.beforeId } });
    const rows = await this.deps.model.findAll({ where, order: [['id', 'DESC']], limit: filter.limit });
    return rows.map((r) => r.get({ plain: true }));
  }
}
