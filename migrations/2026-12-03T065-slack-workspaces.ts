import type { Sequelize } from 'sequelize';

/**
 * Slack: the workspaces a tenant installed the app in (one tenant per team id; the bot token is
 * sealed, never stored in clear), Slack users linked to Atlantas users of that tenant, the
 * one-time codes that make such a link (only their SHA-256 is kept), and where each run's plan
 * card was posted, so that any replica can update it in place.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE slack_installations (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      team_id text NOT NULL UNIQUE,
      team_name text NOT NULL DEFAULT '',
      bot_user_id text,
      bot_token_key_id text NOT NULL,
      bot_token bytea NOT NULL,
      default_channel text,
      installed_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX slack_installations_tenant ON slack_installations (tenant_id);
    CREATE TABLE slack_user_links (
      team_id text NOT NULL,
      slack_user_id text NOT NULL,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (team_id, slack_user_id)
    );
    CREATE TABLE slack_link_codes (
      code_hash text PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE slack_run_cards (
      run_id uuid PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      team_id text NOT NULL,
      channel_id text NOT NULL,
      message_ts text NOT NULL,
      started_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS slack_run_cards;
    DROP TABLE IF EXISTS slack_link_codes;
    DROP TABLE IF EXISTS slack_user_links;
    DROP TABLE IF EXISTS slack_installations;
  `);
}
