import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';
import { tfData } from '../harness/tf-files.js';

const newKey = () => randomBytes(32).toString('base64');

describe('atlantas rotate-key on drift records', () => {
  it('re-seals the drifted resources under the new key; the record reads the same with only that key', async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'rotate-drift' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'net/main.tf': tfData(2) }, 'not applied yet');
    const oldKey = newKey();
    const app = await startTestApp({ reuse: { encryptionKey: oldKey }, childEnv: insteadOfEnv(repo.root) });
    const schema = app.reuse.schema!;
    onTestFinished(() => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined));
    const member = await app.factories.user({ role: 'member' });
    const { records: [record] } = await app.core.drift.check(member.actor, { kind: 'repository', repository: 'acme/rotate-drift', ref: 'main', paths: [{ dir: 'net' }] });
    expect(record.details?.pendingCodeChanges.map((c) => c.address)).toEqual(['terraform_data.r0', 'terraform_data.r1']);
    const before = (await app.req('GET', `/api/v1/drift/${record.id}`, { token: app.admin.token })).body;
    await app.close({ keepData: true });

    const key = newKey();
    const keyIds = async () => (await withClient((c) => c.query('SELECT DISTINCT details_key_id AS k FROM drift_records'), { schema })).rows.map((r) => r.k);
    expect(await keyIds()).toEqual([keyIdOf(Buffer.from(oldKey, 'base64'))]);
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('drift details: 1 re-encrypted');
    expect(await keyIds()).toEqual([keyIdOf(Buffer.from(key, 'base64'))]);

    const restarted = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => restarted.close());
    const after = (await restarted.req('GET', `/api/v1/drift/${record.id}`, { token: restarted.admin.token })).body;
    expect(after.pending_code_changes).toEqual(before.pending_code_changes);
  });
});
