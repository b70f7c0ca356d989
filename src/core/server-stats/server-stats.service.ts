import type { Actor } from '../actor.js';
import { NotAllowedError } from '../errors.js';
import type { RunRepository } from '../runs/run.repository.js';
import type { TerraformRunner } from '../terraform/terraform-runner.js';

/** The scope of the credential the /metrics scraper acts with (systemActors.metricsScraper). */
export const SERVER_STATS_SCOPE = 'server:stats';

export interface ServerStats {
  /** runs of every tenant waiting for a worker (queued, or approved and waiting to apply) */
  queuedRuns: number;
  /** terraform processes this replica is running */
  terraformProcesses: number;
}

/**
 * Figures about the server itself, read when /metrics is scraped. They count across tenants and
 * name nothing in any of them, so only a platform admin or the metrics scraper may read them.
 */
export class ServerStatsService {
  constructor(private readonly deps: { runs: RunRepository; runner: TerraformRunner }) {}

  async snapshot(actor: Actor): Promise<ServerStats> {
    if (!actor.isPlatformAdmin && actor.scope !== SERVER_STATS_SCOPE) {
      throw new NotAllowedError('server figures are for a platform admin or the metrics scraper', { code: 'forbidden' });
    }
    return { queuedRuns: await this.deps.runs.countQueued(), terraformProcesses: this.deps.runner.active() };
  }
}
