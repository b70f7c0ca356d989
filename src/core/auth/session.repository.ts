import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { isUuid } from '../ids.js';

export interface SessionRow {
  id: string;
  tenantId: string;
  userId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** Login sessions (the `sessions` table): created at login, revoked by logout, password and role changes. */
export class SessionRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async create(values: { tenantId: string; userId: string; expiresAt: Date }): Promise<string> {
    const [row] = await this.sequelize.query<{ id: string }>(
      'INSERT INTO sessions (tenant_id, user_id, expires_at) VALUES (:tenantId, :userId, :expiresAt) RETURNING id',
      { replacements: values, type: QueryTypes.SELECT },
    );
    // Sessions that ended long ago are of no use to anyone: prune the user's own while here.
    await this.sequelize.query("DELETE FROM sessions WHERE user_id = :userId AND expires_at < now() - interval '1 day'", { replacements: values });
    return row.id;
  }

  async find(id: string): Promise<SessionRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.sequelize.query<SessionRow>(
      'SELECT id, tenant_id AS "tenantId", user_id AS "userId", expires_at AS "expiresAt", revoked_at AS "revokedAt" FROM sessions WHERE id = :id',
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }

  async revoke(id: string, at: Date, transaction?: Transaction): Promise<boolean> {
    const rows = await this.sequelize.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = :at WHERE id = :id AND revoked_at IS NULL RETURNING id',
      { replacements: { id, at }, transaction, type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }

  /** Revokes every live session of the user; returns how many. */
  async revokeAllOfUser(userId: string, at: Date, transaction?: Transaction): Promise<number> {
    const rows = await this.sequelize.query<{ id: string }>(
      'UPDATE sessions SET revoked_at = :at WHERE user_id = :userId AND revoked_at IS NULL RETURNING id',
      { replacements: { userId, at }, transaction, type: QueryTypes.SELECT },
    );
    return rows.length;
  }
}
