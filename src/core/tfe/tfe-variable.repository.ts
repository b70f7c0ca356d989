import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';

export type VariableCategory = 'terraform' | 'env';

/** Whose variable it is: one workspace's own, or one variable set's. */
export type VariableOwner = { workspaceId: string } | { varsetId: string };

/** A workspace's or a variable set's variable with its value opened; the services decide who may see it. */
export interface TfeVariable {
  id: string;
  tenantId: string;
  /** exactly one of these two is set */
  workspaceId: string | null;
  varsetId: string | null;
  key: string;
  category: VariableCategory;
  hcl: boolean;
  sensitive: boolean;
  description: string;
  value: string;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Omit<TfeVariable, 'value'> & { keyId: string; sealed: Buffer };

const COLUMNS = `id, tenant_id AS "tenantId", workspace_id AS "workspaceId", varset_id AS "varsetId", key, category, hcl, sensitive, description,
  value_key_id AS "keyId", value_sealed AS sealed, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Binds a sealed value to its variable: a ciphertext copied to another row does not open. */
const aad = (id: string) => `tfe-variable:${id}`;

const ownerColumn = (o: VariableOwner) => ('workspaceId' in o ? 'workspace_id' : 'varset_id');
const ownerId = (o: VariableOwner) => ('workspaceId' in o ? o.workspaceId : o.varsetId);

/** Queries on `tfe_variables`; values are sealed here on the way in and opened on the way out. */
export class TfeVariableRepository {
  constructor(private readonly deps: { sequelize: Sequelize; encryptor: Encryptor }) {}

  async list(tenantId: string, owner: VariableOwner): Promise<TfeVariable[]> {
    const rows = await this.q<Row>(`SELECT ${COLUMNS} FROM tfe_variables WHERE tenant_id = :tenantId AND ${ownerColumn(owner)} = :owner ORDER BY category, key`, { tenantId, owner: ownerId(owner) });
    return rows.map((r) => this.open(r));
  }

  /** The variables of several sets at once (a run's resolution), by set id. */
  async listOfVarsets(tenantId: string, varsetIds: string[]): Promise<TfeVariable[]> {
    if (!varsetIds.length) return [];
    const rows = await this.q<Row>(`SELECT ${COLUMNS} FROM tfe_variables WHERE tenant_id = :tenantId AND varset_id IN (:varsetIds) ORDER BY category, key`, { tenantId, varsetIds });
    return rows.map((r) => this.open(r));
  }

  /** A variable by id alone (`/vars/{id}`); never another tenant's. */
  async findById(tenantId: string, id: string): Promise<TfeVariable | null> {
    const [row] = await this.q<Row>(`SELECT ${COLUMNS} FROM tfe_variables WHERE tenant_id = :tenantId AND id = :id`, { tenantId, id });
    return row ? this.open(row) : null;
  }

  async find(tenantId: string, owner: VariableOwner, id: string, t?: Transaction): Promise<TfeVariable | null> {
    const [row] = await this.q<Row>(
      `SELECT ${COLUMNS} FROM tfe_variables WHERE tenant_id = :tenantId AND ${ownerColumn(owner)} = :owner AND id = :id${t ? ' FOR UPDATE' : ''}`,
      { tenantId, owner: ownerId(owner), id }, t,
    );
    return row ? this.open(row) : null;
  }

  /** null when the workspace has a variable of that key and category already. */
  async insert(v: Omit<TfeVariable, 'createdAt' | 'updatedAt'>, t: Transaction): Promise<TfeVariable | null> {
    const sealed = this.deps.encryptor.seal(v.value, aad(v.id));
    try {
      const [row] = await this.q<Row>(
        `INSERT INTO tfe_variables (id, tenant_id, workspace_id, varset_id, key, category, hcl, sensitive, description, value_key_id, value_sealed)
         VALUES (:id, :tenantId, :workspaceId, :varsetId, :key, :category, :hcl, :sensitive, :description, :keyId, :data) RETURNING ${COLUMNS}`,
        { ...v, keyId: sealed.keyId, data: sealed.data }, t,
      );
      return this.open(row);
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  /** Writes the whole variable as given (the service merged the change); null on a taken key. */
  async update(v: Omit<TfeVariable, 'createdAt' | 'updatedAt'>, t: Transaction): Promise<TfeVariable | null> {
    const sealed = this.deps.encryptor.seal(v.value, aad(v.id));
    try {
      const [row] = await this.q<Row>(
        `UPDATE tfe_variables SET key = :key, category = :category, hcl = :hcl, sensitive = :sensitive, description = :description,
           value_key_id = :keyId, value_sealed = :data, updated_at = now()
         WHERE tenant_id = :tenantId AND id = :id RETURNING ${COLUMNS}`,
        { ...v, keyId: sealed.keyId, data: sealed.data }, t,
      );
      return row ? this.open(row) : null;
    } catch (err) {
      if (err instanceof UniqueConstraintError) return null;
      throw err;
    }
  }

  async delete(tenantId: string, id: string, t: Transaction): Promise<void> {
    await this.deps.sequelize.query('DELETE FROM tfe_variables WHERE tenant_id = :tenantId AND id = :id', { replacements: { tenantId, id }, transaction: t });
  }

  /** `atlantas rotate-key`: re-seals a batch of values not under the current key; returns how many. */
  async resealBatch(encryptor: Encryptor, limit: number, t: Transaction): Promise<number> {
    const rows = await this.q<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, value_key_id AS "keyId", value_sealed AS data FROM tfe_variables WHERE value_key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { current: encryptor.currentKeyId, limit }, t,
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, aad(row.id)), aad(row.id));
      await this.deps.sequelize.query('UPDATE tfe_variables SET value_key_id = :keyId, value_sealed = :data WHERE id = :id', { replacements: { id: row.id, ...sealed }, transaction: t });
    }
    return rows.length;
  }

  private open({ keyId, sealed, ...rest }: Row): TfeVariable {
    return { ...rest, value: this.deps.encryptor.openString({ keyId, data: sealed }, aad(rest.id)) };
  }

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, t?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: t });
  }
}
