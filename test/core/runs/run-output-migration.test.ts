import { randomBytes, randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { describe, expect, it, onTestFinished } from 'vitest';
import { migrations } from '../../../migrations/index.js';
import { connectDb } from '../../../src/core/db/connection.js';
import { migrate } from '../../../src/core/db/migrate.js';
import * as sealMigration from '../../../migrations/2026-12-01T030-seal-run-output.js';
import { Encryptor, keyIdOf } from '../../../src/core/secrets/encryption.js';
import { captureLogs } from '../../harness/capture-logs.js';
import { dumpSchema, leakedMarkers } from '../../harness/pg-dump.js';
import { startTestApp } from '../../harness/start-app.js';
import { createTestSchema, testDatabaseUrl, withClient } from '../../harness/test-db.js';

const SEAL = '2026-12-01T030-seal-run-output';
const BEFORE = migrations[migrations.findIndex((m) => m.name === SEAL) - 1].name;

/** A schema migrated as the previous version left it, with a run whose output is stored in clear. */
async function previousVersionWithRun(marker: string) {
  const { schema, drop } = await createTestSchema();
  onTestFinished(drop);
  const logs = captureLogs('warn');
  const db = await connectDb({ url: testDatabaseUrl(), schema, poolMax: 2, dataDir: '/nonexistent', log: logs.log });
  await migrate(db, logs.log, { to: BEFORE });
  await db.close();
  const runId = randomUUID();
  const chunks = Array.from({ length: 1200 }, (_, i) => `line ${i + 1} input = "${marker}"\n`); // more than one batch
  await withClient(async (c) => {
    const { rows: [tenant] } = await c.query("INSERT INTO tenants (name, slug) VALUES ('Default', 'default') RETURNING id");
    await c.query(
      `INSERT INTO runs (id, tenant_id, operation, source, status, repo_full_name, dir, actor_kind, actor_name, via, extra_args, resource_changes, resource_drift, error)
       VALUES ($1, $2, 'apply', 'api', 'errored', 'acme/old', 'net', 'user', 'old@example.com', 'api', $3, $4, $5, $6)`,
      [runId, tenant.id, JSON.stringify(['-var', `x=${marker}-var`]), JSON.stringify([{ address: `terraform_data.k["${marker}-addr"]`, action: 'create' }]),
        JSON.stringify([{ address: 'terraform_data.drifted', action: 'update' }]), `Error: cannot convert "${marker}-err" to number`],
    );
    await c.query("INSERT INTO runs (tenant_id, operation, source, status, repo_full_name, actor_kind, actor_name, via) VALUES ($1, 'plan', 'api', 'planned_and_finished', 'acme/old', 'user', 'u', 'api')", [tenant.id]);
    for (const [i, chunk] of chunks.entries()) await c.query("INSERT INTO run_logs (run_id, seq, phase, chunk) VALUES ($1, $2, 'plan', $3)", [runId, i + 1, chunk]);
  }, { schema });
  return { schema, runId, log: chunks.join(''), db: () => connectDb({ url: testDatabaseUrl(), schema, poolMax: 2, dataDir: '/nonexistent', log: logs.log }), logs };
}

describe(`migration ${SEAL}`, () => {
  it('encrypts run logs and run fields written before it; they read the same through the API and leave the dump', async () => {
    const marker = `old-${randomBytes(8).toString('hex')}`;
    const old = await previousVersionWithRun(marker);
    const forms = [marker, `${marker}-var`, `${marker}-addr`, `${marker}-err`];
    expect(leakedMarkers(await dumpSchema(old.schema), forms)).toEqual(forms); // positive control: in clear before

    // Without the key the migration refuses, and loses nothing.
    const db = await old.db();
    await expect(migrate(db, old.logs.log)).rejects.toThrow(/needs the encryption key/);
    await db.close();
    expect(leakedMarkers(await dumpSchema(old.schema), forms)).toEqual(forms);

    const key = randomBytes(32).toString('base64');
    const app = await startTestApp({ reuse: { schema: old.schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    const run = await app.req('GET', `/api/v1/runs/${old.runId}`, { token: app.admin.token });
    expect(run.status, run.text).toBe(200);
    expect(run.body).toMatchObject({
      log: old.log,
      error: `Error: cannot convert "${marker}-err" to number`,
      extra_args: ['-var', `x=${marker}-var`],
      resource_changes: [{ address: `terraform_data.k["${marker}-addr"]`, action: 'create' }],
      resource_drift: [{ address: 'terraform_data.drifted', action: 'update' }],
    });
    const other = (await app.req('GET', '/api/v1/runs?repo=acme/old', { token: app.admin.token })).body.find((r: any) => r.id !== old.runId);
    expect(other).toMatchObject({ extra_args: [], resource_changes: [], error: null });

    expect(leakedMarkers(await dumpSchema(old.schema), forms)).toEqual([]);
    const keyId = keyIdOf(Buffer.from(key, 'base64'));
    expect(await app.sql('SELECT DISTINCT key_id FROM run_logs')).toEqual([{ key_id: keyId }]);
    expect(await app.sql('SELECT error_key_id, extra_args_key_id, resource_changes_key_id FROM runs WHERE id = :id', { id: old.runId }))
      .toEqual([{ error_key_id: keyId, extra_args_key_id: keyId, resource_changes_key_id: keyId }]);
    const plaintextColumns = await app.sql(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
       AND ((table_name = 'run_logs' AND column_name = 'chunk') OR (table_name = 'runs' AND column_name IN ('error', 'resource_changes', 'resource_drift', 'extra_args')))`,
    );
    expect(plaintextColumns).toEqual([]);
  });

  it('resumes where an interrupted run stopped, and its down migration restores the plaintext columns', async () => {
    const marker = `again-${randomBytes(8).toString('hex')}`;
    const old = await previousVersionWithRun(marker);
    const key = randomBytes(32);
    let budget = 700; // dies part-way through the log chunks, after one committed batch
    const dying = new (class extends Encryptor {
      override seal(plaintext: Buffer | string, aad = '') {
        if (budget-- <= 0) throw new Error('killed');
        return super.seal(plaintext, aad);
      }
    })(key);
    const db = await old.db();
    onTestFinished(() => db.close());
    await expect(migrate(db, old.logs.log, { encryptor: dying })).rejects.toThrow('killed');
    const [{ sealed }] = await db.sequelize.query<{ sealed: number }>('SELECT count(*)::int AS sealed FROM run_logs WHERE data IS NOT NULL', { type: QueryTypes.SELECT });
    expect(sealed).toBe(500);

    const encryptor = new Encryptor(key);
    await migrate(db, old.logs.log, { encryptor });
    expect(leakedMarkers(await dumpSchema(old.schema), [marker])).toEqual([]);

    await sealMigration.down(db.sequelize, { encryptor });
    const [run] = await db.sequelize.query<any>('SELECT error, extra_args, resource_changes FROM runs WHERE id = :id', { replacements: { id: old.runId }, type: QueryTypes.SELECT });
    expect(run).toEqual({
      error: `Error: cannot convert "${marker}-err" to number`, extra_args: ['-var', `x=${marker}-var`],
      resource_changes: [{ address: `terraform_data.k["${marker}-addr"]`, action: 'create' }],
    });
    const chunks = await db.sequelize.query<{ chunk: string }>('SELECT chunk FROM run_logs WHERE run_id = :id ORDER BY seq', { replacements: { id: old.runId }, type: QueryTypes.SELECT });
    expect(chunks.map((c) => c.chunk).join('')).toBe(old.log);
  });
});
