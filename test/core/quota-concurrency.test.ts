import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuotaExceededError } from '../../src/core/errors.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

describe('quota enforcement under concurrency (real PostgreSQL)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('lets exactly max_instances of many simultaneous creates succeed', async () => {
    const t = await app.factories.tenant();
    await app.core.tenants.updateQuotas({ ...t.adminActor, isPlatformAdmin: true }, { max_instances: 3 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => app.core.instances.create(t.adminActor, { name: `i${i}`, version: 'v0.28.5', config_json: {} })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.every((r) => r.reason instanceof QuotaExceededError)).toBe(true);
    const [{ n }] = await app.sql('SELECT count(*)::int AS n FROM instances WHERE tenant_id = :t', { t: t.id });
    expect(n).toBe(3);
  });

  it('writes the audit entry in the same transaction as the change (a failed create leaves neither)', async () => {
    const t = await app.factories.tenant();
    await app.core.projects.create(t.adminActor, { name: 'once', repository_url: '', terraform_path: '.', workspace: 'default', branch: 'main', state_backend: 'platform', auto_apply: false });
    await expect(
      app.core.projects.create(t.adminActor, { name: 'once', repository_url: '', terraform_path: '.', workspace: 'default', branch: 'main', state_backend: 'platform', auto_apply: false }),
    ).rejects.toThrow(/already exists/);
    const rows = await app.sql("SELECT action FROM audit_log WHERE tenant_id = :t AND action = 'project.create'", { t: t.id });
    expect(rows).toHaveLength(1);
  });
});
