import type { Sequelize, Transaction } from 'sequelize';
import { requirePermission, type Actor, type Role } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { translateConstraints } from '../db/unique.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { ApiTokenRepository } from './api-token.repository.js';
import type { RegisterInput } from './auth.schemas.js';
import { hashPassword } from './password.js';
import type { SessionRepository } from './session.repository.js';
import type { User } from './user.model.js';
import type { UserRepository } from './user.repository.js';

export type PublicUser = Omit<User, 'passwordHash'>;

export function toPublicUser(user: User): PublicUser {
  const { passwordHash: _omit, ...rest } = user;
  return rest;
}

interface Deps {
  sequelize: Sequelize;
  users: UserRepository;
  tokens: ApiTokenRepository;
  sessions: SessionRepository;
  audit: AuditLog;
  clock: Clock;
}

/** Members of a tenant: registration, roles, deactivation. */
export class UsersService {
  constructor(private readonly deps: Deps) {}

  async list(actor: Actor, filter: { role?: Role; isActive?: boolean; limit: number; offset: number } = { limit: 1000, offset: 0 }): Promise<{ users: PublicUser[]; total: number }> {
    requirePermission(actor, 'user:read');
    const { users, total } = await this.deps.users.page(actor.tenantId, filter);
    return { users: users.map(toPublicUser), total };
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
    const user = await translateConstraints(
      `user ${input.email}`,
      async () => this.deps.users.create(
        {
          tenantId, email: input.email.toLowerCase(), name: input.name ?? '', passwordHash: await hashPassword(input.password),
          role: input.role as Role, isPlatformAdmin: input.isPlatformAdmin ?? false,
        },
        options,
      ),
      () => new ConflictError(`a user with email ${input.email} already exists`, { code: 'user_exists' }),
    );
    return toPublicUser(user);
  }

  /** A new role takes effect at once: the user's sessions end (they log in again), their tokens are capped at it. */
  async setRole(actor: Actor, userId: string, role: Role): Promise<PublicUser> {
    requirePermission(actor, 'user:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const user = await this.lockUser(actor, userId, transaction);
      if (user.role === 'admin' && role !== 'admin') await this.assertAnotherAdmin(actor.tenantId, userId, transaction);
      const updated = await this.deps.users.update(userId, { role }, transaction);
      const ended = user.role === role ? 0 : await this.deps.sessions.revokeAllOfUser(userId, this.deps.clock.now(), transaction);
      await this.deps.audit.record(actor, 'user.role', { type: 'user', id: userId }, { from: user.role, to: role, sessions_revoked: ended }, { transaction });
      return toPublicUser(updated);
    });
  }

  /** Deactivates a user: sessions and API tokens stop working at their next request. */
  async deactivate(actor: Actor, userId: string): Promise<PublicUser> {
    requirePermission(actor, 'user:manage');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const user = await this.lockUser(actor, userId, transaction);
      if (user.role === 'admin' && user.isActive) await this.assertAnotherAdmin(actor.tenantId, userId, transaction);
      const updated = await this.deps.users.update(userId, { isActive: false }, transaction);
      const now = this.deps.clock.now();
      await this.deps.tokens.revokeAllOfUser(userId, now, transaction);
      await this.deps.sessions.revokeAllOfUser(userId, now, transaction);
      await this.deps.audit.record(actor, 'user.deactivate', { type: 'user', id: userId }, { email: user.email }, { transaction });
      return toPublicUser(updated);
    });
  }

  private async lockUser(actor: Actor, userId: string, transaction: Transaction): Promise<User> {
    const user = await this.deps.users.lockInTenant(actor.tenantId, userId, transaction);
    if (!user) throw new NotFoundError(`user ${userId} not found`);
    return user;
  }

  private async assertAnotherAdmin(tenantId: string, exceptUserId: string, transaction: Transaction): Promise<void> {
    if ((await this.deps.users.otherActiveAdmins(tenantId, exceptUserId, transaction)) === 0) {
      throw new ConflictError('a tenant must keep at least one active admin; promote another user first', { code: 'last_admin' });
    }
  }
}
