import type { Sequelize } from 'sequelize';

/**
 * ITSM: change requests (with a window; an approved one lets `requires_change` projects apply
 * inside it), service requests from a small catalog, and per-tenant gap-free references
 * (CHG-00000001, REQ-00000001) counted in the same transaction as the insert.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE projects ADD COLUMN requires_change boolean NOT NULL DEFAULT false;
    CREATE TABLE itsm_counters (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL,
      last integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, kind)
    );
    CREATE TABLE change_requests (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      reference text NOT NULL,
      title text NOT NULL,
      description text,
      type text NOT NULL,
      risk_level text NOT NULL,
      status text NOT NULL,
      requested_start timestamptz NOT NULL,
      requested_end timestamptz NOT NULL,
      implementation_plan text,
      rollback_plan text,
      project_ids uuid[] NOT NULL DEFAULT '{}',
      requested_by text NOT NULL,
      requested_by_user_id uuid,
      decided_by text,
      decided_at timestamptz,
      decision_note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, reference),
      CHECK (requested_end > requested_start)
    );
    CREATE INDEX change_requests_window ON change_requests (tenant_id, status, requested_start, requested_end);
    CREATE TABLE service_requests (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      reference text NOT NULL,
      catalog_item_id text NOT NULL,
      status text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}',
      requested_by text NOT NULL,
      requested_by_user_id uuid,
      decided_by text,
      decided_at timestamptz,
      decision_note text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, reference)
    );
    CREATE INDEX service_requests_status ON service_requests (tenant_id, status, created_at DESC);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS service_requests;
    DROP TABLE IF EXISTS change_requests;
    DROP TABLE IF EXISTS itsm_counters;
    ALTER TABLE projects DROP COLUMN IF EXISTS requires_change;
  `);
}
