import { Op, type Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';
import type { AuditLog } from '../audit/audit.service.js';
import type { Clock } from '../clock.js';
import { inTransaction } from '../db/transaction.js';
import { InputError, NotFoundError } from '../errors.js';
import { isUuid } from '../ids.js';
import type { ApiToken, ApiTokenModel } from './api-token.model.js';
import { generateRawToken, hashToken } from './api-token.js';
import type { CreateTokenInput } from './auth.schemas.js';

export type PublicToken = Omit<ApiToken, 'tokenHash'>;

function toPublicToken(t: ApiToken): PublicToken {
  const { tokenHash: _omit, ...rest } = t;
  return rest;
}

/** Personal API tokens: `atl_…`, shown once, stored as SHA-256, revocable at once. */
export class TokensService {
  constructor(private readonly deps: { sequelize: Sequelize; tokens: ApiTokenModel; audit: AuditLog; clock: Clock }) {}

  async list(actor: Actor): Promise<PublicToken[]> {
    requirePermission(actor, 'token:own');
    const userId = this.ownerOf(actor);
    const rows = await this.deps.tokens.findAll({ where: { userId, tenantId: actor.tenantId, revokedAt: null }, order: [['createdAt', 'DESC']] });
    return rows.map((r) => toPublicToken(r.get({ plain: true })));
  }

  async create(actor: Actor, input: CreateTokenInput): Promise<PublicToken & { rawToken: string }> {
    requirePermission(actor, 'token:own');
    const userId = this.ownerOf(actor);
    const raw = generateRawToken();
    const expiresAt = input.expires_in_days ? new Date(this.deps.clock.now().getTime() + input.expires_in_days * 86_400_000) : null;
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const row = await this.deps.tokens.create(
        { tenantId: actor.tenantId, userId, name: input.name, tokenHash: hashToken(raw), tokenPrefix: raw.slice(0, 8), expiresAt },
        { transaction },
      );
      await this.deps.audit.record(actor, 'token.create', { type: 'api_token', id: row.getDataValue('id') }, { name: input.name }, { transaction });
      return { ...toPublicToken(row.get({ plain: true })), rawToken: raw };
    });
  }

  /** Owners revoke their own tokens; tenant admins may revoke any token in the tenant. */
  async revoke(actor: Actor, tokenId: string): Promise<void> {
    requirePermission(actor, 'token:own');
    return inTransaction(this.deps.sequelize, undefined, async (transaction) => {
      const where: Record<string, unknown> = { id: tokenId, tenantId: actor.tenantId, revokedAt: { [Op.is]: null } };
      if (actor.role !== 'admin') where.userId = this.ownerOf(actor);
      const token = isUuid(tokenId) ? await this.deps.tokens.findOne({ where, transaction }) : null;
      if (!token) throw new NotFoundError(`API token ${tokenId} not found`);
      await token.update({ revokedAt: this.deps.clock.now() }, { transaction });
      await this.deps.audit.record(actor, 'token.revoke', { type: 'api_token', id: tokenId }, { name: token.getDataValue('name') }, { transaction });
    });
  }

  private ownerOf(actor: Actor): string {
    if (!actor.userId) throw new InputError('only users have API tokens', { code: 'no_user' });
    return actor.userId;
  }
}
