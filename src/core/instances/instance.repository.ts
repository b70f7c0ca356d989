import type { Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { Instance, InstanceModel } from './instance.model.js';

export type NewInstance = Pick<Instance, 'tenantId' | 'name'> & Partial<Pick<Instance, 'version' | 'configJson'>>;
export type InstanceChanges = Partial<Pick<Instance, 'name' | 'status' | 'version' | 'configJson'>>;

/** Queries on instances, always within one tenant; plain objects out. */
export class InstanceRepository {
  constructor(private readonly deps: { model: InstanceModel }) {}

  async list(tenantId: string, transaction?: Transaction): Promise<Instance[]> {
    const rows = await this.deps.model.findAll({ where: { tenantId }, order: [['name', 'ASC']], transaction });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** null for an id that is not a UUID, or an instance of another tenant. */
  async findById(tenantId: string, id: string, transaction?: Transaction): Promise<Instance | null> {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { id, tenantId }, transaction }) : null;
    return row ? row.get({ plain: true }) : null;
  }

  async exists(tenantId: string, id: string, transaction?: Transaction): Promise<boolean> {
    return (await this.deps.model.count({ where: { id, tenantId }, transaction })) > 0;
  }

  async count(tenantId: string, transaction?: Transaction): Promise<number> {
    return this.deps.model.count({ where: { tenantId }, transaction });
  }

  async insert(values: NewInstance, transaction: Transaction): Promise<Instance> {
    return (await this.deps.model.create(values, { transaction })).get({ plain: true });
  }

  /** Applies `changes` (undefined keys left alone) and returns the row as it now is; null when it is gone. */
  async update(tenantId: string, id: string, changes: InstanceChanges, transaction: Transaction): Promise<Instance | null> {
    const row = await this.deps.model.findOne({ where: { id, tenantId }, transaction });
    if (!row) return null;
    await row.update(changes, { transaction });
    return row.get({ plain: true });
  }

  async delete(tenantId: string, id: string, transaction: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: { id, tenantId }, transaction });
  }

  /** Moves a graph node; false when no instance of the tenant has this id. */
  async setPosition(tenantId: string, id: string, position: Pick<Instance, 'positionX' | 'positionY'>, transaction: Transaction): Promise<boolean> {
    const [n] = await this.deps.model.update(position, { where: { id, tenantId }, transaction });
    return n > 0;
  }
}
