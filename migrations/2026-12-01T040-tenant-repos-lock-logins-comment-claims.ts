import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    -- Repositories a tenant other than the default one may run (owner/repo patterns); empty = none.
    ALTER TABLE tenants ADD COLUMN IF NOT EXISTS repo_allowlist text[] NOT NULL DEFAULT '{}';
    -- The VCS login behind a lock (what Atlantis's GET /api/locks shows as locked_by).
    ALTER TABLE project_locks ADD COLUMN IF NOT EXISTS vcs_login text;
    -- A PR comment acts once: the same signed body re-sent under a new delivery id is recognised.
    CREATE TABLE IF NOT EXISTS pr_comment_claims (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      repo_full_name text NOT NULL,
      comment_id bigint NOT NULL,
      delivery text NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, repo_full_name, comment_id)
    );
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS pr_comment_claims;
    ALTER TABLE project_locks DROP COLUMN IF EXISTS vcs_login;
    ALTER TABLE tenants DROP COLUMN IF EXISTS repo_allowlist;
  `);
}
