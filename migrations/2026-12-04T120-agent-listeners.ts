import type { Sequelize } from 'sequelize';

/**
 * TFE agent pools are runner pools (issue 15 part 6). A listener is a runner that joined through
 * the TFE API: it gets its own credential (a runner token of kind `listener`, bound to that one
 * runner), so the pool's join tokens (kind `join`, what `/api/v1/runner-pools/{id}/tokens`
 * issues) are what TFE calls its authentication tokens. The listener CA (one per deployment)
 * signs the listeners' certificates; its private key is sealed like every other secret.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE runner_tokens ADD COLUMN kind text NOT NULL DEFAULT 'join';
    ALTER TABLE runners ADD COLUMN listener boolean NOT NULL DEFAULT false;
    CREATE UNIQUE INDEX runners_listener_name ON runners (pool_id, name) WHERE listener;
    CREATE TABLE listener_ca (
      id smallint PRIMARY KEY CHECK (id = 1),
      certificate text NOT NULL,
      key_id text NOT NULL,
      key_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS listener_ca;
    DROP INDEX IF EXISTS runners_listener_name;
    ALTER TABLE runners DROP COLUMN IF EXISTS listener;
    ALTER TABLE runner_tokens DROP COLUMN IF EXISTS kind;
  `);
}
