import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDb } from '../src/core/db/connection.js';
import { QuotaExceededError } from '../src/core/errors.js';
import { captureLogs } from './harness/capture-logs.js';
import { startTestApp, type TestApp } from './harness/start-app.js';

/** The same service on the embedded PostgreSQL (PGlite over the pg wire, one connection). */
describe('embedded database mode (PGlite)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ embedded: true });
  });
  afterAll(() => app?.close());

  it('runs the same migrations and serves auth, projects and tenancy', async () => {
    expect(app.internals.db.mode).toBe('embedded');
    const member = await app.factories.user({ role: 'member' });
    const created = await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: 'net' } });
    expect(created.status).toBe(201);
    const other = await app.factories.tenant();
    expect((await app.req('GET', `/api/v1/projects/${created.body.id}`, { token: other.adminToken })).status).toBe(404);
    expect((await app.req('GET', '/ready')).body).toMatchObject({ database: 'ok' });
  });

  it('serialises concurrent transactions on its single connection without deadlocking, and still enforces quotas', async () => {
    const t = await app.factories.tenant();
    await app.core.tenants.updateQuotas({ ...t.adminActor, isPlatformAdmin: true }, { max_instances: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => app.core.instances.create(t.adminActor, { name: `e${i}`, version: 'v0.28.5', config_json: {} })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof QuotaExceededError)).toBe(true);
  });

  it('refuses to open a data dir another process is using', async () => {
    await expect(connectDb({ poolMax: 1, dataDir: app.reuse.dataDir!, log: captureLogs().log })).rejects.toThrow(/in use by another Atlantas process/);
  });

  it('keeps users, tokens and projects across a restart', async () => {
    const member = await app.factories.user({ role: 'member' });
    await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: 'kept' } });
    app = await app.restart();
    const list = await app.req('GET', '/api/v1/projects', { token: member.token });
    expect(list.status).toBe(200);
    expect(list.body.map((p: any) => p.name)).toContain('kept');
  });
});
