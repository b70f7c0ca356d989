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

/** What is sealed of an item: all that names or describes the real thing. */
interface SealedPart {
  name: string;
  address: string | null;
  dependsOn: string[];
  attributes: Record<string, unknown>;
}

const ITEM = `id, tenant_id AS "tenantId", class, environment, source, state_id AS "stateId", project_id AS "projectId",
  resource_type AS "resourceType", provider, key_id AS "keyId", sealed, created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

type Row = Omit<CmdbItem, keyof SealedPart> & { keyId: string; sealed: Buffer };

/** Binds an item's sealed part to its row. */
const itemAad = (id: string) => `cmdb-item:${id}`;

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
 * Configuration items, always within one tenant. Name, address, dependencies and attributes
 * (already without the state's sensitive values) are sealed: addresses carry for_each keys and
 * attributes name and address real infrastructure. Class, type and provider stay clear to filter on.
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
      this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE ${where.join(' AND ')} ORDER BY class, created_at, id LIMIT :limit OFFSET :offset`, {
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
    const rows = await this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE tenant_id = :tenantId AND state_id IN (:stateIds) ORDER BY created_at, id`, { tenantId, stateIds });
    return rows.map((r) => this.open(r)).sort(byAddress);
  }

  /** Every item kept from the states of these projects. */
  async ofProjects(tenantId: string, projectIds: string[]): Promise<CmdbItem[]> {
    if (!projectIds.length) return [];
    const rows = await this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE tenant_id = :tenantId AND project_id IN (:projectIds) ORDER BY created_at, id`, { tenantId, projectIds });
    return rows.map((r) => this.open(r)).sort(byAddress);
  }

  async create(item: Pick<CmdbItem, 'tenantId' | 'name' | 'class' | 'environment' | 'attributes' | 'createdBy'>, transaction?: Transaction): Promise<CmdbItem> {
    const id = randomUUID();
    const sealed = this.seal(id, { name: item.name, address: null, dependsOn: [], attributes: item.attributes });
    const [row] = await this.q<Row>(
      `INSERT INTO cmdb_items (id, tenant_id, class, environment, source, key_id, sealed, created_by)
       VALUES (:id, :tenantId, :class, :environment, 'manual', :keyId, :data, :createdBy) RETURNING ${ITEM}`,
      { id, tenantId: item.tenantId, class: item.class, environment: item.environment, createdBy: item.createdBy, ...sealed },
      transaction,
    );
    return this.open(row);
  }

  /**
   * Replaces a state's items by those of `sync.version`, in one transaction; a sync of a version
   * older than the one already reflected changes nothing (returns false). The `cmdb_syncs` row
   * it claims serialises syncs of one state. Items keep their id across versions (matched by
   * address), so links to a CI survive a re-apply.
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
      const existing = (await this.q<Row>(`SELECT ${ITEM} FROM cmdb_items WHERE state_id = :stateId`, { stateId: sync.stateId }, transaction)).map((r) => this.open(r));
      const ids = new Map(existing.map((e) => [e.address, e.id]));
      const keep = new Set(sync.cis.map((c) => c.address));
      const gone = existing.filter((e) => !keep.has(e.address ?? '')).map((e) => e.id);
      if (gone.length) await this.q('DELETE FROM cmdb_items WHERE id IN (:gone) RETURNING id', { gone }, transaction);
      for (const ci of sync.cis) {
        const known = ids.get(ci.address);
        const id = known ?? randomUUID();
        const sealed = this.seal(id, { name: `${sync.stateName}:${ci.address}`, address: ci.address, dependsOn: ci.dependsOn, attributes: ci.attributes });
        const values = { id, tenantId: sync.tenantId, stateId: sync.stateId, projectId: sync.projectId, class: ci.class, type: ci.type, provider: ci.provider, ...sealed };
        if (known) {
          await this.q(
            `UPDATE cmdb_items SET project_id = :projectId, class = :class, resource_type = :type, provider = :provider, key_id = :keyId, sealed = :data, updated_at = now()
             WHERE id = :id RETURNING id`,
            values, transaction,
          );
        } else {
          await this.q(
            `INSERT INTO cmdb_items (id, tenant_id, state_id, project_id, class, resource_type, provider, key_id, sealed, source, created_by)
             VALUES (:id, :tenantId, :stateId, :projectId, :class, :type, :provider, :keyId, :data, 'terraform', 'terraform state') RETURNING id`,
            values, transaction,
          );
        }
      }
      return true;
    });
  }

  /** Re-seals up to `limit` items under an old key (`atlantas rotate-key`). */
  async resealBatch(encryptor: Encryptor, limit: number, transaction: Transaction): Promise<number> {
    const rows = await this.q<{ id: string; keyId: string; data: Buffer }>(
      `SELECT id, key_id AS "keyId", sealed AS data FROM cmdb_items WHERE key_id <> :current ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED`,
      { current: encryptor.currentKeyId, limit }, transaction,
    );
    for (const row of rows) {
      const sealed = encryptor.seal(encryptor.open(row, itemAad(row.id)), itemAad(row.id));
      await this.q('UPDATE cmdb_items SET key_id = :keyId, sealed = :data WHERE id = :id RETURNING id', { id: row.id, ...sealed }, transaction);
    }
    return rows.length;
  }

  private seal(id: string, part: SealedPart): { keyId: string; data: Buffer } {
    return this.deps.encryptor.seal(JSON.stringify(part), itemAad(id));
  }

  private open(row: Row): CmdbItem {
    const { keyId, sealed, ...rest } = row;
    const part = JSON.parse(this.deps.encryptor.openString({ keyId, data: sealed }, itemAad(row.id))) as SealedPart;
    return { ...rest, ...part };
  }
}

function byAddress(a: CmdbItem, b: CmdbItem): number {
  return (a.address ?? a.name).localeCompare(b.address ?? b.name);
}
