import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize, type Options } from 'sequelize';
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
 * (PGlite) served by pglite-socket on a unix socket in a 0700 directory of the data dir, so
 * Sequelize uses its ordinary `pg` dialect either way. Never on a TCP port: PGlite asks for no
 * password, and anything on the machine (a terraform run's local-exec included) could connect to
 * a loopback port; the socket is reachable only through a path the sandbox does not bind and
 * other users cannot enter. PGlite is one session, so the pool has exactly one connection there.
 */
export async function connectDb(options: DbOptions): Promise<Database> {
  if (options.url) return connectExternal(options.url, options);
  return connectEmbedded(options);
}

function searchPathOption(schema?: string): string | undefined {
  return schema ? `-c search_path=${schema}` : undefined;
}

/** A postgres:// URL, or a unix socket directory (pg connects to `<dir>/.s.PGSQL.<port>`). */
type DbTarget = string | { socketDir: string; port: number };

function makeSequelize(target: DbTarget, poolMax: number, schema: string | undefined, log: Logger): Sequelize {
  const options = sequelizeOptions(poolMax, schema, log);
  if (typeof target === 'string') return new Sequelize(target, options);
  return new Sequelize('postgres', 'postgres', '', { ...options, host: target.socketDir, port: target.port });
}

function sequelizeOptions(poolMax: number, schema: string | undefined, log: Logger): Options {
  return {
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
  };
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
  let socket: { dir: string; remove(): Promise<void> } | undefined;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const pglite = await PGlite.create(path.join(dataDir, 'pgdata'));
    socket = await socketDir(dataDir);
    const server = new PGLiteSocketServer({ db: pglite, path: path.join(socket.dir, `.s.PGSQL.${SOCKET_PORT}`) });
    await server.start();
    const sequelize = makeSequelize({ socketDir: socket.dir, port: SOCKET_PORT }, 1, options.schema, options.log);
    const url = `postgres://postgres@/postgres?host=${encodeURIComponent(socket.dir)}&port=${SOCKET_PORT}`;
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
        await socket?.remove();
        await dirLock.release();
      },
    };
  } catch (err) {
    await socket?.remove();
    await dirLock.release();
    throw err;
  }
}

/** pg's socket file name carries a port number; nothing listens on that port. */
const SOCKET_PORT = 5432;
/** sun_path holds 108 bytes with its NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * `<dataDir>/socket`, mode 0700 (a stale socket from a killed server is removed: the data dir
 * lock makes this process its only user), or a private temp dir when the data dir's path is too
 * long for a socket address.
 */
async function socketDir(dataDir: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const inData = path.join(dataDir, 'socket');
  if (path.join(inData, `.s.PGSQL.${SOCKET_PORT}`).length <= MAX_SOCKET_PATH) {
    await rm(inData, { recursive: true, force: true });
    await mkdir(inData, { mode: 0o700 });
    await chmod(inData, 0o700);
    return { dir: inData, remove: () => rm(inData, { recursive: true, force: true }) };
  }
  const temp = await mkdtemp(path.join(os.tmpdir(), 'atlantas-db-'));
  return { dir: temp, remove: () => rm(temp, { recursive: true, force: true }) };
}

async function ping(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1', { type: QueryTypes.SELECT });
}
