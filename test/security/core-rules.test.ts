import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActors } from '../../src/core/auth/system-actors.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'atlantis-secret';

/**
 * Rules the review found living in one front end, or nowhere, now decided in core for every
 * caller: extra args, which tenant may run which repository, what the public lock list shows,
 * automation and auto_apply, and speculative plans leaving no state behind.
 */
describe('core rules that no caller can talk around', () => {
  let app: TestApp;
  let repo: BareRepo;
  const runs = (token: string, body: object) => app.req('POST', '/api/v1/runs', { token, body });

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'core' });
    await repo.commitFiles({ 'app/main.tf': tfData(1), 'other/main.tf': tfData(1), 'auto/main.tf': tfData(1, 'auto') }, 'base');
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('refuses blocked and path-taking extra args that leave the checkout, before anything runs', async () => {
    const token = app.admin.token;
    const blocked = await runs(token, { repo: 'acme/core', dir: 'app', extra_args: ['-plugin-dir=/tmp/evil'] });
    expect(blocked.status).toBe(400);
    expect(blocked.body).toMatchObject({ code: 'extra_args.blocked', detail: expect.stringContaining('-plugin-dir') });
    for (const args of [['-var-file=/etc/passwd'], ['-var-file', '/etc/passwd'], ['-var-file=../../etc/passwd'], ['-state-out=~/x']]) {
      const res = await runs(token, { repo: 'acme/core', dir: 'app', extra_args: args });
      expect(res.status, args.join(' ')).toBe(400);
      expect(res.body.code).toBe('extra_args.path_outside_checkout');
    }
    expect(await app.sql('SELECT id FROM runs')).toEqual([]);
    // inside the checkout is fine: ../other from app stays in the repository
    const inside = await runs(token, { repo: 'acme/core', dir: 'app', extra_args: ['-var-file=../other/none.tfvars'] });
    expect(inside.status).toBe(201);
    expect((await waitForRun(app, inside.body.id)).status).toBe('errored'); // terraform: the file does not exist
  });

  it('refuses a -var-file that a symlink in the repository points outside it, before terraform reads it', async () => {
    await repo.commitFiles({ 'linked/main.tf': tfData(1), 'linked/evil.tfvars': { symlink: '/etc/passwd' } }, 'a project');
    const res = await runs(app.admin.token, { repo: 'acme/core', dir: 'linked', extra_args: ['-var-file=evil.tfvars'] });
    expect(res.status).toBe(201);
    const run = await waitForRun(app, res.body.id);
    expect(run).toMatchObject({ status: 'errored', error: expect.stringContaining('leads outside the repository') });
    expect(run.log).not.toContain('root:');
    expect(run.log).not.toMatch(/terraform plan|Plan:/);
  });

  it('lets a tenant other than the default one run only the repositories a platform admin allowed it', async () => {
    const team = await app.factories.tenant();
    const member = await app.factories.user({ tenantId: team.id });
    const refused = await runs(member.token, { repo: 'acme/core', dir: 'app' });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'repo_not_allowed', detail: expect.stringContaining('repo_allowlist') });
    expect(await app.sql('SELECT id FROM runs WHERE tenant_id = :t', { t: team.id })).toEqual([]);
    expect(existsSync(path.join(app.config.dataDir, 'repos', team.id))).toBe(false); // nothing was even cloned

    const byTenantAdmin = await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: team.adminToken, body: { repo_allowlist: ['acme/*'] } });
    expect(byTenantAdmin.status).toBe(403);
    const allowed = await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.repo_allowlist).toEqual(['acme/*']);
    const ok = await runs(member.token, { repo: 'acme/core', dir: 'app' });
    expect(ok.status).toBe(201);
    expect((await waitForRun(app, ok.body.id, undefined, undefined, member.token)).status).toBe('planned_and_finished');
    const bad = await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: app.admin.token, body: { repo_allowlist: ['not a repo'] } });
    expect(bad.status).toBe(400);
  });

  it('shows on the public GET /api/locks only what Atlantis shows: never an Atlantas email or token name', async () => {
    const member = await app.factories.user({ email: 'secret-person@example.com' });
    const res = await runs(member.token, { command: 'apply', repo: 'acme/core', dir: 'other' });
    await waitForRun(app, res.body.id);
    const locks = await app.req('GET', '/api/locks');
    expect(locks.status).toBe(200);
    expect(locks.body.data.locks).toEqual([expect.objectContaining({ path: 'other', locked_by: '' })]);
    expect(locks.text).not.toContain('secret-person');
    expect(locks.text).not.toContain('(token');
    await app.req('POST', `/api/v1/runs/${res.body.id}/cancel`, { token: member.token });

    const guarded = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_LOCKS_REQUIRE_AUTH: 'true' } });
    try {
      expect((await guarded.req('GET', '/api/locks')).status).toBe(401);
      expect((await guarded.req('GET', '/api/locks')).body).toMatchObject({ success: false, error: { code: 'UNAUTHORIZED' } });
      expect((await guarded.req('GET', '/api/locks', { headers: { 'x-atlantis-token': SECRET } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('does not let a project\'s auto_apply skip the approval for an automated actor', async () => {
    const project = await app.req('POST', '/api/v1/projects', {
      token: app.admin.token, body: { name: 'auto-core', repository_url: 'https://github.com/acme/core', terraform_path: 'auto', auto_apply: true },
    });
    expect(project.status).toBe(201);
    const agent = systemActors.agent('drift-monitor', await app.factories.defaultTenantId());
    const run = await app.core.commands.createRun(agent, { project: 'auto-core', command: 'apply', title: '', extra_args: [] }, 'schedule');
    expect(run.autoApply).toBe(false);
    expect((await waitForRun(app, run.id)).status).toBe('planned'); // waits for a human
    await expect(app.core.runs.approve(agent, run.id)).rejects.toMatchObject({ code: 'run.human_approval_required' });
    const approved = await app.req('POST', `/api/v1/runs/${run.id}/approve`, { token: app.admin.token });
    expect(approved.body.status).toBe('confirmed');
    expect((await waitForRun(app, run.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
  });

  it('leaves no empty state row behind a speculative plan, nor behind a PR plan that is unlocked', async () => {
    const before = await app.sql<{ name: string }>('SELECT name FROM states');
    const res = await runs(app.admin.token, { repo: 'acme/core', dir: 'app' });
    const run = await waitForRun(app, res.body.id);
    expect(run.status).toBe('planned_and_finished');
    const headers = { 'x-atlantis-token': SECRET };
    const pr = await app.req('POST', '/api/plan', { headers, body: { Repository: 'acme/core', Ref: 'main', Type: 'Github', PR: 9, Paths: [{ Directory: 'app' }] } });
    expect(pr.body.data.projects[0].status).toBe('success');
    await app.req('DELETE', `/api/v1/locks/${(await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body.find((l: any) => l.pull_request_id === 9).id}`, { token: app.admin.token });
    expect(await app.sql('SELECT name, serial FROM states')).toEqual(before.map((s) => expect.objectContaining({ name: s.name })));
  });
});
