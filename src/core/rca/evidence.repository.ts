import { QueryTypes, type Sequelize } from 'sequelize';

/** A project as changes name it: its registered id, and the repository path its runs and drift use. */
export interface EvidenceScope {
  projectIds: string[];
  targets: { repoFullName: string; dir: string }[];
}

export interface StateWriteRow {
  id: string;
  stateId: string;
  name: string;
  workspace: string;
  projectId: string | null;
  version: number;
  serial: number;
  forced: boolean;
  createdByKind: string;
  createdByName: string;
  via: string;
  createdAt: Date;
}

export interface LockEventRow {
  id: string;
  action: string;
  targetType: string;
  targetId: string | null;
  actorName: string;
  via: string;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export interface PrApplyRow {
  repoFullName: string;
  prNumber: number;
  headSha: string;
  runIds: string[];
  createdAt: Date;
}

/**
 * Read-only queries for RCA and the copilot: what changed on some projects in a time window, always
 * inside one tenant. Rows carry metadata only: no state bytes, no run output.
 */
export class EvidenceRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  private q<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    return this.deps.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }

  /** `(project_id IN … OR (repo, dir) IN …)` for a table with those columns, and its replacements. */
  private scopeSql(scope: EvidenceScope, alias: string): { sql: string; replacements: Record<string, unknown> } {
    const parts: string[] = [];
    const replacements: Record<string, unknown> = {};
    if (scope.projectIds.length) {
      parts.push(`${alias}.project_id IN (:projectIds)`);
      replacements.projectIds = scope.projectIds;
    }
    scope.targets.forEach((t, i) => {
      parts.push(`(lower(${alias}.repo_full_name) = lower(:repo${i}) AND ${alias}.dir = :dir${i})`);
      replacements[`repo${i}`] = t.repoFullName;
      replacements[`dir${i}`] = t.dir;
    });
    return { sql: parts.length ? `(${parts.join(' OR ')})` : 'false', replacements };
  }

  /** Runs that changed (or tried to change) infrastructure, ended in the window: applied, applying, or an approved/auto apply that errored. */
  async applyRunIds(tenantId: string, scope: EvidenceScope, from: Date, to: Date, limit = 200): Promise<string[]> {
    const s = this.scopeSql(scope, 'r');
    const rows = await this.q<{ id: string }>(
      `SELECT r.id FROM runs r WHERE r.tenant_id = :tenantId AND ${s.sql}
         AND (r.status IN ('applied', 'applying') OR (r.status = 'errored' AND (r.approved_at IS NOT NULL OR r.auto_apply)))
         AND coalesce(r.finished_at, r.updated_at) BETWEEN :from AND :to
       ORDER BY coalesce(r.finished_at, r.updated_at) DESC, r.id LIMIT :limit`,
      { tenantId, from, to, limit, ...s.replacements },
    );
    return rows.map((r) => r.id);
  }

  /** Runs of the tenant by status in a window, any project (the copilot's "recent failed runs"). */
  async recentRunIds(tenantId: string, statuses: string[], from: Date, limit: number): Promise<string[]> {
    const rows = await this.q<{ id: string }>(
      `SELECT id FROM runs WHERE tenant_id = :tenantId AND status IN (:statuses) AND created_at >= :from ORDER BY created_at DESC, id LIMIT :limit`,
      { tenantId, statuses, from, limit },
    );
    return rows.map((r) => r.id);
  }

  /** The state names runs of the scope used (a registered project's, or the derived one). */
  async stateNames(tenantId: string, scope: EvidenceScope): Promise<string[]> {
    const s = this.scopeSql(scope, 'r');
    const rows = await this.q<{ name: string }>(
      `SELECT DISTINCT r.state_name AS name FROM runs r WHERE r.tenant_id = :tenantId AND r.state_name IS NOT NULL AND ${s.sql} LIMIT 100`,
      { tenantId, ...s.replacements },
    );
    return rows.map((r) => r.name);
  }

  async stateWrites(tenantId: string, projectIds: string[], stateNames: string[], from: Date, to: Date, limit = 200): Promise<StateWriteRow[]> {
    if (!projectIds.length && !stateNames.length) return [];
    const match = [projectIds.length ? 's.project_id IN (:projectIds)' : '', stateNames.length ? 's.name IN (:stateNames)' : ''].filter(Boolean).join(' OR ');
    return this.q<StateWriteRow>(
      `SELECT v.id, v.state_id AS "stateId", s.name, s.workspace, s.project_id AS "projectId", v.version, v.serial::integer AS serial, v.forced,
              v.created_by_kind AS "createdByKind", v.created_by_name AS "createdByName", v.via, v.created_at AS "createdAt"
         FROM state_versions v JOIN states s ON s.id = v.state_id
        WHERE v.tenant_id = :tenantId AND (${match}) AND v.created_at BETWEEN :from AND :to
        ORDER BY v.created_at DESC, v.id LIMIT :limit`,
      { tenantId, projectIds, stateNames, from, to, limit },
    );
  }

  /** State lock, unlock and force-unlock entries of those states, and project-lock deletions of those paths. */
  async lockEvents(tenantId: string, stateIds: string[], lockKeyPrefixes: string[], from: Date, to: Date, limit = 200): Promise<LockEventRow[]> {
    const parts: string[] = [];
    if (stateIds.length) parts.push(`(target_type = 'state' AND action IN ('state.lock', 'state.unlock', 'state.force_unlock') AND target_id IN (:stateIds))`);
    lockKeyPrefixes.forEach((_, i) => parts.push(`(action = 'lock.delete' AND lower(detail->>'key') LIKE lower(:key${i}))`));
    if (!parts.length) return [];
    const keys = Object.fromEntries(lockKeyPrefixes.map((k, i) => [`key${i}`, `${k.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]));
    return this.q<LockEventRow>(
      `SELECT id::text AS id, action, target_type AS "targetType", target_id AS "targetId", actor_name AS "actorName", via, detail, created_at AS "createdAt"
         FROM audit_log WHERE tenant_id = :tenantId AND (${parts.join(' OR ')}) AND created_at BETWEEN :from AND :to
        ORDER BY created_at DESC, id DESC LIMIT :limit`,
      { tenantId, stateIds, from, to, limit, ...keys },
    );
  }

  /** Pull requests whose apply commands ran on those repositories in the window (what Atlantas knows of a merge). */
  async prApplies(tenantId: string, repos: string[], from: Date, to: Date, limit = 100): Promise<PrApplyRow[]> {
    if (!repos.length) return [];
    return this.q<PrApplyRow>(
      `SELECT repo_full_name AS "repoFullName", pr_number AS "prNumber", head_sha AS "headSha", run_ids AS "runIds", created_at AS "createdAt"
         FROM pr_batches WHERE tenant_id = :tenantId AND kind = 'apply' AND lower(repo_full_name) IN (:repos) AND created_at BETWEEN :from AND :to
        ORDER BY created_at DESC, id LIMIT :limit`,
      { tenantId, repos: repos.map((r) => r.toLowerCase()), from, to, limit },
    );
  }

  /** The tenant's latest state writes (the copilot's state history). */
  async recentStateWrites(tenantId: string, from: Date, limit: number): Promise<StateWriteRow[]> {
    return this.q<StateWriteRow>(
      `SELECT v.id, v.state_id AS "stateId", s.name, s.workspace, s.project_id AS "projectId", v.version, v.serial::integer AS serial, v.forced,
              v.created_by_kind AS "createdByKind", v.created_by_name AS "createdByName", v.via, v.created_at AS "createdAt"
         FROM state_versions v JOIN states s ON s.id = v.state_id
        WHERE v.tenant_id = :tenantId AND v.created_at >= :from ORDER BY v.created_at DESC, v.id LIMIT :limit`,
      { tenantId, from, limit },
    );
  }
}
