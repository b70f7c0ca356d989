import type { Sequelize } from 'sequelize';

/**
 * CMDB: configuration items. Items with a state_id are kept by the state backend (one per managed
 * resource instance of the state's current version, replaced on every write); items without one
 * were registered by hand. Name, address, dependencies and attributes are sealed together (an
 * address carries for_each keys, attributes name real things), the state's sensitive values
 * already removed; class, type and provider stay clear to filter on. `cmdb_syncs` remembers which state version the items
 * reflect, so a slower sync of an older version never overwrites a newer one.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE cmdb_items (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      state_id uuid REFERENCES states(id) ON DELETE CASCADE,
      project_id uuid REFERENCES projects(id) ON DELETE SET NULL,
      class text NOT NULL,
      environment text,
      resource_type text,
      provider text,
      key_id text NOT NULL,
      sealed bytea NOT NULL,
      source text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX cmdb_items_tenant_class ON cmdb_items (tenant_id, class, created_at);
    CREATE INDEX cmdb_items_state ON cmdb_items (state_id);
    CREATE INDEX cmdb_items_project ON cmdb_items (tenant_id, project_id);
    CREATE INDEX cmdb_items_key ON cmdb_items (key_id);
    CREATE TABLE cmdb_syncs (
      state_id uuid PRIMARY KEY REFERENCES states(id) ON DELETE CASCADE,
      version integer NOT NULL,
      synced_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS cmdb_syncs; DROP TABLE IF EXISTS cmdb_items;');
}
