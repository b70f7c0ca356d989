import { QueryTypes, type Sequelize } from 'sequelize';
import { requirePermission, type Actor } from '../actor.js';

export interface DashboardStats {
  totalRuns: number;
  appliedRuns: number;
  erroredRuns: number;
  pendingRuns: number;
  activeInstances: number;
  totalEnvironments: number;
  /** applied runs as a percentage of all runs, one decimal */
  successRate: number;
}

const ACTIVE = ['pending', 'planning', 'planned', 'confirmed', 'applying'];

/** Aggregates for the tenant overview, in one round trip. */
export class DashboardService {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async stats(actor: Actor): Promise<DashboardStats> {
    requirePermission(actor, 'tenant:read');
    const [row] = await this.deps.sequelize.query<Record<string, string>>(
      `SELECT
         (SELECT count(*) FROM runs WHERE tenant_id = :t) AS total_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status = 'applied') AS applied_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status = 'errored') AS errored_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status IN (:active)) AS pending_runs,
         (SELECT count(*) FROM instances WHERE tenant_id = :t AND status = 'running') AS active_instances,
         (SELECT count(*) FROM environments WHERE tenant_id = :t) AS total_environments`,
      { replacements: { t: actor.tenantId, active: ACTIVE }, type: QueryTypes.SELECT },
    );
    const n = (k: string) => Number(row?.[k] ?? 0);
    const total = n('total_runs');
    return {
      totalRuns: total,
      appliedRuns: n('applied_runs'),
      erroredRuns: n('errored_runs'),
      pendingRuns: n('pending_runs'),
      activeInstances: n('active_instances'),
      totalEnvironments: n('total_environments'),
      successRate: total ? Math.round((n('applied_runs') / total) * 1000) / 10 : 0,
    };
  }
}
