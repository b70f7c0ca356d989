import type { Sequelize } from 'sequelize';

/**
 * Kept plans and the notifications outbox.
 * - runs.keep_plan: a plan outside a pull request that is kept (and holds its lock) until it is
 *   applied, discarded, superseded or expires, instead of ending speculative.
 * - projects.slack_channel / notify_events: where a project's notifications go and which kinds
 *   (null: every kind).
 * - notification_settings: a tenant's default channel.
 * - notification_outbox: one row per event and registered channel, claimed with SKIP LOCKED by any
 *   replica; (tenant, channel, dedupe_key) is unique so an event published twice is told once.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE runs ADD COLUMN keep_plan boolean NOT NULL DEFAULT false;
    ALTER TABLE projects ADD COLUMN slack_channel text;
    ALTER TABLE projects ADD COLUMN notify_events text[];
    CREATE TABLE notification_settings (
      tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
      default_channel text,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE notification_outbox (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      channel text NOT NULL,
      kind text NOT NULL,
      project_id uuid,
      event jsonb NOT NULL,
      dedupe_key text,
      status text NOT NULL DEFAULT 'pending',
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      claimed_at timestamptz,
      destination text,
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX notification_outbox_dedupe_idx ON notification_outbox (tenant_id, channel, dedupe_key) WHERE dedupe_key IS NOT NULL;
    CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS notification_outbox;
    DROP TABLE IF EXISTS notification_settings;
    ALTER TABLE projects DROP COLUMN IF EXISTS notify_events;
    ALTER TABLE projects DROP COLUMN IF EXISTS slack_channel;
    ALTER TABLE runs DROP COLUMN IF EXISTS keep_plan;
  `);
}
