import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { atlantisYaml, echoVariable, tfData } from '../harness/tf-files.js';
import { waitForRun } from '../harness/runs.js';

const SECRET = 'atlantis-api-secret';
const headers = { 'x-atlantis-token': SECRET };

describe('Atlantis-compatible /api/plan and /api/apply, with real git and terraform', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles(
      {
        'atlantis.yaml': atlantisYaml([{ name: 'network', dir: 'network' }, { name: 'app', dir: 'app' }, { name: 'echo', dir: 'echo' }]),
        'network/main.tf': tfData(2),
        'app/main.tf': tfData(1),
        'echo/main.tf': echoVariable,
      },
      'two projects',
    );
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_PARALLELISM: '2' }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const plan = (body: object) => app.req('POST', '/api/plan', { headers, body: { Repository: 'acme/infra', Ref: 'main', Type: 'Github', ...body } });
  const apply = (body: object) => app.req('POST', '/api/apply', { headers, body: { Repository: 'acme/infra', Ref: 'main', Type: 'Github', ...body } });

  it('plans two projects with the exact counts terraform printed, applies them into the state backend, then finds no changes', async () => {
    const planned = await plan({ Projects: ['network', 'app'] });
    expect(planned.status).toBe(200);
    expect(planned.body).toMatchObject({ success: true, error: null, data: { command: 'plan', total_projects: 2, success_count: 2, failure_count: 0 } });
    const [network, appProject] = planned.body.data.projects;
    expect(network).toMatchObject({
      project_name: 'network', directory: 'network', workspace: 'default', command: 'plan', status: 'success',
      plan: { has_changes: true, to_add: 2, to_change: 0, to_destroy: 0, to_import: 0, summary: 'Plan: 2 to add, 0 to change, 0 to destroy.' },
    });
    expect(network.output).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(appProject.plan).toMatchObject({ to_add: 1, summary: 'Plan: 1 to add, 0 to change, 0 to destroy.' });

    const applied = await apply({ Projects: ['network', 'app'] });
    expect(applied.body.data).toMatchObject({ command: 'apply', success_count: 2, failure_count: 0 });
    expect(applied.body.data.projects[0].output).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    const states = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    const networkState = states.body.find((s: any) => s.project_name?.includes('network') || s.name?.includes('network'));
    expect(networkState).toMatchObject({ workspace: 'default', serial: expect.any(Number) });
    expect(networkState.serial).toBeGreaterThanOrEqual(1);

    const again = await plan({ Projects: ['network'] });
    expect(again.body.data.projects[0]).toMatchObject({ status: 'success', plan: { has_changes: false, to_add: 0 } });
    expect(again.body.data.projects[0].output).toContain('No changes.');
  });

  it('answers with the counts from the plan\'s own output; which resources change is on the run a moment later', async () => {
    await repo.commitFiles({ 'network/main.tf': tfData(3) }, 'a third resource');
    const planned = await plan({ Projects: ['network'] });
    const [network] = planned.body.data.projects;
    expect(network).toMatchObject({ status: 'success', plan: { has_changes: true, to_add: 1, summary: 'Plan: 1 to add, 0 to change, 0 to destroy.' } });
    await expect.poll(async () => (await app.req('GET', `/api/v1/runs/${network.run_id}`, { token: app.admin.token })).body.resource_changes, { timeout: 15_000 })
      .toEqual([{ address: 'terraform_data.r2', action: 'create' }]);
    const run = (await app.req('GET', `/api/v1/runs/${network.run_id}`, { token: app.admin.token })).body;
    expect(run).toMatchObject({ has_changes: true, resources_added: 1, summary: 'Plan: 1 to add, 0 to change, 0 to destroy.' });
  });

  it('selects projects by Paths as well as by name', async () => {
    const res = await plan({ Paths: [{ Directory: 'app', Workspace: 'default' }] });
    expect(res.body.data.projects).toEqual([expect.objectContaining({ project_name: 'app', directory: 'app', status: 'success' })]);
  });

  it('gates the API: disabled without a secret is 503, a wrong token 401, each in the Atlantis envelope', async () => {
    const wrong = await app.req('POST', '/api/plan', { headers: { 'x-atlantis-token': 'nope' }, body: {} });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
    const none = await app.req('POST', '/api/plan', { body: {} });
    expect(none.status).toBe(401);
    const disabled = await startTestApp();
    try {
      const res = await disabled.req('POST', '/api/plan', { headers, body: {} });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/API is disabled/) } });
    } finally {
      await disabled.close();
    }
  });

  it('validates requests: neither Projects nor Paths, missing fields, unknown project, escaping dir, another VCS', async () => {
    const none = await plan({});
    expect(none.status).toBe(400);
    expect(none.body.error).toEqual({ code: 'VALIDATION_ERROR', message: expect.stringContaining("at least one of 'Projects' or 'Paths' must be specified") });
    const missing = await app.req('POST', '/api/plan', { headers, body: { Projects: ['app'] } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/missing required parameter: repository/);
    const unknown = await plan({ Projects: ['nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/no project named "nope" in atlantis.yaml; projects are: network, app, echo/);
    const escape = await plan({ Paths: [{ Directory: '../../etc', Workspace: 'default' }] });
    expect(escape.status).toBe(400);
    expect(escape.body.error.message).toMatch(/escapes the repository/);
    const gitlab = await plan({ Type: 'Gitlab', Projects: ['app'] });
    expect(gitlab.status).toBe(400);
    const [{ n }] = await app.sql("SELECT count(*)::int AS n FROM runs WHERE dir NOT IN ('network', 'app')");
    expect(n).toBe(0); // nothing was queued for the refused requests
  });

  it('refuses a repository outside the allowlist with 403 FORBIDDEN', async () => {
    const restricted = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_REPO_ALLOWLIST: 'acme/other-*' }, childEnv: insteadOfEnv(repo.root) });
    try {
      const res = await restricted.req('POST', '/api/plan', { headers, body: { Repository: 'acme/infra', Ref: 'main', Type: 'Github', Projects: ['app'] } });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('acme/infra is not in the allowlist') });
    } finally {
      await restricted.close();
    }
  });

  it('passes extra args with shell metacharacters to terraform as literal arguments', async () => {
    const marker = `/tmp/atlantas-pwned-${Date.now()}`;
    const run = await app.req('POST', '/api/v1/runs', {
      token: app.admin.token, body: { repo: 'acme/infra', branch: 'main', project_name: 'echo', extra_args: ['-var', `marker=a;touch ${marker}`] },
    });
    expect(run.status).toBe(201);
    const done = await waitForRun(app, run.body.id);
    expect(done).toMatchObject({ status: 'planned_and_finished', has_changes: true }); // speculative: a plan outside a PR
    expect(done.log).toContain(`marker = "a;touch ${marker}"`);
    expect(existsSync(marker)).toBe(false);
  });

  it('reports a malformed atlantis.yaml with its line, and queues nothing', async () => {
    const bad = await createBareRepo({ owner: 'acme', name: 'broken' });
    try {
      await bad.commitFiles({ 'atlantis.yaml': 'version: 3\nprojects:\n- name: a\n  dir: ../outside\n', 'main.tf': tfData(1) }, 'bad config');
      const other = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(bad.root) });
      try {
        const res = await other.req('POST', '/api/plan', { headers, body: { Repository: 'acme/broken', Ref: 'main', Type: 'Github', Projects: ['a'] } });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/atlantis.yaml line 4/);
        expect(await other.sql('SELECT id FROM runs')).toEqual([]);
      } finally {
        await other.close();
      }
    } finally {
      await bad.cleanup();
    }
  });
});
