import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'answer-first-secret';

describe('POST /api/plan writes its answer before the show -json it runs after it starts', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'answer-first' });
    await repo.commitFiles({ 'small/main.tf': tfData(2) }, 'one project');
    app = await startTestApp({ env: { LOG_LEVEL: 'debug', ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('logs the request as answered before terraform show starts, and the run gets its resource list after', async () => {
    const from = app.logs.lines.length;
    const planned = await app.req('POST', '/api/plan', {
      headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/answer-first', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'small', Workspace: 'default' }] },
    });
    expect(planned.status).toBe(200);
    const [project] = planned.body.data.projects;
    expect(project).toMatchObject({ status: 'success', plan: { to_add: 2 } });
    expect(project.output).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    await expect.poll(async () => (await app.req('GET', `/api/v1/runs/${project.run_id}`, { token: app.admin.token })).body.resource_changes, { timeout: 15_000 })
      .toEqual([{ address: 'terraform_data.r0', action: 'create' }, { address: 'terraform_data.r1', action: 'create' }]);
    const lines = app.logs.lines.slice(from);
    const answered = lines.findIndex((l) => l.msg === 'request' && l.path === '/api/plan');
    const show = lines.findIndex((l) => l.msg === 'terraform started' && l.cmd === 'show');
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(show).toBeGreaterThan(answered);
  });
});
