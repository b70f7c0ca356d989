import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    -- One PR command (a comment, an autoplan): its runs, its refusals, and whether its result
    -- comment was posted. Durable, so a restart or another replica still reports it.
    CREATE TABLE IF NOT EXISTS pr_batches (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('plan', 'apply')),
      repo_full_name text NOT NULL,
      pr_number integer NOT NULL,
      head_sha text NOT NULL,
      run_ids uuid[] NOT NULL DEFAULT '{}',
      failures jsonb NOT NULL DEFAULT '[]'::jsonb,
      comment_id bigint,
      verbose_output boolean NOT NULL DEFAULT false,
      source text NOT NULL,
      claimed_by text,
      claimed_at timestamptz,
      reported_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX IF NOT EXISTS pr_batches_unreported_idx ON pr_batches (created_at) WHERE reported_at IS NULL;
    CREATE TABLE IF NOT EXISTS webhook_deliveries (
      id text PRIMARY KEY,
      event text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE runs ADD COLUMN IF NOT EXISTS apply_requirements text[] NOT NULL DEFAULT '{}';
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('DROP TABLE IF EXISTS webhook_deliveries; DROP TABLE IF EXISTS pr_batches; ALTER TABLE runs DROP COLUMN IF EXISTS apply_requirements;');
}
