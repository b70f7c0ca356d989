import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const SECRET = 'embedded-incidents-secret';

/**
 * The embedded database has one connection: the incident an errored apply opens is written inside
 * the transaction that ends the run (in a savepoint), and must not wait on a query outside it.
 */
describe('incidents on the embedded database', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'solo-incidents' });
    await repo.commitFiles({ 'app/main.tf': 'resource "terraform_data" "boom" {\n  provisioner "local-exec" {\n    command = "exit 1"\n  }\n}\n' }, 'a failing apply');
    app = await startTestApp({ embedded: true, env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('opens the incident of an errored apply and serves the incident API', async () => {
    const applied = await app.req('POST', '/api/apply', { headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/solo-incidents', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'app', Workspace: 'default' }] } });
    expect(applied.body.data, applied.text).toMatchObject({ success_count: 0 });
    const list = await app.req('GET', '/api/incidents?status=triggered', { token: app.admin.token });
    expect(list.body.data).toMatchObject({ total: 1, items: [expect.objectContaining({ source: 'apply_failed', reference: 'INC-00000001', title: 'Apply failed: acme/solo-incidents/app (default)' })] });
    const created = await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'by hand' } });
    expect(created.body.data.reference).toBe('INC-00000002');
    expect((await app.req('PATCH', '/api/incidents/INC-00000002', { token: app.admin.token, body: { status: 'open' } })).body.data.status).toBe('open');
  });
});
