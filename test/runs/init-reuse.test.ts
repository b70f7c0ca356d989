import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SKIPPED = 'Terraform init skipped';
const INITIALISED = 'Terraform has been successfully initialized!';
const ended = (s: string) => ['applied', 'planned_and_finished', 'errored', 'canceled'].includes(s);

/**
 * A reused working copy skips `terraform init` when nothing init depends on changed, and inits
 * again when something did: terraform itself refuses to plan a module it has not installed
 * ("Module not installed"), so each plan below succeeds only if the skip was right.
 */
describe('terraform init on a reused working copy', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'reuse' });
    await repo.commitFiles({ 'app/main.tf': tfData(1), 'modules/extra/main.tf': tfData(1, 'in-module') }, 'one resource');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  async function run(command: 'plan' | 'apply'): Promise<any> {
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command, repo: 'acme/reuse', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    const settledRun = await waitForRun(app, created.body.id);
    if (command === 'plan' || settledRun.status !== 'planned') return settledRun;
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    return waitForRun(app, created.body.id, ended);
  }

  it('skips init for the same configuration, and inits again when a module block or a local module changes', async () => {
    const first = await run('plan');
    expect(first.status, first.log).toBe('planned_and_finished');
    expect(first.log).toContain(INITIALISED);

    const again = await run('plan');
    expect(again.status, again.log).toBe('planned_and_finished');
    expect(again.log).toContain(SKIPPED);
    expect(again.log).not.toContain(INITIALISED);
    expect(again.summary).toBe('Plan: 1 to add, 0 to change, 0 to destroy.');

    await repo.commitFiles({ 'app/modules.tf': 'module "extra" {\n  source = "../modules/extra"\n}\n' }, 'a module block');
    const withModule = await run('plan');
    expect(withModule.status, withModule.log).toBe('planned_and_finished');
    expect(withModule.log).toContain(INITIALISED);
    expect(withModule.summary).toBe('Plan: 2 to add, 0 to change, 0 to destroy.');

    // A module call inside the local module: init must install it, though no file of app/ changed.
    await repo.commitFiles({ 'modules/extra/nested.tf': 'module "inner" {\n  source = "../inner"\n}\n', 'modules/inner/main.tf': tfData(1, 'inner') }, 'a nested module');
    const nested = await run('plan');
    expect(nested.status, nested.log).toBe('planned_and_finished');
    expect(nested.log).toContain(INITIALISED);
    expect(nested.summary).toBe('Plan: 3 to add, 0 to change, 0 to destroy.');
  });

  it('inits again after a run changed what init left in .terraform', async () => {
    await repo.commitFiles({
      'app/main.tf': `${tfData(1)}
resource "terraform_data" "tamper" {
  provisioner "local-exec" {
    command = "rm -f .terraform/modules/modules.json"
  }
}
`,
    }, 'an apply that removes the installed-modules record');
    const applied = await run('apply');
    expect(applied.status, applied.log).toBe('applied');

    const next = await run('plan');
    expect(next.status, next.log).toBe('planned_and_finished');
    expect(next.log).toContain(INITIALISED);
    expect(next.log).not.toContain(SKIPPED);
  });
});
