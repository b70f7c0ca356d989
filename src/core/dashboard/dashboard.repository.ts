import { QueryTypes, type Sequelize } from 'sequelize';

export interface TenantCounts {
  totalRuns: number;
  appliedRuns: number;
  erroredRuns: number;
  /** runs in one of `activeStatuses` */
  activeRuns: number;
  runningInstances: number;
  environments: number;
}

/** The tenant overview's counts, in one round trip. */
export class DashboardRepository {
  constructor(private readonly deps: { sequelize: Sequelize }) {}

  async counts(tenantId: string, activeStatuses: readonly string[]): Promise<TenantCounts> {
    const [row] = await this.deps.sequelize.query<Record<string, string>>(
      `SELECT
         (SELECT count(*) FROM runs WHERE tenant_id = :t) AS total_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status = 'applied') AS applied_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status = 'errored') AS errored_runs,
         (SELECT count(*) FROM runs WHERE tenant_id = :t AND status IN (:active)) AS active_runs,
         (SELECT count(*) FROM instances WHERE tenant_id = :t AND status = 'running') AS running_instances,
         (SELECT count(*) FROM environments WHERE tenant_id = :t) AS environments`,
      { replacements: { t: tenantId, active: [...activeStatuses] }, type: QueryTypes.SELECT },
    );
    const n = (k: string) => Number(row?.[k] ?? 0);
    return {
      totalRuns: n('total_runs'), appliedRuns: n('applied_runs'), erroredRuns: n('errored_runs'), activeRuns: n('active_runs'),
      runningInstances: n('running_instances'), environments: n('environments'),
    };
  }
}
