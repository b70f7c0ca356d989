import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';

export interface RunnerPool {
  id: string;
  tenantId: string | null;
  name: string;
  createdAt: Date;
}

export interface RunnerToken {
  id: string;
  poolId: string;
  name: string;
  /** `join`: a pool's token (registers runners, joins listeners); `listener`: one listener's own credential */
  kind: 'join' | 'listener';
  createdAt?: Date;
}

export interface Runner {
  id: string;
  poolId: string;
  tokenId: string;
  name: string;
  version: string;
  lastHeartbeatAt: Date;
  /** joined through the TFE agent API */
  listener: boolean;
}

const POOL = `id, tenant_id AS "tenantId", name, created_at AS "createdAt"`;
const RUNNER = `id, pool_id AS "poolId", token_id AS "tokenId", name, version, last_heartbeat_at AS "lastHeartbeatAt", listener`;
const TOKEN = `id, pool_id AS "poolId", name, kind, created_at AS "createdAt"`;

/** Queries on runner pools, their tokens and registered runners. */
export class RunnerRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }

  async createPool(tenantId: string | null, name: string): Promise<RunnerPool> {
    const [pool] = await this.q<RunnerPool>(`INSERT INTO runner_pools (id, tenant_id, name) VALUES (:id, :tenantId, :name) RETURNING ${POOL}`, { id: randomUUID(), tenantId, name });
    return pool;
  }

  /** The tenant's pools and the shared ones. */
  listPools(tenantId: string): Promise<RunnerPool[]> {
    return this.q(`SELECT ${POOL} FROM runner_pools WHERE tenant_id = :tenantId OR tenant_id IS NULL ORDER BY created_at, id`, { tenantId });
  }

  async findPool(id: string): Promise<RunnerPool | null> {
    return (await this.q<RunnerPool>(`SELECT ${POOL} FROM runner_pools WHERE id = :id`, { id }))[0] ?? null;
  }

  async deletePool(id: string): Promise<void> {
    await this.q(`DELETE FROM runner_pools WHERE id = :id RETURNING id`, { id });
  }

  async setTenantDefault(tenantId: string, poolId: string | null): Promise<void> {
    await this.q(`UPDATE tenants SET default_runner_pool_id = :poolId WHERE id = :tenantId RETURNING id`, { tenantId, poolId });
  }

  async createToken(poolId: string, name: string, tokenHash: string, kind: RunnerToken['kind'] = 'join'): Promise<RunnerToken> {
    const [token] = await this.q<RunnerToken>(
      `INSERT INTO runner_tokens (id, pool_id, name, token_hash, kind) VALUES (:id, :poolId, :name, :tokenHash, :kind) RETURNING ${TOKEN}`,
      { id: randomUUID(), poolId, name, tokenHash, kind },
    );
    return token;
  }

  async findToken(tokenHash: string): Promise<RunnerToken | null> {
    return (await this.q<RunnerToken>(`SELECT ${TOKEN} FROM runner_tokens WHERE token_hash = :tokenHash`, { tokenHash }))[0] ?? null;
  }

  /** The pool's join tokens (never the listeners' own credentials), without their secrets. */
  listJoinTokens(poolId: string): Promise<RunnerToken[]> {
    return this.q(`SELECT ${TOKEN} FROM runner_tokens WHERE pool_id = :poolId AND kind = 'join' ORDER BY created_at, id`, { poolId });
  }

  /** A new secret for an existing token (a listener that joins again under its name). */
  async rehashToken(id: string, tokenHash: string): Promise<void> {
    await this.q(`UPDATE runner_tokens SET token_hash = :tokenHash WHERE id = :id RETURNING id`, { id, tokenHash });
  }

  async register(token: RunnerToken, name: string, version: string, listener = false): Promise<Runner> {
    const [runner] = await this.q<Runner>(
      `INSERT INTO runners (id, pool_id, token_id, name, version, listener) VALUES (:id, :poolId, :tokenId, :name, :version, :listener) RETURNING ${RUNNER}`,
      { id: randomUUID(), poolId: token.poolId, tokenId: token.id, name, version, listener },
    );
    return runner;
  }

  async findListener(poolId: string, name: string): Promise<Runner | null> {
    return (await this.q<Runner>(`SELECT ${RUNNER} FROM runners WHERE pool_id = :poolId AND name = :name AND listener`, { poolId, name }))[0] ?? null;
  }

  /** The runs a runner holds now (planning or applying). */
  async heldRunIds(workerId: string): Promise<string[]> {
    const rows = await this.q<{ id: string }>(`SELECT id FROM runs WHERE worker_id = :workerId AND status IN ('planning', 'applying')`, { workerId });
    return rows.map((r) => r.id);
  }

  /** Which pool a project's runs wait for (null: the tenant's default, else in-process workers). */
  async setProjectPool(tenantId: string, projectId: string, poolId: string | null): Promise<void> {
    await this.q(`UPDATE projects SET runner_pool_id = :poolId WHERE id = :projectId AND tenant_id = :tenantId RETURNING id`, { tenantId, projectId, poolId });
  }

  async projectPool(tenantId: string, projectId: string): Promise<string | null> {
    const [row] = await this.q<{ poolId: string | null }>(`SELECT runner_pool_id AS "poolId" FROM projects WHERE id = :projectId AND tenant_id = :tenantId`, { tenantId, projectId });
    return row?.poolId ?? null;
  }

  async findRunner(id: string): Promise<Runner | null> {
    return (await this.q<Runner>(`SELECT ${RUNNER} FROM runners WHERE id = :id`, { id }))[0] ?? null;
  }

  async touch(id: string): Promise<void> {
    await this.q(`UPDATE runners SET last_heartbeat_at = now() WHERE id = :id RETURNING id`, { id });
  }

  /** The pool's runners with the runs each holds now. */
  listRunners(poolId: string): Promise<Array<Runner & { currentRunIds: string[] }>> {
    return this.q(
      `SELECT ${RUNNER.replace(/(^|, )(\w+)/g, '$1r.$2')},
              COALESCE((SELECT array_agg(x.id::text) FROM runs x WHERE x.worker_id = 'runner:' || r.id::text
                        AND x.status IN ('planning', 'applying')), '{}') AS "currentRunIds"
       FROM runners r WHERE r.pool_id = :poolId ORDER BY r.created_at, r.id`,
      { poolId },
    );
  }
}
