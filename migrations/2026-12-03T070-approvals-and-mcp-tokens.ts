import type { Sequelize } from 'sequelize';

/**
 * The approval gate: what an automated actor (an MCP token, a scheduler agent) asked to do that
 * needs a human, and who decided it where. One pending request per action and target, decided
 * exactly once (the decision is a conditional UPDATE on status = 'pending'). API tokens gain the
 * MCP scopes and a per-token policy that may let named projects apply without a human.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE approval_requests (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      action text NOT NULL CHECK (action IN ('run_apply', 'run_destroy', 'unlock', 'state_delete')),
      target_type text NOT NULL,
      target_id text NOT NULL,
      project_id uuid,
      run_id uuid,
      summary text NOT NULL DEFAULT '',
      reason text NOT NULL,
      requested_by_kind text NOT NULL,
      requested_by_user_id uuid,
      requested_by_token_id uuid,
      requested_by_name text NOT NULL,
      requested_via text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
      expires_at timestamptz NOT NULL,
      decided_by_user_id uuid,
      decided_by_name text,
      decided_via text,
      decided_at timestamptz,
      decision_note text,
      outcome text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (tenant_id, action, target_id) WHERE status = 'pending';
    CREATE INDEX approval_requests_tenant_created ON approval_requests (tenant_id, created_at DESC);
    CREATE INDEX approval_requests_run ON approval_requests (run_id) WHERE run_id IS NOT NULL;

    ALTER TABLE api_tokens ADD COLUMN mcp_policy jsonb;
    ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_scopes_check;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin', 'mcp:read', 'mcp:write']::text[]);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    DROP TABLE IF EXISTS approval_requests;
    ALTER TABLE api_tokens DROP COLUMN IF EXISTS mcp_policy;
    ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_scopes_check;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']::text[]);
  `);
}
