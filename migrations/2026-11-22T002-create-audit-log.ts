import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS audit_log (
      id bigserial PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      actor_kind text NOT NULL,
      actor_id text,
      actor_name text NOT NULL,
      via text NOT NULL,
      action text NOT NULL,
      target_type text NOT NULL,
      target_id text,
      detail jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS audit_log_tenant_created_idx ON audit_log (tenant_id, created_at DESC, id DESC);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS audit_log');
}
