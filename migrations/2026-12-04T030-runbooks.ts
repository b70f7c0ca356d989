import type { Sequelize } from 'sequelize';

/**
 * Runbooks (issue 13): a tenant's named list of Atlantas actions (plan, apply with approval,
 * unlock, trigger an agent, notify, wait for approval), drafted, then published to be executed;
 * and each execution (real or dry run) with what every step did, linked to its incident.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE runbooks (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      description text NOT NULL DEFAULT '',
      status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
      steps jsonb NOT NULL DEFAULT '[]',
      version integer NOT NULL DEFAULT 1,
      generated_by text,
      incident_id uuid,
      created_by text NOT NULL,
      updated_by text NOT NULL,
      published_at timestamptz,
      published_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX runbooks_by_tenant ON runbooks (tenant_id, status, updated_at DESC);
    CREATE TABLE runbook_executions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      runbook_id uuid NOT NULL REFERENCES runbooks(id) ON DELETE CASCADE,
      runbook_version integer NOT NULL,
      incident_id uuid,
      dry_run boolean NOT NULL,
      status text NOT NULL,
      steps jsonb NOT NULL DEFAULT '[]',
      actor_kind text NOT NULL,
      actor_name text NOT NULL,
      via text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX runbook_executions_by_runbook ON runbook_executions (tenant_id, runbook_id, created_at DESC);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS runbook_executions; DROP TABLE IF EXISTS runbooks;');
}
