import pg from 'pg';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Logger } from '../../logger.js';
import { migrations, type MigrationContext } from '../../../migrations/index.js';
import type { Encryptor } from '../secrets/encryption.js';
import type { Database } from './connection.js';

export interface MigrateOptions {
  /** the key migrations that encrypt existing rows need (main.ts always passes it) */
  encryptor?: Encryptor;
  /** stop after this migration (tests that write rows as an older version would) */
  to?: string;
}

/**
 * Runs pending migrations. On an external PostgreSQL, a session-level advisory lock held on a
 * dedicated connection serialises concurrent starters (several replicas booting at once): the
 * second waits, then finds nothing left to do. Embedded mode has one process by construction.
 */
export async function migrate(db: Database, log: Logger, options: MigrateOptions = {}): Promise<string[]> {
  const context: MigrationContext = { encryptor: options.encryptor, log };
  const umzug = new Umzug({
    migrations: migrations.map((m) => ({ name: m.name, up: () => m.up(db.sequelize, context), down: () => m.down(db.sequelize, context) })),
    context: db.sequelize,
    // Named with its schema: unqualified, Sequelize's index lookup scans every schema's
    // schema_migrations and fails when another schema is dropped meanwhile ("could not open relation").
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'schema_migrations', schema: db.schema }),
    logger: undefined,
  });
  const up = () => umzug.up(options.to ? { to: options.to } : {});
  if (db.mode === 'embedded') return (await up()).map((m) => m.name);

  const client = new pg.Client(db.clientConfig);
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('atlantas.migrate:' || current_schema()))");
    const done = (await up()).map((m) => m.name);
    if (done.length) log.info({ migrations: done }, 'migrations applied');
    return done;
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('atlantas.migrate:' || current_schema()))").catch(() => {});
    await client.end();
  }
}
