import type { Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { Environment, EnvironmentModel } from './environment.model.js';

type Writable = 'name' | 'cloudProvider' | 'region' | 'terraformWorkspace' | 'repositoryUrl' | 'instanceId';
export type NewEnvironment = Pick<Environment, 'tenantId' | 'name' | 'cloudProvider'> & Partial<Pick<Environment, Writable>>;
export type EnvironmentChanges = Partial<Pick<Environment, Writable>>;

/** Queries on environments, always within one tenant; plain objects out. */
export class EnvironmentRepository {
  constructor(private readonly deps: { model: EnvironmentModel }) {}

  async list(tenantId: string): Promise<Environment[]> {
    const rows = await this.deps.model.findAll({ where: { tenantId }, order: [['name', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** null for an id that is not a UUID, or an environment of another tenant. */
  async findById(tenantId: string, id: string, transaction?: Transaction): Promise<Environment | null> {
    const row = isUuid(id) ? await this.deps.model.findOne({ where: { id, tenantId }, transaction }) : null;
    return row ? row.get({ plain: true }) : null;
  }

  async exists(tenantId: string, id: string, transaction?: Transaction): Promise<boolean> {
    return (await this.deps.model.count({ where: { id, tenantId }, transaction })) > 0;
  }

  async count(tenantId: string, transaction?: Transaction): Promise<number> {
    return this.deps.model.count({ where: { tenantId }, transaction });
  }

  async insert(values: NewEnvironment, transaction: Transaction): Promise<Environment> {
    return (await this.deps.model.create(values, { transaction })).get({ plain: true });
  }

  /** Applies `changes` (undefined keys left alone) and returns the row as it now is; null when it is gone. */
  async update(tenantId: string, id: string, changes: EnvironmentChanges, transaction: Transaction): Promise<Environment | null> {
    const row = await this.deps.model.findOne({ where: { id, tenantId }, transaction });
    if (!row) return null;
    await row.update(changes, { transaction });
    return row.get({ plain: true });
  }

  async delete(tenantId: string, id: string, transaction: Transaction): Promise<void> {
    await this.deps.model.destroy({ where: { id, tenantId }, transaction });
  }
}
