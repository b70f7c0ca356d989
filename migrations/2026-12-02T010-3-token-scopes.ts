import type { Sequelize } from 'sequelize';

export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    -- What an API token may do (read, write, admin), never more than its user's role.
    -- Existing tokens get the scope of their user's current role: what they could do until now.
    ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS scopes text[];
    UPDATE api_tokens t
       SET scopes = ARRAY[CASE u.role WHEN 'admin' THEN 'admin' WHEN 'member' THEN 'write' ELSE 'read' END]
      FROM users u
     WHERE u.id = t.user_id AND t.scopes IS NULL;
    ALTER TABLE api_tokens ALTER COLUMN scopes SET NOT NULL;
    ALTER TABLE api_tokens DROP CONSTRAINT IF EXISTS api_tokens_scopes_check;
    ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scopes_check
      CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']::text[]);
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query('ALTER TABLE api_tokens DROP COLUMN IF EXISTS scopes;');
}
