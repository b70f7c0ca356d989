import type { Sequelize } from 'sequelize';

/**
 * Cron agents (issue 12): the agents a tenant configured, each execution they made (one row per
 * schedule slot: the unique (agent_id, scheduled_for) is what makes a slot run once even if two
 * replicas briefly both believe they lead), and what each agent already told people about, so a
 * finding is notified once and again only after it went away and came back.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE agents (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      agent_type text NOT NULL,
      schedule text NOT NULL,
      timezone text NOT NULL DEFAULT 'UTC',
      is_active boolean NOT NULL DEFAULT true,
      config jsonb NOT NULL DEFAULT '{}',
      target_project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      target_environment_id uuid REFERENCES environments(id) ON DELETE SET NULL,
      target_instance_id uuid REFERENCES instances(id) ON DELETE SET NULL,
      schedule_anchor timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE INDEX agents_active ON agents (is_active) WHERE is_active;
    CREATE TABLE agent_executions (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      trigger text NOT NULL,
      scheduled_for timestamptz,
      status text NOT NULL DEFAULT 'running',
      summary text NOT NULL DEFAULT '',
      findings jsonb NOT NULL DEFAULT '[]',
      run_ids jsonb NOT NULL DEFAULT '[]',
      error text,
      replica text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      UNIQUE (agent_id, scheduled_for)
    );
    CREATE INDEX agent_executions_by_agent ON agent_executions (agent_id, started_at DESC);
    CREATE TABLE agent_findings (
      agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
      key text NOT NULL,
      first_seen_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (agent_id, key)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS agent_findings; DROP TABLE IF EXISTS agent_executions; DROP TABLE IF EXISTS agents;');
}
