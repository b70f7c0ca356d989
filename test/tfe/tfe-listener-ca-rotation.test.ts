import { randomBytes, X509Certificate } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';

const newKey = () => randomBytes(32).toString('base64');

/** The listener CA's private key is sealed at rest and goes through `atlantas rotate-key` like every other secret. */
describe('atlantas rotate-key on the listener CA key', () => {
  it('re-seals it under the new key; listeners that join afterwards get certificates of the same CA', { timeout: 120_000 }, async () => {
    const oldKey = newKey();
    let app: TestApp = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    const pool = await app.req('POST', '/api/v2/organizations/default/agent-pools', { token: app.admin.token, body: { data: { type: 'agent-pools', attributes: { name: 'rot' } } } });
    const token = (await app.req('POST', `/api/v2/agent-pools/${pool.body.data.id}/authentication-tokens`, { token: app.admin.token, body: {} })).body.data.attributes.token;
    const first = await app.req('POST', '/api/v2/agent-pools/join', { body: { join_token: token, name: 'before' } });
    expect(first.status, first.text).toBe(201);
    await app.close({ keepData: true });

    const key = newKey();
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('listener CA key: 1 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT key_id FROM listener_ca'), { schema });
    expect(rows).toEqual([{ key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    const after = await app.req('POST', '/api/v2/agent-pools/join', { body: { join_token: token, name: 'after' } });
    expect(after.status, after.text).toBe(201);
    expect(after.body.ca_certificate).toBe(first.body.ca_certificate);
    expect(new X509Certificate(after.body.certificate).verify(new X509Certificate(first.body.ca_certificate).publicKey)).toBe(true);
  });
});
