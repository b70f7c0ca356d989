import type { Sequelize } from 'sequelize';

/**
 * The index keyset paging of GET /api/v1/runs reads (`created_at DESC, id DESC` within a tenant):
 * a page after a cursor is a range of it, however many runs the tenant has. It replaces
 * runs_tenant_created_idx, which it covers.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE INDEX IF NOT EXISTS runs_tenant_created_id_idx ON runs (tenant_id, created_at DESC, id DESC);
    DROP INDEX IF EXISTS runs_tenant_created_idx;
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE INDEX IF NOT EXISTS runs_tenant_created_idx ON runs (tenant_id, created_at DESC);
    DROP INDEX IF EXISTS runs_tenant_created_id_idx;
  `);
}
