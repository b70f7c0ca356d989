import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * Which replica runs the scheduler. Asked once per tick: true means "you lead for this tick".
 */
export interface LeaderElection {
  isLeader(): Promise<boolean>;
  /** gives leadership up (closes the connection that holds it) */
  stop(): Promise<void>;
}

/**
 * External PostgreSQL: the leader is the replica whose dedicated connection holds the session
 * advisory lock `atlantas-scheduler:<schema>` (one per schema, so deployments sharing a database
 * in different schemas each elect their own). Each tick a follower tries `pg_try_advisory_lock`
 * and the leader checks in `pg_locks` that its session still holds it. When the leader dies its
 * connection closes, PostgreSQL drops the lock with the session, and the next follower tick takes
 * it: the takeover is at most one tick interval. A leader whose connection fails (network, server
 * restart) stops leading on that tick and reconnects on the next. The connection is outside the
 * Sequelize pool so that the lock never pins a pooled connection a request needs.
 */
export class AdvisoryLockElection implements LeaderElection {
  #client: pg.Client | null = null;
  #leading = false;
  #stopped = false;

  constructor(private readonly deps: { clientConfig: { connectionString: string; options?: string }; schema: string; log: Logger }) {}

  get lockKey(): string {
    return `atlantas-scheduler:${this.deps.schema}`;
  }

  async isLeader(): Promise<boolean> {
    if (this.#stopped) return false;
    try {
      const client = await this.#connect();
      const sql = this.#leading
        ? `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
             AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)) AS held`
        : 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held';
      const { rows } = await client.query<{ held: boolean }>(sql, [this.lockKey]);
      this.#setLeading(rows[0]?.held === true);
    } catch (err) {
      this.deps.log.warn({ err: { message: (err as Error).message } }, 'scheduler: leader election connection failed; retrying next tick');
      this.#setLeading(false);
      await this.#drop();
    }
    return this.#leading;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#setLeading(false);
    await this.#drop();
  }

  #setLeading(leading: boolean): void {
    if (leading !== this.#leading) this.deps.log.info({ lock: this.lockKey }, leading ? 'scheduler: this replica leads' : 'scheduler: this replica no longer leads');
    this.#leading = leading;
  }

  async #connect(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    const client = new pg.Client({
      connectionString: this.deps.clientConfig.connectionString, options: this.deps.clientConfig.options,
      application_name: 'atlantas-scheduler', keepAlive: true, connectionTimeoutMillis: 10_000, query_timeout: 10_000,
    });
    // A dropped connection ends leadership; the next tick reconnects.
    client.on('error', () => {
      if (this.#client === client) {
        this.#client = null;
        this.#setLeading(false);
      }
    });
    await client.connect();
    this.#client = client;
    return client;
  }

  async #drop(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}

/**
 * Embedded PGlite: this process is the only one that can reach the database (the data dir lock
 * and the 0700 socket see to it), so it leads without asking. Taking an advisory lock there would
 * be pointless and harmful: PGlite is one session shared by the whole process through a
 * one-connection pool, so a session lock held "by the scheduler" would be held by every query,
 * and a dedicated connection would wait forever behind the pool's.
 */
export class SoleReplica implements LeaderElection {
  #stopped = false;
  async isLeader(): Promise<boolean> {
    return !this.#stopped;
  }
  async stop(): Promise<void> {
    this.#stopped = true;
  }
}
