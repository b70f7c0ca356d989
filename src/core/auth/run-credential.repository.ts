import { QueryTypes, type Sequelize } from 'sequelize';
import { isUuid } from '../ids.js';
import type { RunStatus } from '../runs/run-status.js';

/** The one fact a run credential needs at each use: where its run is now. */
export class RunCredentialRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async runStatus(runId: string): Promise<{ tenantId: string; status: RunStatus } | null> {
    if (!isUuid(runId)) return null;
    const [row] = await this.sequelize.query<{ tenantId: string; status: RunStatus }>(
      'SELECT tenant_id AS "tenantId", status FROM runs WHERE id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return row ?? null;
  }
}
