import type { Sequelize } from 'sequelize';

/**
 * The runner pool a run waits for when the run itself names one (a TFE workspace in agent mode
 * that maps to no registered project); NULL: its project's pool, else its tenant's default.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query('ALTER TABLE runs ADD COLUMN IF NOT EXISTS runner_pool_id uuid REFERENCES runner_pools(id) ON DELETE SET NULL');
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('ALTER TABLE runs DROP COLUMN IF EXISTS runner_pool_id');
}
