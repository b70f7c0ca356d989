import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig } from '../harness/terraform.js';
import { withClient } from '../harness/test-db.js';

const newKey = () => randomBytes(32).toString('base64');

describe('atlantas rotate-key on CMDB items', () => {
  it('re-seals the CIs\' attributes under the new key; they read the same with only that key', async () => {
    const oldKey = newKey();
    const app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(() => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined));
    const member = await app.factories.user({ role: 'member' });
    const wd = await makeTerraformDir(httpBackendEnv(app.url, 'rotated', 'default', member.token));
    onTestFinished(() => wd.cleanup());
    await wd.write(stateConfig());
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    const applied = await wd.run(['apply', '-auto-approve', '-var', 'marker=kept']);
    expect(applied.code, applied.output).toBe(0);
    const before = (await app.req('GET', '/api/cmdb/items', { token: member.token })).body.data.items;
    expect(before.map((i: any) => i.address)).toEqual(['terraform_data.this']);
    await app.close({ keepData: true });

    const key = newKey();
    const keyIds = async () => (await withClient((c) => c.query('SELECT DISTINCT key_id AS k FROM cmdb_items'), { schema })).rows.map((r) => r.k);
    expect(await keyIds()).toEqual([keyIdOf(Buffer.from(oldKey, 'base64'))]);
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('cmdb items: 1 re-encrypted');
    expect(await keyIds()).toEqual([keyIdOf(Buffer.from(key, 'base64'))]);

    const restarted = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => restarted.close());
    const token = (await restarted.factories.user({ role: 'viewer' })).token;
    const after = (await restarted.req('GET', '/api/cmdb/items', { token })).body.data.items;
    expect(after.map((i: any) => i.attributes)).toEqual(before.map((i: any) => i.attributes));
    expect(after[0].attributes.input.value).toBe('kept');
  });
});
