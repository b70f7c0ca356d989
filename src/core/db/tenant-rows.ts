import type { Model, ModelStatic, Transaction, WhereOptions } from 'sequelize';
import { isUuid } from '../ids.js';

/** A row that belongs to one tenant and is listed by name. */
export interface TenantRow {
  id: string;
  tenantId: string;
  name: string;
}

/**
 * The queries every tenant-owned resource (instances, environments, projects) shares, always
 * within one tenant, plain objects out. A repository extends it with what only its rows have.
 */
export class TenantRows<Row extends TenantRow, New extends object, Changes extends object> {
  constructor(protected readonly deps: { model: ModelStatic<Model<Row, any>> }) {}

  protected where(tenantId: string, extra: Partial<Row> = {}): WhereOptions<Row> {
    return { tenantId, ...extra } as WhereOptions<Row>;
  }

  /** By name. */
  async list(tenantId: string, transaction?: Transaction): Promise<Row[]> {
    const rows = await this.deps.model.findAll({ where: this.where(tenantId), order: [['name', 'ASC']], transaction });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** null for an id that is not a UUID, or a row of another tenant. */
  async findById(tenantId: string, id: string, transaction?: Transaction): Promise<Row | null> {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: this.where(tenantId, { id } as Partial<Row>), transaction }) : null;
    return row ? row.get({ plain: true }) : null;
  }

  async exists(tenantId: string, id: string, transaction?: Transaction): Promise<boolean> {
    return (await this.deps.model.count({ where: this.where(tenantId, { id } as Partial<Row>), transaction })) > 0;
  }

  async count(tenantId: string, transaction?: Transaction): Promise<number> {
    return this.deps.model.count({ where: this.where(tenantId), transaction });
  }

  async insert(values: New, transaction: Transaction): Promise<Row> {
    return (await this.deps.model.create(values as any, { transaction })).get({ plain: true });
  }

  /** Applies `changes` (undefined keys left alone) and returns the row as it now is; null when it is gone. */
  async update(tenantId: string, id: string, changes: Changes, transaction: Transaction): Promise<Row | null> {
    const row = await this.deps.model.findOne({ where: this.where(tenantId, { id } as Partial<Row>), transaction });
    if (!row) return null;
    await row.update(changes as Partial<Row>, { transaction });
    return row.get({ plain: true });
  }

  async delete(tenantId: string, id: string, transaction: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: this.where(tenantId, { id } as Partial<Row>), transaction });
  }
}

/** Rows drawn as nodes of the tenant's graph (instances, projects). */
export class PositionedTenantRows<Row extends TenantRow & { positionX: number | null; positionY: number | null }, New extends object, Changes extends object>
  extends TenantRows<Row, New, Changes> {
  /** Moves a graph node; false when no row of the tenant has this id. */
  async setPosition(tenantId: string, id: string, position: Pick<Row, 'positionX' | 'positionY'>, transaction: Transaction): Promise<boolean> {
    const [n] = await this.deps.model.update(position as Partial<Row>, { where: this.where(tenantId, { id } as Partial<Row>), transaction });
    return n > 0;
  }
}
