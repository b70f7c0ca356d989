import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { atlantisYaml, tfData } from '../harness/tf-files.js';
import { RecordingChannel } from '../core/notifications/recording-channel.js';

const SECRET = 'drift-api-secret';
const headers = { 'x-atlantis-token': SECRET };

describe('Atlantis drift API (/api/drift/*) on real terraform, git and PostgreSQL', () => {
  let app: TestApp;
  let repo: BareRepo;
  /** stands in for Slack: what people were told */
  const channel = new RecordingChannel();
  const projectIds: Record<string, string> = {};

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles(
      {
        'atlantis.yaml': atlantisYaml([{ name: 'network', dir: 'network' }, { name: 'app', dir: 'app' }, { name: 'edge', dir: 'edge' }]),
        'network/main.tf': tfData(2),
        'app/main.tf': tfData(1),
        'edge/main.tf': tfData(1),
      },
      'three projects',
    );
    app = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_PARALLELISM: '3', ATLANTAS_SLACK_CHANNEL: '#infra-drift' }, childEnv: insteadOfEnv(repo.root) });
    app.internals.notifications.register(channel);
    for (const name of ['network', 'app']) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: 'https://github.com/acme/infra', terraform_path: name } });
      expect(res.status).toBe(201);
      projectIds[name] = res.body.id;
    }
    const applied = await app.req('POST', '/api/apply', { headers, body: { Repository: 'acme/infra', Ref: 'main', Type: 'Github', Projects: ['network', 'app', 'edge'] } });
    expect(applied.body.data).toMatchObject({ success_count: 3, failure_count: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const detect = (body: object = {}) => app.req('POST', '/api/drift/detect', { headers, body: { repository: 'acme/infra', ref: 'main', type: 'Github', ...body } });
  const remediate = (body: object) => app.req('POST', '/api/drift/remediate', { headers, body: { repository: 'acme/infra', ref: 'main', type: 'Github', ...body } });
  /** the drift messages delivered so far (after the outbox delivered what is due), and the rows core published */
  const driftEvents = async () => {
    await app.internals.notifications.drain();
    const rows = await app.sql("SELECT kind, dedupe_key FROM notification_outbox WHERE kind LIKE 'drift.%' ORDER BY created_at");
    const told = () => channel.delivered((e) => e.kind.startsWith('drift.'));
    // the dispatcher's own loop may be delivering a row while drain() returns: wait for it to land
    await expect.poll(() => told().map((t) => t.event.kind), { timeout: 10_000 }).toEqual(rows.map((r) => r.kind)); // one publish, one message
    return told().map((t, i) => ({ event: t.event, options: { dedupeKey: rows[i].dedupe_key as string } }));
  };
  const runCount = async () => (await app.sql<{ n: number }>('SELECT count(*)::int AS n FROM runs'))[0].n;

  /** Someone writes the state behind terraform's back: terraform_data.r0's input becomes `changed`. */
  async function editStateOutOfBand(project: string) {
    const [{ state_name }] = await app.sql<{ state_name: string }>("SELECT state_name FROM runs WHERE dir = :dir AND state_name IS NOT NULL LIMIT 1", { dir: project });
    const address = `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    const r0 = state.resources.find((r: any) => r.name === 'r0');
    r0.instances[0].attributes.input = { value: 'changed', type: 'string' };
    r0.instances[0].attributes.output = { value: 'changed', type: 'string' };
    const pushed = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
    expect(pushed.status).toBe(200);
  }

  it('finds no drift right after an apply, then the exact drift of a state edited through the state backend, told once', async () => {
    const clean = await detect({ projects: ['network', 'app'] });
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ success: true, error: null, data: { repository: 'acme/infra', summary: { total_projects: 2, projects_with_drift: 0, projects_without_drift: 2, projects_with_errors: 0 } } });
    expect(clean.body.data.projects.map((p: any) => [p.project_name, p.has_drift])).toEqual([['network', false], ['app', false]]);
    expect(clean.body.data.projects[0]).not.toHaveProperty('drift');
    expect(await driftEvents()).toEqual([]);

    await editStateOutOfBand('network');
    const drifted = await detect({ projects: ['network', 'app'] });
    expect(drifted.body.data.summary).toEqual({ total_projects: 2, projects_with_drift: 1, projects_without_drift: 1, projects_with_errors: 0 });
    const [network, appProject] = drifted.body.data.projects;
    expect(network).toMatchObject({
      project_name: 'network', directory: 'network', workspace: 'default', ref: 'main', has_drift: true, status: 'checked', last_checked: expect.any(String),
      drift: { to_add: 0, to_change: 1, to_destroy: 0, to_import: 0, total_changes: 1, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.', changes_outside: false },
    });
    expect(appProject).toMatchObject({ project_name: 'app', has_drift: false });

    // Two ordinary runs per project, source drift: a refresh-only plan, then a plan at the same commit.
    const runs = await app.sql("SELECT operation, source, status, commit_sha FROM runs WHERE dir = 'network' AND source = 'drift' ORDER BY created_at DESC LIMIT 2");
    expect(runs.map((r) => [r.operation, r.source, r.status])).toEqual([['plan', 'drift', 'planned_and_finished'], ['refresh', 'drift', 'planned_and_finished']]);
    expect(runs[0].commit_sha).toBe(runs[1].commit_sha);

    const told = await driftEvents();
    expect(told.map((e) => [e.event.kind, (e.event as any).projectId])).toEqual([['drift.detected', projectIds.network]]);
    expect(told[0].options.dedupeKey).toMatch(/^drift:/);

    // The same drift on the next check: nothing new is told.
    const again = await detect({ projects: ['network'] });
    expect(again.body.data.projects[0]).toMatchObject({ has_drift: true, drift: { to_change: 1 } });
    expect(await driftEvents()).toHaveLength(1);

    // The record says what moved, by attribute name, and keeps each check.
    const records = await app.req('GET', '/api/v1/drift?has_drift=true', { token: app.admin.token });
    expect(records.status).toBe(200);
    expect(records.body).toHaveLength(1);
    expect(records.body[0]).toMatchObject({
      project_id: projectIds.network, project_name: 'network', has_drift: true, to_change: 1, total_changes: 1, status: 'checked',
      pending_code_changes: [{ address: 'terraform_data.r0', action: 'update', attributes: ['input', 'output'], sensitive_attributes: [] }],
      changes_outside: [], drifted_resources: [expect.objectContaining({ address: 'terraform_data.r0' })],
    });
    expect(JSON.stringify(records.body)).not.toContain('changed'); // no value is kept, only names
    const one = await app.req('GET', `/api/v1/drift/${records.body[0].id}`, { token: app.admin.token });
    expect(one.body.history.map((h: any) => h.has_drift)).toEqual([true, true, false]);
  });

  it('answers /api/drift/status from the stored results without running terraform, filtered by project and workspace', async () => {
    const before = await runCount();
    const status = await app.req('GET', '/api/drift/status?repository=acme/infra');
    expect(status.status).toBe(200);
    expect(status.body.data).toMatchObject({ repository: 'acme/infra', checked_at: expect.any(String), summary: { total_projects: 2, projects_with_drift: 1, projects_without_drift: 1 } });
    const network = status.body.data.projects.find((p: any) => p.project_name === 'network');
    expect(network).toMatchObject({ has_drift: true, drift: { to_change: 1, total_changes: 1, summary: 'Plan: 0 to add, 1 to change, 0 to destroy.' } });
    const filtered = await app.req('GET', '/api/drift/status?repository=acme/infra&project=app&workspace=default');
    expect(filtered.body.data.projects.map((p: any) => p.project_name)).toEqual(['app']);
    const none = await app.req('GET', '/api/drift/status?repository=acme/other');
    expect(none.body.data).toMatchObject({ repository: 'acme/other', projects: [], summary: { total_projects: 0, projects_with_drift: 0, projects_without_drift: 0, projects_with_errors: 0 } });
    expect(await runCount()).toBe(before);
  });

  it('skips a project a pull request has locked, naming the PR, and leaves the lock with it', async () => {
    const pr = await app.req('POST', '/api/plan', { headers, body: { Repository: 'acme/infra', Ref: 'main', Type: 'Github', PR: 7, Projects: ['edge'] } });
    expect(pr.body.data.projects[0]).toMatchObject({ status: 'success' });
    const res = await detect({ projects: ['edge', 'app'] });
    expect(res.body.data.summary).toMatchObject({ total_projects: 2, projects_with_errors: 1, projects_without_drift: 1 });
    expect(res.body.data.projects.find((p: any) => p.project_name === 'edge')).toMatchObject({ status: 'skipped', error: 'skipped: locked by #7', has_drift: false });
    const locks = await app.req('GET', '/api/locks');
    expect(locks.body.data.locks).toEqual([expect.objectContaining({ project_name: 'edge', pull_request_id: 7 })]);
    expect(await app.sql("SELECT id FROM runs WHERE dir = 'edge' AND source = 'drift'")).toEqual([]);
    await app.req('DELETE', `/api/v1/locks/${(await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body[0].id}`, { token: app.admin.token });
  });

  it('finds code pushed to main but not applied, and remediates: a plan per drifted project, then an apply that waits for a person', async () => {
    await repo.commitFiles({ 'app/main.tf': tfData(1, 'v2') }, 'app: new input, not applied');
    const found = await detect({ projects: ['network', 'app'] });
    expect(found.body.data.projects.find((p: any) => p.project_name === 'app')).toMatchObject({ has_drift: true, drift: { to_change: 1, total_changes: 1 } });
    expect((await driftEvents()).map((e) => e.event.kind)).toEqual(['drift.detected', 'drift.detected']);

    const plan = await remediate({ action: 'plan', drift_only: true });
    expect(plan.status).toBe(200);
    expect(plan.body.data).toMatchObject({ repository: 'acme/infra', ref: 'main', action: 'plan', status: 'success', completed_at: expect.any(String), summary: { total_projects: 2, success_count: 2, failure_count: 0 } });
    for (const p of plan.body.data.projects) {
      expect(p).toMatchObject({ status: 'success', drift_before: { to_change: 1, total_changes: 1 }, drift_after: { to_change: 1 } });
      expect(p.plan_output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    }

    // The API secret is automation: its apply plans and waits for a person's approval.
    const apply = await remediate({ action: 'apply', projects: ['network'] });
    expect(apply.body.data).toMatchObject({ action: 'apply', status: 'pending', summary: { total_projects: 1, success_count: 0, failure_count: 0 } });
    const [waiting] = apply.body.data.projects;
    expect(waiting).toMatchObject({ project_name: 'network', status: 'pending', awaiting_approval: true, run_id: expect.any(String) });
    expect((await app.req('GET', `/api/v1/runs/${waiting.run_id}`, { token: app.admin.token })).body.status).toBe('planned');

    const approved = await app.req('POST', `/api/v1/runs/${waiting.run_id}/approve`, { token: app.admin.token });
    expect(approved.status).toBe(200);
    await waitForRun(app, waiting.run_id, (s) => ['applied', 'errored'].includes(s));
    const done = await app.req('GET', `/api/drift/remediate/${apply.body.data.id}`, { headers });
    expect(done.body.data).toMatchObject({ status: 'success', completed_at: expect.any(String), summary: { success_count: 1, failure_count: 0 } });
    expect(done.body.data.projects[0]).toMatchObject({ status: 'success', drift_after: { total_changes: 0, summary: 'Apply completed successfully' } });
    expect(done.body.data.projects[0].apply_output).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');

    // Open without the token, as in Atlantis, but terraform's output is a run log: only with the token.
    const open = await app.req('GET', `/api/drift/remediate/${apply.body.data.id}`);
    expect(open.body.data).toMatchObject({ status: 'success', projects: [{ project_name: 'network', status: 'success', drift_after: { total_changes: 0 } }] });
    expect(open.body.data.projects[0]).not.toHaveProperty('plan_output');
    expect(open.body.data.projects[0]).not.toHaveProperty('apply_output');
    expect((await app.req('GET', `/api/drift/remediate/${apply.body.data.id}`, { headers: { 'x-atlantis-token': 'wrong' } })).status).toBe(401);

    const listed = await app.req('GET', '/api/drift/remediate?repository=acme/infra&limit=1');
    expect(listed.body.data).toMatchObject({ repository: 'acme/infra', count: 1, results: [{ id: apply.body.data.id, status: 'success', projects: [] }] });

    // The fix is in: the next check finds network clean and says so once.
    const after = await detect({ projects: ['network'] });
    expect(after.body.data.projects[0]).toMatchObject({ has_drift: false });
    expect((await driftEvents()).map((e) => e.event.kind)).toEqual(['drift.detected', 'drift.detected', 'drift.resolved']);
    await detect({ projects: ['network'] });
    expect(await driftEvents()).toHaveLength(3);
  });

  it('refuses bad requests in the Atlantis envelope and queues nothing', async () => {
    const before = await runCount();
    const missing = await app.req('POST', '/api/drift/detect', { headers, body: { ref: 'main', type: 'Github' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ success: false, data: null, error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('missing required parameter: repository') } });
    const badAction = await remediate({ action: 'destroy' });
    expect(badAction.status).toBe(400);
    expect(badAction.body.error.message).toMatch(/invalid action: must be plan or apply/);
    const noData = await app.req('POST', '/api/drift/remediate', { headers, body: { repository: 'acme/nothing', ref: 'main', type: 'Github' } });
    expect(noData.status).toBe(400);
    expect(noData.body.error.message).toMatch(/no drift detection data for acme\/nothing/);
    const wrong = await app.req('POST', '/api/drift/detect', { headers: { 'x-atlantis-token': 'nope' }, body: {} });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('UNAUTHORIZED');
    const statusMissing = await app.req('GET', '/api/drift/status');
    expect(statusMissing.status).toBe(400);
    expect(statusMissing.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('repository') });
    expect((await app.req('GET', '/api/drift/remediate/not-an-id')).status).toBe(404);
    expect(await runCount()).toBe(before);
  });

  it('is off (503 SERVICE_UNAVAILABLE) without ATLANTAS_API_SECRET', async () => {
    const off = await startTestApp();
    try {
      for (const [method, path] of [['POST', '/api/drift/detect'], ['GET', '/api/drift/status?repository=a/b'], ['GET', '/api/drift/remediate?repository=a/b']]) {
        const res = await off.req(method, path, { headers, body: method === 'POST' ? {} : undefined });
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ success: false, error: { code: 'SERVICE_UNAVAILABLE' } });
      }
    } finally {
      await off.close();
    }
  });
});
