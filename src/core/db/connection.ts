import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import type { Logger } from '../../logger.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { redactSql } from './sql-redaction.js';

export interface DbOptions {
  /** postgres:// URL; unset → embedded PGlite in dataDir */
  url?: string;
  schema?: string;
  poolMax: number;
  dataDir: string;
  log: Logger;
}

export interface Database {
  sequelize: Sequelize;
  mode: 'embedded' | 'external';
  schema: string;
  /** connection parameters for a dedicated pg client (advisory locks, benchmarks) */
  clientConfig: { connectionString: string; options?: string };
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the database. With a URL: that PostgreSQL, pooled. Without: an embedded PostgreSQL
 * (PGlite) served on a loopback port by pglite-socket, so Sequelize uses its ordinary `pg`
 * dialect either way. PGlite is one session, so the pool has exactly one connection there.
 */
export async function connectDb(options: DbOptions): Promise<Database> {
  if (options.url) return connectExternal(options.url, options);
  return connectEmbedded(options);
}

function searchPathOption(schema?: string): string | undefined {
  return schema ? `-c search_path=${schema}` : undefined;
}

function makeSequelize(url: string, poolMax: number, schema: string | undefined, log: Logger): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    // Statements only, with every literal redacted: Sequelize inlines values into what it logs.
    // Only at trace, and over the head of the statement (a literal cut there is redacted whole).
    logging: (sql: string) => {
      if (log.isLevelEnabled('trace')) log.trace({ sql: redactSql(sql.slice(0, 4000)).slice(0, 500) }, 'sql');
    },
    benchmark: false,
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 60_000 },
    dialectOptions: { options: searchPathOption(schema), application_name: 'atlantas' },
    define: { underscored: true },
  });
}

async function connectExternal(url: string, options: DbOptions): Promise<Database> {
  const sequelize = makeSequelize(url, options.poolMax, options.schema, options.log);
  if (options.schema) {
    // The schema must exist before a search_path pointing at it is useful.
    const bootstrap = makeSequelize(url, 1, undefined, options.log);
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    } catch (err) {
      // Two processes racing to create the schema: one wins, the other sees a unique violation.
      if (!/already exists|duplicate key/.test(String((err as Error).message))) throw err;
    } finally {
      await bootstrap.close();
    }
  }
  await sequelize.authenticate();
  return {
    sequelize,
    mode: 'external',
    schema: options.schema ?? 'public',
    clientConfig: { connectionString: url, options: searchPathOption(options.schema) },
    ping: () => ping(sequelize),
    close: () => sequelize.close(),
  };
}

async function connectEmbedded(options: DbOptions): Promise<Database> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const dirLock: DataDirLock = await acquireDataDirLock(dataDir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const pglite = await PGlite.create(path.join(dataDir, 'pgdata'));
    const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1' });
    await server.start();
    const url = `postgres://postgres@${server.getServerConn()}/postgres`;
    const sequelize = makeSequelize(url, 1, options.schema, options.log);
    if (options.schema) await sequelize.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    await sequelize.authenticate();
    options.log.info({ dataDir }, 'embedded database ready');
    return {
      sequelize,
      mode: 'embedded',
      schema: options.schema ?? 'public',
      clientConfig: { connectionString: url, options: searchPathOption(options.schema) },
      ping: () => ping(sequelize),
      async close() {
        await sequelize.close();
        await server.stop();
        await pglite.close();
        await dirLock.release();
      },
    };
  } catch (err) {
    await dirLock.release();
    throw err;
  }
}

async function ping(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
}
