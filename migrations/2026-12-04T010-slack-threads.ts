import type { Sequelize } from 'sequelize';

/**
 * Where a notification that later ones answer was posted in Slack (a drift.detected message, whose
 * thread drift.resolved replies in), by subject (`drift:<record id>`): any replica that delivers
 * the later event finds the thread. The newest message of a subject wins.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE slack_threads (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      subject text NOT NULL,
      team_id text NOT NULL,
      channel_id text NOT NULL,
      message_ts text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, subject)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS slack_threads;');
}
