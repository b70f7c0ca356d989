import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    -- Failed logins per account, shared by every replica and surviving restarts: the backoff that
    -- rotating client addresses cannot reset. Keyed on the SHA-256 of the lower-cased email, so
    -- guessed addresses of accounts that do not exist are not stored in clear.
    CREATE TABLE IF NOT EXISTS login_failures (
      account text PRIMARY KEY,
      failures integer NOT NULL CHECK (failures >= 0),
      last_failure_at timestamptz NOT NULL,
      blocked_until timestamptz
    );
    CREATE INDEX IF NOT EXISTS login_failures_last_failure_idx ON login_failures (last_failure_at);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS login_failures;');
}
