import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { runLogAad } from '../src/core/runs/run-logs.js';
import { RunSealer, SEALED_RUN_COLUMNS, SEALED_RUN_FIELDS, type SealedRunField } from '../src/core/runs/run-sealing.js';
import type { Encryptor } from '../src/core/secrets/encryption.js';
import type { MigrationContext } from './index.js';

/**
 * Run output at rest: log chunks (`run_logs.chunk`) and the run fields run-sealing.ts names
 * (`error`, `resource_changes`, `resource_drift`, `extra_args`) move from plaintext columns into
 * sealed ones (key id + AES-256-GCM ciphertext bound to run and place), and the plaintext
 * columns are dropped.
 *
 * Why this migration encrypts, rather than SQL plus a startup task: a startup task could not
 * drop the plaintext columns (a later migration would have to, one release later, and old rows
 * would sit in clear until then), and every read path would carry a plaintext fallback forever.
 * Migrations run at start after the key is loaded (`atlantas migrate` loads it too), so this one
 * gets the encryptor in its context and does it all: batches of rows, one transaction each, from
 * a cursor; an interrupted run starts again and converts what is left. The last step takes both
 * tables exclusively, seals rows a not yet upgraded replica wrote meanwhile, and drops the
 * columns. Replicas of the previous version cannot write run output after that: upgrade them
 * together (as with any column drop).
 */
const BATCH = 500;
const ZERO = '00000000-0000-0000-0000-000000000000';
const COLUMNS = SEALED_RUN_FIELDS.map((f) => SEALED_RUN_COLUMNS[f]);
const PLAINTEXT_IN_RUN = `(error IS NOT NULL OR resource_changes IS NOT NULL OR resource_drift IS NOT NULL OR extra_args <> '[]'::jsonb)`;

export async function up(db: Sequelize, context: MigrationContext): Promise<void> {
  await db.query(`
    ALTER TABLE run_logs ADD COLUMN IF NOT EXISTS key_id text, ADD COLUMN IF NOT EXISTS data bytea, ADD COLUMN IF NOT EXISTS size integer;
    ALTER TABLE runs ${COLUMNS.map((c) => `ADD COLUMN IF NOT EXISTS ${c}_key_id text, ADD COLUMN IF NOT EXISTS ${c}_sealed bytea`).join(', ')};
  `);
  if (!(await hasColumn(db, 'runs', 'error'))) return; // an earlier attempt finished the conversion
  await db.query('ALTER TABLE run_logs ALTER COLUMN chunk DROP NOT NULL');
  const encryptor = await keyIfNeeded(db, context);
  if (encryptor) {
    await eachBatch(db, (t, after?: { runId: string; seq: number }) => sealLogs(db, encryptor, t, after));
    await eachBatch(db, (t, after?: string) => sealRuns(db, new RunSealer(encryptor), t, after));
    context.log?.info('stored run output encrypted');
  }
  await db.transaction(async (transaction) => {
    await db.query('LOCK TABLE runs, run_logs IN ACCESS EXCLUSIVE MODE', { transaction });
    const late = await keyIfNeeded(db, context, transaction);
    if (late) {
      await drain(transaction, (t, after?: { runId: string; seq: number }) => sealLogs(db, late, t, after));
      await drain(transaction, (t, after?: string) => sealRuns(db, new RunSealer(late), t, after));
    }
    await db.query(
      `ALTER TABLE run_logs DROP COLUMN chunk, ALTER COLUMN key_id SET NOT NULL, ALTER COLUMN data SET NOT NULL, ALTER COLUMN size SET NOT NULL;
       ALTER TABLE runs DROP COLUMN error, DROP COLUMN resource_changes, DROP COLUMN resource_drift, DROP COLUMN extra_args;`,
      { transaction },
    );
  });
}

export async function down(db: Sequelize, context: MigrationContext): Promise<void> {
  await db.query(`
    ALTER TABLE run_logs ADD COLUMN IF NOT EXISTS chunk text;
    ALTER TABLE runs ADD COLUMN IF NOT EXISTS error text, ADD COLUMN IF NOT EXISTS resource_changes jsonb,
      ADD COLUMN IF NOT EXISTS resource_drift jsonb, ADD COLUMN IF NOT EXISTS extra_args jsonb DEFAULT '[]'::jsonb;
  `);
  const [{ sealed }] = await db.query<{ sealed: boolean }>('SELECT EXISTS (SELECT 1 FROM run_logs WHERE chunk IS NULL) OR EXISTS (SELECT 1 FROM runs) AS sealed', { type: QueryTypes.SELECT });
  if (sealed) {
    const encryptor = requireKey(context);
    await eachBatch(db, (t, after?: { runId: string; seq: number }) => openLogs(db, encryptor, t, after));
    await eachBatch(db, (t, after?: string) => openRuns(db, new RunSealer(encryptor), t, after));
  }
  await db.query(`
    UPDATE runs SET extra_args = '[]'::jsonb WHERE extra_args IS NULL;
    ALTER TABLE runs ALTER COLUMN extra_args SET NOT NULL, ${COLUMNS.map((c) => `DROP COLUMN ${c}_key_id, DROP COLUMN ${c}_sealed`).join(', ')};
    ALTER TABLE run_logs ALTER COLUMN chunk SET NOT NULL, DROP COLUMN key_id, DROP COLUMN data, DROP COLUMN size;
  `);
}

type Batch<C> = (t: Transaction, after?: C) => Promise<C | null>;

/** Runs `batch` in a transaction of its own, from its last cursor, until it converts nothing. */
async function eachBatch<C>(db: Sequelize, batch: Batch<C>): Promise<void> {
  for (let after: C | null | undefined; (after = await db.transaction((t) => batch(t, after ?? undefined))) !== null; );
}

/** The same, inside one transaction. */
async function drain<C>(transaction: Transaction, batch: Batch<C>): Promise<void> {
  for (let after: C | null | undefined; (after = await batch(transaction, after ?? undefined)) !== null; );
}

async function sealLogs(db: Sequelize, encryptor: Encryptor, transaction: Transaction, after = { runId: ZERO, seq: -1 }) {
  const rows = await db.query<{ run_id: string; seq: number; chunk: string }>(
    `SELECT run_id, seq, chunk FROM run_logs WHERE (run_id, seq) > (:runId, :seq) AND chunk IS NOT NULL ORDER BY run_id, seq LIMIT ${BATCH} FOR UPDATE`,
    { replacements: after, type: QueryTypes.SELECT, transaction },
  );
  for (const r of rows) {
    const sealed = encryptor.seal(r.chunk, runLogAad(r.run_id, r.seq));
    await db.query('UPDATE run_logs SET key_id = :keyId, data = :data, size = :size, chunk = NULL WHERE run_id = :runId AND seq = :seq', {
      replacements: { keyId: sealed.keyId, data: sealed.data, size: Buffer.byteLength(r.chunk), runId: r.run_id, seq: r.seq }, transaction,
    });
  }
  return rows.length ? { runId: rows.at(-1)!.run_id, seq: rows.at(-1)!.seq } : null;
}

/** Seals each plaintext field present (a newer plaintext, written by an old replica, wins) and clears it. */
async function sealRuns(db: Sequelize, sealer: RunSealer, transaction: Transaction, after = ZERO) {
  const rows = await db.query<Record<string, unknown> & { id: string }>(
    `SELECT id, ${COLUMNS.join(', ')} FROM runs WHERE id > :after AND ${PLAINTEXT_IN_RUN} ORDER BY id LIMIT ${BATCH} FOR UPDATE`,
    { replacements: { after }, type: QueryTypes.SELECT, transaction },
  );
  for (const row of rows) {
    const set: Record<string, unknown> = { error: null, resource_changes: null, resource_drift: null, extra_args: '[]' };
    for (const field of SEALED_RUN_FIELDS) {
      const sealed = sealer.sealField(row.id, field, row[SEALED_RUN_COLUMNS[field]]);
      if (sealed) Object.assign(set, { [`${SEALED_RUN_COLUMNS[field]}_key_id`]: sealed.keyId, [`${SEALED_RUN_COLUMNS[field]}_sealed`]: sealed.data });
    }
    await update(db, row.id, set, transaction);
  }
  return rows.length ? rows.at(-1)!.id : null;
}

async function openLogs(db: Sequelize, encryptor: Encryptor, transaction: Transaction, after = { runId: ZERO, seq: -1 }) {
  const rows = await db.query<{ run_id: string; seq: number; key_id: string; data: Buffer }>(
    `SELECT run_id, seq, key_id, data FROM run_logs WHERE (run_id, seq) > (:runId, :seq) AND chunk IS NULL ORDER BY run_id, seq LIMIT ${BATCH} FOR UPDATE`,
    { replacements: after, type: QueryTypes.SELECT, transaction },
  );
  for (const r of rows) {
    const chunk = encryptor.openString({ keyId: r.key_id, data: r.data }, runLogAad(r.run_id, r.seq));
    await db.query('UPDATE run_logs SET chunk = :chunk WHERE run_id = :runId AND seq = :seq', { replacements: { chunk, runId: r.run_id, seq: r.seq }, transaction });
  }
  return rows.length ? { runId: rows.at(-1)!.run_id, seq: rows.at(-1)!.seq } : null;
}

async function openRuns(db: Sequelize, sealer: RunSealer, transaction: Transaction, after = ZERO) {
  const rows = await db.query<Record<string, unknown> & { id: string }>(
    `SELECT id, ${COLUMNS.map((c) => `${c}_key_id, ${c}_sealed`).join(', ')} FROM runs WHERE id > :after ORDER BY id LIMIT ${BATCH} FOR UPDATE`,
    { replacements: { after }, type: QueryTypes.SELECT, transaction },
  );
  for (const row of rows) {
    const open = (f: SealedRunField) => sealer.openField(row.id, f, row[`${SEALED_RUN_COLUMNS[f]}_key_id`] as string | null, row[`${SEALED_RUN_COLUMNS[f]}_sealed`] as Buffer | null);
    const json = (f: SealedRunField) => {
      const value = open(f);
      return value === null ? null : JSON.stringify(value);
    };
    await update(db, row.id, { error: open('error'), resource_changes: json('resourceChanges'), resource_drift: json('resourceDrift'), extra_args: json('extraArgs') }, transaction);
  }
  return rows.length ? rows.at(-1)!.id : null;
}

async function update(db: Sequelize, id: string, set: Record<string, unknown>, transaction: Transaction): Promise<void> {
  const assignments = Object.keys(set).map((k) => (['resource_changes', 'resource_drift', 'extra_args'].includes(k) ? `${k} = CAST(:${k} AS jsonb)` : `${k} = :${k}`));
  await db.query(`UPDATE runs SET ${assignments.join(', ')} WHERE id = :id`, { replacements: { ...set, id }, transaction });
}

/** The encryptor, when there is plaintext to seal; none needed for an empty database. */
async function keyIfNeeded(db: Sequelize, context: MigrationContext, transaction?: Transaction): Promise<Encryptor | undefined> {
  const [{ plain }] = await db.query<{ plain: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM run_logs WHERE chunk IS NOT NULL) OR EXISTS (SELECT 1 FROM runs WHERE ${PLAINTEXT_IN_RUN}) AS plain`,
    { type: QueryTypes.SELECT, transaction },
  );
  return plain ? requireKey(context) : undefined;
}

function requireKey(context: MigrationContext): Encryptor {
  if (context.encryptor) return context.encryptor;
  throw new Error('migration 2026-12-01T030-seal-run-output encrypts stored run output and needs the encryption key: run it with `atlantas migrate` or `atlantas server` (ATLANTAS_ENCRYPTION_KEY)');
}

async function hasColumn(db: Sequelize, table: string, column: string): Promise<boolean> {
  const rows = await db.query(
    'SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = :table AND column_name = :column',
    { replacements: { table, column }, type: QueryTypes.SELECT },
  );
  return rows.length > 0;
}
