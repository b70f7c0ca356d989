import type { Sequelize } from 'sequelize';

/**
 * Incidents (issue 13): one row per incident with its per-tenant number (INC-00000001), drawn
 * from a counter row per tenant updated in the creating transaction, so a rolled-back create
 * leaves no gap (a sequence would). The partial unique index keeps at most one unresolved
 * incident per dedup key. Links (runs, drift records, projects, CIs, notifications) and the
 * timeline (every change, who and when) are their own rows. Tenants get an incident quota and
 * projects a criticality, from which automatic incidents take their severity.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE incident_counters (
      tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      last_number integer NOT NULL DEFAULT 0
    );
    CREATE TABLE incidents (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      number integer NOT NULL,
      title text NOT NULL,
      description text NOT NULL DEFAULT '',
      severity text NOT NULL,
      status text NOT NULL,
      source text NOT NULL,
      ci_ids jsonb NOT NULL DEFAULT '[]',
      assignee text,
      resolution_notes text,
      resolved_by text,
      dedup_key text,
      occurrences integer NOT NULL DEFAULT 1,
      episode integer NOT NULL DEFAULT 1,
      created_by text NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      acknowledged_at timestamptz,
      resolved_at timestamptz,
      closed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, number)
    );
    CREATE UNIQUE INDEX incidents_unresolved_dedup ON incidents (tenant_id, dedup_key) WHERE dedup_key IS NOT NULL AND status NOT IN ('resolved', 'closed');
    CREATE INDEX incidents_by_tenant ON incidents (tenant_id, number DESC);
    CREATE TABLE incident_links (
      incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL,
      target_id text NOT NULL,
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (incident_id, kind, target_id)
    );
    CREATE INDEX incident_links_target ON incident_links (tenant_id, kind, target_id);
    CREATE TABLE incident_timeline (
      id bigserial PRIMARY KEY,
      incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      at timestamptz NOT NULL DEFAULT now(),
      kind text NOT NULL,
      message text NOT NULL,
      actor_kind text NOT NULL,
      actor_name text NOT NULL,
      via text NOT NULL,
      link_kind text,
      link_id text,
      details jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, id);
    ALTER TABLE tenants ADD COLUMN max_incidents integer NOT NULL DEFAULT 500;
    ALTER TABLE projects ADD COLUMN criticality text;
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE projects DROP COLUMN IF EXISTS criticality;
    ALTER TABLE tenants DROP COLUMN IF EXISTS max_incidents;
    DROP TABLE IF EXISTS incident_timeline;
    DROP TABLE IF EXISTS incident_links;
    DROP TABLE IF EXISTS incidents;
    DROP TABLE IF EXISTS incident_counters;
  `);
}
