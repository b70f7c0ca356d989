import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { waitForRun } from '../harness/runs.js';

const SECRET = 's3cret-token';
const headers = { 'x-atlantis-token': SECRET };

describe('project locks across pull requests, and stale plans', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'platform' });
    await repo.commitFiles({ 'vpc/main.tf': tfData(1), 'dns/main.tf': tfData(1), 'db/main.tf': tfData(1) }, 'three dirs, no atlantis.yaml');
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const planPr = (pr: number, dir: string) =>
    app.req('POST', '/api/plan', { headers, body: { Repository: 'acme/platform', Ref: 'main', Type: 'Github', PR: pr, Paths: [{ Directory: dir, Workspace: 'default' }] } });

  it('refuses a second PR planning a locked project, naming the PR that holds it; after unlock it succeeds', async () => {
    const first = await planPr(1, 'vpc');
    expect(first.body.data.projects[0]).toMatchObject({ status: 'success', directory: 'vpc' });

    const second = await planPr(2, 'vpc');
    expect(second.status).toBe(200); // project-level failures come back inside a successful envelope
    expect(second.body.data).toMatchObject({ success_count: 0, failure_count: 1 });
    expect(second.body.data.projects[0]).toMatchObject({
      status: 'failed',
      failure: 'This project is currently locked by an unapplied plan from pull #1. To continue, delete the lock from #1 or apply that plan and merge the pull request.',
    });

    const locks = await app.req('GET', '/api/locks');
    expect(locks.body.data).toEqual({
      total_count: 1,
      locks: [expect.objectContaining({ id: 'acme/platform/vpc/default', repository: 'acme/platform', path: 'vpc', workspace: 'default', pull_request_id: 1, pull_request_url: 'https://github.com/acme/platform/pull/1' })],
    });
    const v1 = await app.req('GET', '/api/v1/locks', { token: app.admin.token });
    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await app.req('DELETE', `/api/v1/locks/${v1.body[0].id}`, { token: viewer.token })).status).toBe(403);
    expect((await app.req('DELETE', `/api/v1/locks/${v1.body[0].id}`, { token: app.admin.token })).status).toBe(200);
    // unlocking discards the plan it protected
    const pr1Runs = await app.sql("SELECT status FROM runs WHERE pr_number = 1 AND dir = 'vpc'");
    expect(pr1Runs.map((r) => r.status)).toEqual(['discarded']);

    const retry = await planPr(2, 'vpc');
    expect(retry.body.data.projects[0]).toMatchObject({ status: 'success' });
    expect((await app.req('GET', '/api/locks')).body.data.locks[0]).toMatchObject({ pull_request_id: 2 });
  });

  it('two PRs planning one free project at the same moment: exactly one takes the lock, the other is refused naming it', async () => {
    const [a, b] = await Promise.all([planPr(21, 'db'), planPr(22, 'db')]);
    const statuses = [a, b].map((r) => r.body.data.projects[0].status).sort();
    expect(statuses).toEqual(['failed', 'success']);
    const winner = a.body.data.projects[0].status === 'success' ? 21 : 22;
    const loser = [a, b].find((r) => r.body.data.projects[0].status === 'failed')!;
    expect(loser.body.data.projects[0].failure).toContain(`pull #${winner}`);
    const locks = await app.sql("SELECT id, pr_number FROM project_locks WHERE dir = 'db'");
    expect(locks).toEqual([{ id: expect.any(String), pr_number: winner }]);
    expect(await app.sql("SELECT pr_number FROM runs WHERE dir = 'db'")).toEqual([{ pr_number: winner }]);
    // free the project for the tests below
    expect((await app.req('DELETE', `/api/v1/locks/${locks[0].id}`, { token: app.admin.token })).status).toBe(200);
  });

  it('the same PR re-planning keeps its lock and supersedes its earlier plan', async () => {
    await planPr(7, 'dns');
    await planPr(7, 'dns');
    const runs = await app.sql("SELECT status, status_reason FROM runs WHERE pr_number = 7 ORDER BY created_at");
    expect(runs.map((r) => r.status)).toEqual(['discarded', 'planned']);
    expect(runs[0].status_reason).toMatch(/superseded by run/);
  });

  it('refuses to apply a plan when the state changed underneath it', async () => {
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/platform', branch: 'main', dir: 'db' } });
    expect(run.status).toBe(201);
    const planned = await waitForRun(app, run.body.id);
    expect(planned).toMatchObject({ status: 'planned', has_changes: true, resources_added: 1, state_name: expect.any(String) });

    // Someone else writes the state (a laptop, another tool): the saved plan no longer fits it.
    const address = `/api/v1/tfstate/${encodeURIComponent(planned.state_name)}/default`;
    const state = { version: 4, terraform_version: '1.11.4', serial: 5, lineage: 'other-lineage-0001', outputs: {}, resources: [], check_results: null };
    const push = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify(state), headers: { 'content-type': 'application/json' } });
    expect(push.status).toBe(200);

    const approve = await app.req('POST', `/api/v1/runs/${run.body.id}/approve`, { token: app.admin.token });
    expect(approve.status).toBe(409);
    expect(approve.body).toMatchObject({ code: 'run.plan_stale', detail: expect.stringMatching(/state changed since the plan \(serial 0 → 5\); plan again/) });
    expect((await app.req('GET', `/api/v1/runs/${run.body.id}`, { token: app.admin.token })).body.status).toBe('discarded');
    const state2 = await app.req('GET', address, { token: app.admin.token });
    expect(state2.body.serial).toBe(5); // nothing was applied
  });

  it('refuses to apply a plan whose commit was superseded by a newer push', async () => {
    const sha = await repo.commitFiles({ 'newproj/main.tf': tfData(2) }, 'feature work', { branch: 'feature' });
    const plan = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/platform', branch: 'feature', dir: 'newproj' } });
    expect(plan.status).toBe(201);
    const planned = await waitForRun(app, plan.body.id);
    expect(planned).toMatchObject({ status: 'planned', commit_sha: sha, resources_added: 2 });

    await repo.commitFiles({ 'newproj/main.tf': tfData(3) }, 'a newer commit', { branch: 'feature' });
    const approve = await app.req('POST', `/api/v1/runs/${plan.body.id}/approve`, { token: app.admin.token });
    expect(approve.status).toBe(409);
    expect(approve.body.detail).toMatch(new RegExp(`plan was made for commit ${sha.slice(0, 8)}, but feature is now at [0-9a-f]{8}: the plan was superseded`));
    expect((await app.req('GET', `/api/v1/runs/${plan.body.id}`, { token: app.admin.token })).body.status).toBe('discarded');
  });

  it('applies an approved, fresh plan and releases the actor\'s lock', async () => {
    await repo.commitFiles({ 'fresh/main.tf': tfData(1, 'x') }, 'fresh', { branch: 'fresh' });
    const plan = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/platform', branch: 'fresh', dir: 'fresh' } });
    await waitForRun(app, plan.body.id);
    const approved = await app.req('POST', `/api/v1/runs/${plan.body.id}/approve`, { token: app.admin.token });
    expect(approved.body).toMatchObject({ status: 'confirmed', approved_by: app.admin.email });
    const done = await waitForRun(app, plan.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(done).toMatchObject({ status: 'applied', status_reason: 'Apply complete! Resources: 1 added, 0 changed, 0 destroyed.' });
    expect(done.log).toContain('Apply complete!');
    const locks = await app.sql("SELECT id FROM project_locks WHERE dir = 'fresh'");
    expect(locks).toEqual([]);
    expect(await app.sql('SELECT run_id FROM run_plans WHERE run_id = :id', { id: plan.body.id })).toEqual([]); // plan file deleted
  });

  it('applies a registered project with auto_apply without waiting for approval', async () => {
    await repo.commitFiles({ 'auto/main.tf': tfData(1, 'auto') }, 'an auto-applied project');
    const project = await app.req('POST', '/api/v1/projects', {
      token: app.admin.token, body: { name: 'auto-net', repository_url: 'https://github.com/acme/platform', terraform_path: 'auto', auto_apply: true },
    });
    expect(project.status).toBe(201);
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'auto-net', command: 'apply' } });
    expect(run.body).toMatchObject({ auto_apply: true, project_id: project.body.id });
    const done = await waitForRun(app, run.body.id, (s) => ['applied', 'errored', 'planned'].includes(s));
    expect(done).toMatchObject({ status: 'applied', approved_by: 'auto-apply', state_name: 'auto-net' });
  });
});
