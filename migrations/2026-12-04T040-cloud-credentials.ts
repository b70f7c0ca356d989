import type { Sequelize } from 'sequelize';

/**
 * Cloud credentials of a tenant: the provider's secrets sealed (AES-256-GCM, bound to the row),
 * beside what may be shown (field names, a keyed fingerprint, the last validation). Projects and
 * environments name one; a credential still named cannot be deleted (RESTRICT), so a run never
 * silently loses its cloud account.
 */
export async function up(db: Sequelize): Promise<void> {
  await db.query(`
    CREATE TABLE cloud_credentials (
      id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      name text NOT NULL,
      provider text NOT NULL,
      credential_type text NOT NULL,
      field_names text[] NOT NULL DEFAULT '{}',
      fingerprint text NOT NULL,
      key_id text NOT NULL,
      data bytea NOT NULL,
      last_validated_at timestamptz,
      last_validation_ok boolean,
      last_validation_message text,
      last_validation_identity text,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, name)
    );
    CREATE INDEX cloud_credentials_key_idx ON cloud_credentials (key_id);
    ALTER TABLE projects ADD COLUMN cloud_credential_id uuid REFERENCES cloud_credentials(id) ON DELETE RESTRICT;
    ALTER TABLE environments ADD COLUMN cloud_credential_id uuid REFERENCES cloud_credentials(id) ON DELETE RESTRICT;
  `);
}

export async function down(db: Sequelize): Promise<void> {
  await db.query(`
    ALTER TABLE environments DROP COLUMN IF EXISTS cloud_credential_id;
    ALTER TABLE projects DROP COLUMN IF EXISTS cloud_credential_id;
    DROP TABLE IF EXISTS cloud_credentials;
  `);
}
