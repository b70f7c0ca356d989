import { requirePermission, type Actor } from '../actor.js';
import type { DashboardRepository } from './dashboard.repository.js';

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

/** Aggregates for the tenant overview. */
export class DashboardService {
  constructor(private readonly deps: { repo: DashboardRepository }) {}

  async stats(actor: Actor): Promise<DashboardStats> {
    requirePermission(actor, 'tenant:read');
    const c = await this.deps.repo.counts(actor.tenantId, ACTIVE);
    return {
      totalRuns: c.totalRuns,
      appliedRuns: c.appliedRuns,
      erroredRuns: c.erroredRuns,
      pendingRuns: c.activeRuns,
      activeInstances: c.runningInstances,
      totalEnvironments: c.environments,
      successRate: c.totalRuns ? Math.round((c.appliedRuns / c.totalRuns) * 1000) / 10 : 0,
    };
  }
}
