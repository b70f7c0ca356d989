import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { startFakeClouds } from '../harness/fake-clouds.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';

const newKey = () => randomBytes(32).toString('base64');

/** A cloud credential's sealed secrets go through `atlantas rotate-key` like every other secret. */
describe('atlantas rotate-key on cloud credentials', () => {
  it('re-seals them under the new key; the credential still validates with only the new key', async () => {
    const clouds = await startFakeClouds();
    onTestFinished(() => clouds.close());
    const token = `dop_v1_${randomBytes(16).toString('hex')}`;
    clouds.digitalocean.tokens.set(token, 'ops@acme.example');
    const oldKey = newKey();
    let app: TestApp = await startTestApp({ env: clouds.env, reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    const created = await app.req('POST', '/api/v1/cloud-credentials', { token: app.admin.token, body: { name: 'do', provider: 'digitalocean', credentials_json: { token } } });
    expect(created.status, created.text).toBe(201);
    await app.close({ keepData: true });

    const key = newKey();
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('cloud credentials: 1 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT key_id FROM cloud_credentials'), { schema });
    expect(rows).toEqual([{ key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ env: clouds.env, reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    const validated = await app.req('POST', `/api/v1/cloud-credentials/${created.body.id}/validate`, { token: app.admin.token });
    expect(validated.body).toMatchObject({ valid: true, identity: 'ops@acme.example' });
  });
});
