import type { Sequelize } from 'sequelize';

/**
 * TFE notification configurations (issue 15 part 7): per TFE workspace, a destination (generic
 * webhook, Slack incoming webhook, email) and the run triggers it tells. The URL and the HMAC
 * token are sealed together (key_id + sealed; `atlantas rotate-key` re-seals them). The last
 * delivery answers (what `actions/verify` and TFC's `delivery-responses` show) are kept, short.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE tfe_notification_configurations (
      id text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      workspace_id text NOT NULL REFERENCES tfe_workspaces(id) ON DELETE CASCADE,
      name text NOT NULL,
      destination_type text NOT NULL,
      enabled boolean NOT NULL DEFAULT true,
      triggers text[] NOT NULL DEFAULT '{}',
      email_addresses text[] NOT NULL DEFAULT '{}',
      has_url boolean NOT NULL DEFAULT false,
      has_token boolean NOT NULL DEFAULT false,
      key_id text,
      sealed bytea,
      delivery_responses jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX tfe_notification_configurations_workspace ON tfe_notification_configurations (tenant_id, workspace_id);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS tfe_notification_configurations;');
}
