import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { Tenant, TenantModel } from './tenant.model.js';

export type NewTenant = Pick<Tenant, 'slug' | 'name'> & Partial<Pick<Tenant, 'maxInstances' | 'maxEnvironments'>>;
export type TenantChanges = Partial<Pick<Tenant, 'name' | 'repoAllowlist' | 'maxInstances' | 'maxEnvironments' | 'maxIncidents' | 'cpuQuota' | 'memoryQuota'>>;

/** Queries on tenants; plain objects out. */
export class TenantRepository {
  constructor(private readonly deps: { sequelize: Sequelize; model: TenantModel }) {}

  /** With `forUpdate` the row stays locked until the transaction ends. */
  async findById(id: string, transaction?: Transaction, options: { forUpdate?: boolean } = {}): Promise<Tenant | null> {
    const lock = options.forUpdate && transaction ? transaction.LOCK.UPDATE : undefined;
    const row = await this.deps.model.findByPk(id, { transaction, lock });
    return row ? row.get({ plain: true }) : null;
  }

  async findBySlug(slug: string, transaction?: Transaction): Promise<Tenant | null> {
    const row = await this.deps.model.findOne({ where: { slug }, transaction });
    return row ? row.get({ plain: true }) : null;
  }

  /** null when the slug is taken. */
  async insert(values: NewTenant, transaction: Transaction): Promise<Tenant | null> {
    try {
      return (await this.deps.model.create(values, { transaction })).get({ plain: true });
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  /** Applies `changes` to a row the caller has locked (findById with forUpdate) and returns it as it now is. */
  async update(id: string, changes: TenantChanges, transaction: Transaction): Promise<Tenant> {
    const row = await this.deps.model.findByPk(id, { transaction });
    if (!row) throw new Error(`tenant ${id} vanished while locked`);
    await row.update(changes, { transaction });
    return row.get({ plain: true });
  }

  /** Serialises first starts of several replicas on one schema, until the transaction ends. */
  async lockBootstrap(transaction: Transaction): Promise<void> {
    await this.deps.sequelize.query("SELECT pg_advisory_xact_lock(hashtext('atlantas.bootstrap:' || current_schema()))", { transaction });
  }

  /** Whether any user exists, in any tenant (the first start makes the first admin). */
  async anyUserExists(transaction?: Transaction): Promise<boolean> {
    const rows = await this.deps.sequelize.query('SELECT 1 FROM users LIMIT 1', { type: QueryTypes.SELECT, transaction });
    return rows.length > 0;
  }
}
