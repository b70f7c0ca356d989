import { Op, Sequelize, type Transaction } from 'sequelize';
import type { Role } from '../actor.js';
import { isUuid } from '../ids.js';
import type { User, UserModel } from './user.model.js';

type Tx = { transaction?: Transaction };

/** Queries on users; returns plain rows. */
export class UserRepository {
  constructor(private readonly model: UserModel) {}

  async findByEmail(email: string): Promise<User | null> {
    const row = await this.model.findOne({ where: Sequelize.where(Sequelize.fn('lower', Sequelize.col('email')), email.trim().toLowerCase()) });
    return row?.get({ plain: true }) ?? null;
  }

  async findById(id: string, options: Tx = {}): Promise<User | null> {
    if (!isUuid(id)) return null;
    const row = await this.model.findByPk(id, { transaction: options.transaction });
    return row?.get({ plain: true }) ?? null;
  }

  async list(tenantId: string): Promise<User[]> {
    const rows = await this.model.findAll({ where: { tenantId }, order: [['createdAt', 'ASC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  /** One page of the tenant's users, oldest first, with how many match the filter. */
  async page(tenantId: string, filter: { role?: Role; isActive?: boolean; limit: number; offset: number }): Promise<{ users: User[]; total: number }> {
    const where = { tenantId, ...(filter.role ? { role: filter.role } : {}), ...(filter.isActive !== undefined ? { isActive: filter.isActive } : {}) };
    const { rows, count } = await this.model.findAndCountAll({ where, order: [['createdAt', 'ASC'], ['id', 'ASC']], limit: filter.limit, offset: filter.offset });
    return { users: rows.map((r) => r.get({ plain: true })), total: count };
  }

  /** Throws Sequelize's UniqueConstraintError on a taken email (the service maps it). */
  async create(values: { tenantId: string; email: string; name: string; passwordHash: string; role: Role; isPlatformAdmin: boolean }, options: Tx = {}): Promise<User> {
    const row = await this.model.create(values, { transaction: options.transaction });
    return row.get({ plain: true });
  }

  /** The user of this tenant, locked for the rest of the transaction. */
  async lockInTenant(tenantId: string, id: string, transaction: Transaction): Promise<User | null> {
    if (!isUuid(id)) return null;
    const row = await this.model.findOne({ where: { id, tenantId }, transaction, lock: transaction.LOCK.UPDATE });
    return row?.get({ plain: true }) ?? null;
  }

  async update(id: string, values: Partial<Pick<User, 'role' | 'isActive' | 'passwordHash'>>, transaction: Transaction): Promise<User> {
    await this.model.update(values, { where: { id }, transaction });
    const row = await this.model.findByPk(id, { transaction });
    return row!.get({ plain: true });
  }

  /** Active admins of the tenant other than `exceptUserId`, locked (the last-admin rule). */
  async otherActiveAdmins(tenantId: string, exceptUserId: string, transaction: Transaction): Promise<number> {
    const rows = await this.model.findAll({
      where: { tenantId, role: 'admin', isActive: true, id: { [Op.ne]: exceptUserId } }, transaction, lock: transaction.LOCK.UPDATE,
    });
    return rows.length;
  }
}
