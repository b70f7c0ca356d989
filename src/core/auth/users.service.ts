import { Sequelize, UniqueConstraintError, type Transaction } from 'sequelize';
import { requirePermission, type Actor, type Role } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import { inTransaction } from '../db/transaction.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ApiTokenModel } from './api-token.model.js';
import type { RegisterInput } from './auth.schemas.js';
import { hashPassword } from './password.js';
import type { User, UserModel } from './user.model.js';

export type PublicUser = Omit<User, 'passwordHash'>;

export function toPublicUser(user: User): PublicUser {
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

/** Members of a tenant: registration, roles, deactivation. */
export class UsersService {
  constructor(private readonly deps: { sequelize: Sequelize; users: UserModel; tokens: ApiTokenModel; audit: AuditLog }) {}

  async list(actor: Actor): Promise<PublicUser[]> {
    requirePermission(actor, 'user:read');
    const rows = await this.deps.users.findAll({ where: { tenantId: actor.tenantId }, order: [['createdAt', 'ASC']] });
    return rows.map((r) => toPublicUser(r.get({ plain: true })));
  }

  async register(actor: Actor, input: RegisterInput): Promise<PublicUser> {
    requirePermission(actor, 'user:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const user = await this.createUser(actor.tenantId, input, { transaction });
      await this.deps.audit.record(actor, 'user.register', { type: 'user', id: user.id }, { email: user.email, role: user.role }, { transaction });
      return user;
    });
  }

  /** Creates a user row; shared by registration, tenant creation and the first-admin bootstrap. */
  async createUser(
    tenantId: string,
    input: { email: string; password: string; name?: string; role: string; isPlatformAdmin?: boolean },
    options: { transaction?: Transaction } = {},
  ): Promise<PublicUser> {
    try {
      const row = await this.deps.users.create(
        {
          tenantId,
          email: input.email.toLowerCase(),
          name: input.name ?? '',
          passwordHash: await hashPassword(input.password),
          role: input.role as Role,
          isPlatformAdmin: input.isPlatformAdmin ?? false,
        },
        { transaction: options.transaction },
      );
      return toPublicUser(row.get({ plain: true }));
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new ConflictError(`a user with email ${input.email} already exists`, { code: 'user_exists' });
      throw err;
    }
  }

  async setRole(actor: Actor, userId: string, role: Role): Promise<PublicUser> {
    requirePermission(actor, 'user:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const user = await this.lockUser(actor, userId, transaction);
      if (user.getDataValue('role') === 'admin' && role !== 'admin') await this.assertAnotherAdmin(actor.tenantId, userId, transaction);
      const before = user.getDataValue('role');
      await user.update({ role }, { transaction });
      await this.deps.audit.record(actor, 'user.role', { type: 'user', id: userId }, { from: before, to: role }, { transaction });
      return toPublicUser(user.get({ plain: true }));
    });
  }

  /** Deactivates a user: sessions and API tokens stop working at their next request. */
  async deactivate(actor: Actor, userId: string): Promise<PublicUser> {
    requirePermission(actor, 'user:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const user = await this.lockUser(actor, userId, transaction);
      if (user.getDataValue('role') === 'admin' && user.getDataValue('isActive')) await this.assertAnotherAdmin(actor.tenantId, userId, transaction);
      await user.update({ isActive: false }, { transaction });
      await this.deps.tokens.update({ revokedAt: new Date() }, { where: { userId, revokedAt: null }, transaction });
      await this.deps.audit.record(actor, 'user.deactivate', { type: 'user', id: userId }, { email: user.getDataValue('email') }, { transaction });
      return toPublicUser(user.get({ plain: true }));
    });
  }

  private async lockUser(actor: Actor, userId: string, transaction: Transaction) {
    const user = isUuid(userId)
      ? await this.deps.users.findOne({ where: { id: userId, tenantId: actor.tenantId }, transaction, lock: transaction.LOCK.UPDATE })
      : null;
    if (!user) throw new NotFoundError(`user ${userId} not found`);
    return user;
  }

  private async assertAnotherAdmin(tenantId: string, exceptUserId: string, transaction: Transaction): Promise<void> {
    const admins = await this.deps.users.findAll({ where: { tenantId, role: 'admin', isActive: true }, transaction, lock: transaction.LOCK.UPDATE });
    if (!admins.some((a) => a.getDataValue('id') !== exceptUserId)) {
      throw new ConflictError('a tenant must keep at least one active admin; promote another user first', { code: 'last_admin' });
    }
  }
}
