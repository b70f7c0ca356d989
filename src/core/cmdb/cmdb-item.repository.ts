import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Encryptor } from '../secrets/encryption.js';
import type { StateCi } from './state-cis.js';

/** A configuration item as core hands it out. */
export interface CmdbItem {
  id: string;
  tenantId: string;
  name: string;
  class: string;
  environment: string | null;
  /** `terraform` (kept from a state) or `manual` */
  source: 'terraform' | 'manual';
  stateId: string | null;
  projectId: string | null;
  address: string | null;
  resourceType: string | null;
  provider: string | null;
  dependsOn: string[];
  attributes: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface CmdbFilter {
  class?: string;
  projectId?: string;
  stateId?: string;
  source?: 'terraform' | 'manual';
  limit: number;
  offset: number;
}

const ITEM = `id, tenant_id AS "tenantId", name, class, environment, source, state_id AS "stateId", project_id AS "projectId", address,
  resource_type AS "resourceType", provider, depends_on AS "dependsOn", attributes_key_id AS "keyId", attributes_sealed AS "sealed",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

type Row = Omit<CmdbItem, 'attributes'> & { keyId: string | null; sealed: Buffer | null };

/** Binds an item's sealed attributes to its row. */
const attributesAad = (id: string) => `cmdb-attributes:${id}`;

/** What a state write turns into: the state's items replaced by these, unless a newer version was already synced. */
export interface StateSync {
  tenantId: string;
  stateId: string;
  projectId: string | null;
  /** the state's name (`<name>/<workspace>` items are named after it) */
  stateName: string;
  version: number;
  cis: StateCi[];
}

/**
 * Configuration items, always within one tenant. Attributes (already without the state's
 * sensitive values) are still sealed: resource attributes name and address real infrastructure.
 */
export class CmdbItemRepository {
  constructor(private readonly deps: { sequelize: Sequelize; encryptor: Encryptor }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>, transaction?: Transaction): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }

  async list(tenantId: string, filter: CmdbFilter): Promise<{ items: CmdbItem[]; total: number }> {
    const where = ['tenant_id = :tenantId'];
    if (filter.class) where.push('class = :class');
    if (filter.projectId) where.push('project_id = :projectId');
    if (filter.stateId) where.push('state_id = :stateId');
    if (filter.source) where.push('source = :source');
    const replacements = { tenantId, class: filter.class ?? null, projectId: filter.projectId ?? null, stateId: filter.stateId ?? null, source: filter.source ?? null };
    const [rows, [{ total }]] = await Promise.all([
      this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE ${where.join(' AND ')} ORDER BY class, name, id LIMIT :limit OFFSET :offset`, {
        ...replacements, limit: filter.limit, offset: filter.offset,
      }),
      this.q<{ total: string }>(`SELECT count(*) AS total FROM cmdb_items WHERE ${where.join(' AND ')}`, replacements),
    ]);
    return { items: rows.map((r) => this.open(r)), total: Number(total) };
  }

  async byId(tenantId: string, id: string): Promise<CmdbItem | null> {
    const [row] = await this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE tenant_id = :tenantId AND id = :id`, { tenantId, id });
    return row ? this.open(row) : null;
  }

  /** Every item of these states (the dependency graph of one state lives among its own items). */
  async ofStates(tenantId: string, stateIds: string[]): Promise<CmdbItem[]> {
    if (!stateIds.length) return [];
    const rows = await this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE tenant_id = :tenantId AND state_id IN (:stateIds) ORDER BY address`, { tenantId, stateIds });
    return rows.map((r) => this.open(r));
  }

  /** Every item kept from the states of these projects. */
  async ofProjects(tenantId: string, projectIds: string[]): Promise<CmdbItem[]> {
    if (!projectIds.length) return [];
    const rows = await this.q<Row>(
      `SELECT ${ITEM} FROM cmdb_items WHERE tenant_id = :tenantId AND project_id IN (:projectIds) ORDER BY address`, { tenantId, projectIds },
    );
    return rows.map((r) => this.open(r));
  }

  async create(item: Pick<CmdbItem, 'tenantId' | 'name' | 'class' | 'environment' | 'attributes' | 'createdBy'>, transaction?: Transaction): Promise<CmdbItem> {
    const id = randomUUID();
    const sealed = this.seal(id, item.attributes);
    const [row] = await this.q<Row>(
      `INSERT INTO cmdb_items (id, tenant_id, name, class, environment, source, attributes_key_id, attributes_sealed, created_by)
       VALUES (:id, :tenantId, :name, :class, :environment, 'manual', :keyId, :data, :createdBy) RETURNING ${ITEM}`,
      { id, ...item, ...sealed },
      transaction,
    );
    return this.open(row);
  }

  /**
   * Replaces a state's items by those of `sync.version`, in one transaction; a sync of a version
   * older than the one already reflected changes nothing (returns false). Items keep their id
   * across versions (by address), so links to a CI survive a re-apply.
   */
  async syncState(sync: StateSync): Promise<boolean> {
    return this.deps.sequelize.transaction(async (transaction) => {
      const [claimed] = await this.q<{ version: number }>(
        `INSERT INTO cmdb_syncs (state_id, version) VALUES (:stateId, :version)
         ON CONFLICT (state_id) DO UPDATE SET version = EXCLUDED.version, synced_at = now() WHERE cmdb_syncs.version < EXCLUDED.version
         RETURNING version`,
        { stateId: sync.stateId, version: sync.version },
        transaction,
      );
      if (!claimed) return false;
      const existing = await this.q<{ id: string; address: string }>(
        'SELECT id, address FROM cmdb_items WHERE state_id = :stateId FOR UPDATE', { stateId: sync.stateId }, transaction,
      );
      const ids = new Map(existing.map((e) => [e.address, e.id]));
      const keep = new Set(sync.cis.map((c) => c.address));
      const gone = existing.filter((e) => !keep.has(e.address)).map((e) => e.id);
      if (gone.length) await this.q('DELETE FROM cmdb_items WHERE id IN (:gone) RETURNING id', { gone }, transaction);
      for (const ci of sync.cis) {
        const id = ids.get(ci.address) ?? randomUUID();
        const sealed = this.seal(id, ci.attributes);
        await this.q(
          `INSERT INTO cmdb_items (id, tenant_id, state_id, project_id, name, class, address, resource_type, provider, depends_on,
             attributes_key_id, attributes_sealed, source, created_by)
           VALUES (:id, :tenantId, :stateId, :projectId, :name, :class, :address, :type, :provider, CAST(:dependsOn AS jsonb), :keyId, :data, 'terraform', 'terraform state')
           ON CONFLICT (state_id, address) DO UPDATE SET project_id = EXCLUDED.project_id, name = EXCLUDED.name, class = EXCLUDED.class,
             resource_type = EXCLUDED.resource_type, provider = EXCLUDED.provider, depends_on = EXCLUDED.depends_on,
             attributes_key_id = EXCLUDED.attributes_key_id, attributes_sealed = EXCLUDED.attributes_sealed, updated_at = now()
           RETURNING id`,
          {
            id, tenantId: sync.tenantId, stateId: sync.stateId, projectId: sync.projectId, name: `${sync.stateName}:${ci.address}`, class: ci.class,
            address: ci.address, type: ci.type, provider: ci.provider, dependsOn: JSON.stringify(ci.dependsOn), ...sealed,
          },
          transaction,
        );
      }
      return true;
    });
  }

  /** Re-seals up to `limit` items under an old key (`atlantas rotate-key`). */
  async resealBatch(encryptor: Encryptor, limit: number, transaction: Transaction): Promise<number> {
    const rows = await this.q<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, attributes_key_id AS "keyId", attributes_sealed AS data FROM cmdb_items
       WHERE attributes_key_id IS NOT NULL AND attributes_key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { current: encryptor.currentKeyId, limit }, transaction,
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, attributesAad(row.id)), attributesAad(row.id));
      await this.q('UPDATE cmdb_items SET attributes_key_id = :keyId, attributes_sealed = :data WHERE id = :id RETURNING id', { id: row.id, ...sealed }, transaction);
    }
    return rows.length;
  }

  private seal(id: string, attributes: Record<string, unknown>): { keyId: string; data: Buffer } {
    return this.deps.encryptor.seal(JSON.stringify(attributes), attributesAad(id));
  }

  private open(row: Row): CmdbItem {
    const { keyId, sealed, ...rest } = row;
    const attributes = keyId && sealed ? (JSON.parse(this.deps.encryptor.openString({ keyId, data: sealed }, attributesAad(row.id))) as Record<string, unknown>) : {};
    return { ...rest, attributes };
  }
}
