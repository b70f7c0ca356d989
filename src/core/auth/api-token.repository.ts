import { Op, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';
import type { ApiToken, ApiTokenModel } from './api-token.model.js';

type Tx = { transaction?: Transaction };
export type NewApiToken = Pick<ApiToken, 'tenantId' | 'userId' | 'name' | 'tokenHash' | 'tokenPrefix' | 'scopes' | 'expiresAt'> & { mcpPolicy?: ApiToken['mcpPolicy'] };

/** Queries on API tokens; returns plain rows. */
export class ApiTokenRepository {
  constructor(private readonly model: ApiTokenModel) {}

  async findByHash(tokenHash: string): Promise<ApiToken | null> {
    const row = await this.model.findOne({ where: { tokenHash } });
    return row?.get({ plain: true }) ?? null;
  }

  async listActive(tenantId: string, userId: string): Promise<ApiToken[]> {
    const rows = await this.model.findAll({ where: { userId, tenantId, revokedAt: null }, order: [['createdAt', 'DESC']] });
    return rows.map((r) => r.get({ plain: true }));
  }

  async create(values: NewApiToken, options: Tx = {}): Promise<ApiToken> {
    const row = await this.model.create(values, { transaction: options.transaction });
    return row.get({ plain: true });
  }

  /** An unrevoked token of the tenant (and of `userId` when given). */
  async findRevocable(tenantId: string, id: string, userId: string | undefined, transaction: Transaction): Promise<ApiToken | null> {
    if (!isUuid(id)) return null;
    const where: Record<string | symbol, unknown> = { id, tenantId, revokedAt: { [Op.is]: null } };
    if (userId) where.userId = userId;
    const row = await this.model.findOne({ where, transaction, lock: transaction.LOCK.UPDATE });
    return row?.get({ plain: true }) ?? null;
  }

  async revoke(id: string, at: Date, transaction: Transaction): Promise<void> {
    await this.model.update({ revokedAt: at }, { where: { id }, transaction });
  }

  async revokeAllOfUser(userId: string, at: Date, transaction: Transaction): Promise<void> {
    await this.model.update({ revokedAt: at }, { where: { userId, revokedAt: null }, transaction });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.model.update({ lastUsedAt: at }, { where: { id } });
  }
}
