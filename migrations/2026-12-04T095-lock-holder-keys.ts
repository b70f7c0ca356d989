import type { Sequelize } from 'sequelize';

/**
 * Who holds and who took a project lock, by identity rather than display name: two actors with
 * the same name (a token named after a person, two Slack users called alike) are not the same
 * holder. NULL on older rows, which keep being compared by name.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE project_locks ADD COLUMN IF NOT EXISTS holder_key text;
    ALTER TABLE project_locks ADD COLUMN IF NOT EXISTS locked_by_key text;
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('ALTER TABLE project_locks DROP COLUMN IF EXISTS holder_key; ALTER TABLE project_locks DROP COLUMN IF EXISTS locked_by_key;');
}
