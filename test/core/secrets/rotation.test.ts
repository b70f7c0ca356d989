import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../../src/core/secrets/encryption.js';
import { RotationRegistry } from '../../../src/core/secrets/rotation.js';
import { createBareRepo, insteadOfEnv } from '../../harness/git-repo.js';
import { waitForRun } from '../../harness/runs.js';
import { cleanEnv, spawnAtlantas } from '../../harness/spawn-server.js';
import { tfData } from '../../harness/tf-files.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { testDatabaseUrl, withClient } from '../../harness/test-db.js';

const newKey = () => randomBytes(32).toString('base64');
const json = { 'content-type': 'application/json' };
const doc = (serial: number, value: string) => JSON.stringify({ version: 4, serial, lineage: 'L', outputs: { v: { value, type: 'string' } }, resources: [] });

/** `atlantas rotate-key` as an operator runs it: a real process on the real database. */
async function rotateKey(schema: string, keys: { current: string; previous?: string }, batchSize = 50) {
  const proc = await spawnAtlantas(['rotate-key', '--batch-size', String(batchSize)], {
    env: cleanEnv({
      DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_ENCRYPTION_KEY: keys.current,
      ATLANTAS_ENCRYPTION_KEY_PREVIOUS: keys.previous, LOG_LEVEL: 'warn',
    }),
    waitForListen: false,
  });
  return { code: await proc.exited, stdout: proc.stdout(), stderr: proc.stderr() };
}

async function keyIds(schema: string): Promise<Record<string, string>> {
  const { rows } = await withClient((c) => c.query(`SELECT s.name || '/v' || v.version AS id, v.key_id FROM state_versions v JOIN states s ON s.id = v.state_id`), { schema });
  return Object.fromEntries(rows.map((r) => [r.id, r.key_id]));
}

async function pushAll(app: TestApp, writes: [string, number][]): Promise<void> {
  for (const [name, serial] of writes) {
    const res = await app.req('POST', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, rawBody: doc(serial, `${name}-${serial}`), headers: json });
    expect(res.status, res.text).toBe(200);
  }
}

describe('atlantas rotate-key', () => {
  it('re-encrypts every state version under the new key; data stays readable and a rerun does nothing', async () => {
    const oldKey = newKey();
    const app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    await pushAll(app, [['net', 1], ['net', 2], ['net', 3], ['dns', 1]]);
    const before = (await app.req('GET', '/api/v1/tfstate/net/default', { token: app.admin.token })).text;
    await app.close({ keepData: true });
    const [{ data: oldBlob }] = (await withClient((c) => c.query('SELECT data FROM state_versions ORDER BY created_at LIMIT 1'), { schema })).rows;

    const key = newKey();
    const withoutPrevious = await rotateKey(schema, { current: key });
    expect(withoutPrevious.code).toBe(1);
    expect(withoutPrevious.stderr).toMatch(/not configured \(set it as ATLANTAS_ENCRYPTION_KEY_PREVIOUS\)/);
    expect(new Set(Object.values(await keyIds(schema)))).toEqual(new Set([keyIdOf(Buffer.from(oldKey, 'base64'))]));

    const rotated = await rotateKey(schema, { current: key, previous: oldKey }, 3);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('state versions: 4 re-encrypted');
    expect(new Set(Object.values(await keyIds(schema)))).toEqual(new Set([keyIdOf(Buffer.from(key, 'base64'))]));
    const [{ data: newBlob }] = (await withClient((c) => c.query('SELECT data FROM state_versions ORDER BY created_at LIMIT 1'), { schema })).rows;
    expect(Buffer.compare(oldBlob, newBlob)).not.toBe(0);

    const again = await rotateKey(schema, { current: key, previous: oldKey });
    expect(again.stdout).toContain('state versions: 0 re-encrypted');

    // The old key is gone from the configuration; everything still reads.
    const restarted = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => restarted.close());
    expect((await restarted.req('GET', '/api/v1/tfstate/net/default', { token: restarted.admin.token })).text).toBe(before);
    const states = (await restarted.req('GET', '/api/v1/states', { token: restarted.admin.token })).body;
    const net = states.find((s: any) => s.name === 'net');
    expect((await restarted.req('GET', `/api/v1/states/${net.id}/versions/1`, { token: restarted.admin.token })).text).toBe(doc(1, 'net-1'));
  });

  it('keeps committed batches when it stops on a row it cannot read, and resumes from there', async () => {
    const keyA = newKey();
    const keyC = newKey();
    let app = await startTestApp({ reuse: { encryptionKey: keyA } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    await pushAll(app, [['a', 1], ['a', 2]]);
    await app.close({ keepData: true });
    app = await startTestApp({ reuse: { schema, encryptionKey: keyC }, env: { ATLANTAS_ENCRYPTION_KEY_PREVIOUS: keyA } });
    await pushAll(app, [['c', 1]]);
    await app.close({ keepData: true });

    const keyB = newKey();
    const [idA, idB, idC] = [keyA, keyB, keyC].map((k) => keyIdOf(Buffer.from(k, 'base64')));
    const stopped = await rotateKey(schema, { current: keyB, previous: keyA }, 1);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain(`key ${idC}, which is not configured`);
    expect(await keyIds(schema)).toEqual({ 'a/v1': idB, 'a/v2': idB, 'c/v1': idC });

    const resumed = await rotateKey(schema, { current: keyB, previous: keyC }, 1);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('state versions: 1 re-encrypted');
    expect(await keyIds(schema)).toEqual({ 'a/v1': idB, 'a/v2': idB, 'c/v1': idB });
  });
});

/** The key ids of run output: log chunks, and every sealed field of a run that has one. */
async function runOutputKeyIds(schema: string): Promise<{ logs: string[]; details: string[] }> {
  return withClient(async (c) => {
    const logs = await c.query('SELECT DISTINCT key_id FROM run_logs');
    const details = await c.query(`SELECT DISTINCT k FROM runs, unnest(ARRAY[error_key_id, resource_changes_key_id, resource_drift_key_id, extra_args_key_id]) AS k WHERE k IS NOT NULL`);
    return { logs: logs.rows.map((r) => r.key_id), details: details.rows.map((r) => r.k) };
  }, { schema });
}

describe('atlantas rotate-key on run output', () => {
  it('re-encrypts run logs, resource changes, errors and extra args; they read the same with only the new key', async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'rotate' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'net/main.tf': tfData(2, 'rotated', 'variable "marker" {\n  default = "none"\n}\n'), 'bad/main.tf': 'locals {\n  n = tonumber("not-a-number")\n}\n' }, 'two projects');
    const oldKey = newKey();
    const app = await startTestApp({ reuse: { encryptionKey: oldKey }, childEnv: insteadOfEnv(repo.root) });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    const runs: any[] = [];
    for (const body of [{ command: 'apply', dir: 'net', extra_args: ['-var', 'marker=m'] }, { command: 'plan', dir: 'bad' }]) {
      const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/rotate', branch: 'main', ...body } });
      runs.push(await waitForRun(app, res.body.id));
    }
    expect(runs.map((r) => r.status)).toEqual(['planned', 'errored']);
    expect(runs[0].resource_changes).toHaveLength(2);
    expect(runs[1].error).toContain('not-a-number');
    await app.close({ keepData: true });
    const [{ count: chunks }] = (await withClient((c) => c.query('SELECT count(*)::int AS count FROM run_logs'), { schema })).rows;
    const oldId = keyIdOf(Buffer.from(oldKey, 'base64'));
    expect(await runOutputKeyIds(schema)).toEqual({ logs: [oldId], details: [oldId] });

    const key = newKey();
    const rotated = await rotateKey(schema, { current: key, previous: oldKey }, 2);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`run logs: ${chunks} re-encrypted`);
    expect(rotated.stdout).toContain('run details: 2 re-encrypted');
    const newId = keyIdOf(Buffer.from(key, 'base64'));
    expect(await runOutputKeyIds(schema)).toEqual({ logs: [newId], details: [newId] });
    const again = await rotateKey(schema, { current: key, previous: oldKey });
    expect(again.stdout).toContain('run logs: 0 re-encrypted');
    expect(again.stdout).toContain('run details: 0 re-encrypted');

    const restarted = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => restarted.close());
    for (const before of runs) {
      const after = (await restarted.req('GET', `/api/v1/runs/${before.id}`, { token: restarted.admin.token })).body;
      expect(after).toMatchObject({ log: before.log, error: before.error, extra_args: before.extra_args, resource_changes: before.resource_changes });
    }
  });
});

describe('RotationRegistry', () => {
  it('lists stores in registration order and refuses a duplicate name', () => {
    const registry = new RotationRegistry();
    const store = (name: string) => ({ name, rotate: async () => 0 });
    registry.register(store('state versions'));
    registry.register(store('plan files'));
    expect(registry.list().map((r) => r.name)).toEqual(['state versions', 'plan files']);
    expect(() => registry.register(store('plan files'))).toThrow(/already registered/);
  });
});
