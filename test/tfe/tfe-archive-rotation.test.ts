import { randomBytes } from 'node:crypto';
import { create as tarCreate } from 'tar';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';
import { JSONAPI, remoteWorkspaceDir } from './tfe-harness.js';

const newKey = () => randomBytes(32).toString('base64');

/** Uploaded configurations are sealed at rest like state: `atlantas rotate-key` re-seals them, and a run still reads them. */
describe('atlantas rotate-key and TFE configuration versions', () => {
  it('re-seals the uploaded archives under the new key; a run of one still plans with only the new key', { timeout: 180_000 }, async () => {
    const oldKey = newKey();
    const app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    const user = await app.factories.user({ role: 'member' });
    const { wd, workspaceId } = await remoteWorkspaceDir(app, user.token, 'rotated');
    onTestFinished(() => wd.cleanup());
    const cv = await app.req('POST', `/api/v2/workspaces/${workspaceId}/configuration-versions`, { token: user.token, headers: JSONAPI, body: { data: { attributes: { 'auto-queue-runs': false } } } });
    const chunks: Buffer[] = [];
    for await (const c of tarCreate({ gzip: true, cwd: wd.dir, portable: true }, ['main.tf']) as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    expect((await fetch(cv.body.data.attributes['upload-url'], { method: 'PUT', body: Buffer.concat(chunks) })).status).toBe(200);
    await app.close({ keepData: true });

    const key = newKey();
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { rows } = await withClient((c) => c.query('SELECT archive_key_id FROM tfe_configuration_versions'), { schema });
    expect(rows.map((r) => r.archive_key_id)).toEqual([keyIdOf(Buffer.from(key, 'base64'))]);

    const again = await startTestApp({ reuse: { ...app.reuse, encryptionKey: key } });
    onTestFinished(() => again.close());
    const run = await again.req('POST', '/api/v2/runs', { token: user.token, headers: JSONAPI, body: { data: { attributes: { 'plan-only': true }, relationships: { workspace: { data: { id: workspaceId } } } } } });
    expect(run.status, run.text).toBe(201);
    const [settled] = await again.core.runs.waitForSettled(user.actor, [run.body.data.attributes['atlantas-run-id']], 60_000);
    expect(settled.status, settled.error ?? '').toBe('planned_and_finished');
    expect(settled.resourcesAdded).toBe(3);
  });
});
