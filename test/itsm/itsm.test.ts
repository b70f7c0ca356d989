import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

type User = Awaited<ReturnType<TestApp['factories']['user']>>;

const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

/** AtlasAI's ITSM over the real server: change requests, their approval, and the change windows that gate applies. */
describe('ITSM change and service requests', () => {
  let app: TestApp;
  let repo: BareRepo;
  let requester: User;
  let approver: User;
  let otherAdmin: User;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'itsm' });
    await repo.commitFiles({ 'guarded/main.tf': tfData(1), 'auto/main.tf': tfData(1), 'free/main.tf': tfData(1) }, 'three projects');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    [requester, approver, otherAdmin] = await Promise.all([app.factories.user(), app.factories.user({ role: 'admin' }), app.factories.user({ role: 'admin' })]);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const change = (body: Record<string, unknown>, token = requester.token) =>
    app.req('POST', '/api/itsm/changes', { token, body: { title: 'Deploy v2.4.1', requested_start: hours(-1), requested_end: hours(2), ...body } });

  it('files a change with a gap-free reference per tenant, finds it by id or reference, and lists by status', async () => {
    const created = await change({ type: 'normal', risk_level: 'medium', implementation_plan: 'apply', rollback_plan: 'revert', requested_by: 'ops@example.com' });
    expect(created.status, created.text).toBe(201);
    const c = created.body.data;
    expect(c).toMatchObject({ reference: expect.stringMatching(/^CHG-\d{8}$/), status: 'pending_approval', type: 'normal', risk_level: 'medium', requested_by: expect.stringContaining(requester.email) });
    const second = (await change({})).body.data;
    expect(Number(second.reference.slice(4))).toBe(Number(c.reference.slice(4)) + 1);

    const other = await app.factories.tenant();
    const theirs = await change({}, other.adminToken);
    expect(theirs.body.data.reference).toBe('CHG-00000001');
    expect((await app.req('GET', `/api/itsm/changes/${c.id}`, { token: other.adminToken })).status).toBe(404);

    expect((await app.req('GET', `/api/itsm/changes/${c.reference}`, { token: requester.token })).body.data.id).toBe(c.id);
    expect((await app.req('GET', `/api/itsm/changes/${c.id}`, { token: requester.token })).body.data.reference).toBe(c.reference);
    const pending = (await app.req('GET', '/api/itsm/changes?status=pending_approval&limit=1', { token: requester.token })).body.data;
    expect(pending).toMatchObject({ limit: 1, offset: 0, total: expect.any(Number) });
    expect(pending.total).toBeGreaterThanOrEqual(2);
    expect(pending.items).toHaveLength(1);
    expect((await app.req('GET', '/api/itsm/changes?status=approved', { token: requester.token })).body.data.items.map((i: any) => i.id)).not.toContain(c.id);
  });

  it('refuses a bad change saying what to fix', async () => {
    const backwards = await change({ requested_start: hours(2), requested_end: hours(1) });
    expect(backwards.status).toBe(422);
    expect(backwards.body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('requested_end must be after requested_start') });
    const badType = await change({ type: 'yolo', requested_start: 'tomorrow' });
    expect(badType.status).toBe(422);
    expect(badType.body.error).toMatch(/type must be one of normal, standard, emergency/);
    expect(badType.body.error).toMatch(/requested_start must be an ISO 8601/);
    const unknownProject = await change({ project_ids: ['00000000-0000-4000-8000-000000000000'] });
    expect(unknownProject.status).toBe(422);
    expect(unknownProject.body.error).toContain('no project 00000000-0000-4000-8000-000000000000');
  });

  it('is approved by another person with the approver role, once; a standard change is pre-approved', async () => {
    const c = (await change({})).body.data;
    const byMember = await app.req('POST', `/api/itsm/changes/${c.id}/approve`, { token: requester.token });
    expect(byMember.status).toBe(403);
    expect(byMember.body.code).toBe('FORBIDDEN');

    const own = (await change({}, approver.token)).body.data;
    const self = await app.req('POST', `/api/itsm/changes/${own.id}/approve`, { token: approver.token });
    expect(self.status).toBe(403);
    expect(self.body.error).toContain('requested by you');

    const approved = await app.req('POST', `/api/itsm/changes/${c.reference}/approve`, { token: approver.token, body: { note: 'go' } });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.data).toMatchObject({ status: 'approved', decided_by: expect.stringContaining(approver.email), decision_note: 'go' });
    const twice = await app.req('POST', `/api/itsm/changes/${c.id}/reject`, { token: otherAdmin.token });
    expect(twice.status).toBe(400);
    expect(twice.body).toMatchObject({ code: 'INVALID_TRANSITION', error: expect.stringContaining('allowed next: completed, failed, cancelled') });
    const done = await app.req('PATCH', `/api/itsm/changes/${c.id}`, { token: requester.token, body: { status: 'completed' } });
    expect(done.body.data.status).toBe('completed');
    const final = await app.req('PATCH', `/api/itsm/changes/${c.id}`, { token: requester.token, body: { status: 'cancelled' } });
    expect(final.status).toBe(400);
    expect(final.body.error).toContain('it is final');

    const standard = (await change({ type: 'standard', requested_start: hours(24), requested_end: hours(25) })).body.data;
    expect(standard).toMatchObject({ status: 'approved', decided_by: 'standard change (pre-approved)' });
  });

  it('gates the applies of a requires_change project: outside an approved window the plan waits, inside it applies', async () => {
    const project = await app.req('POST', '/api/v1/projects', {
      token: requester.token, body: { name: 'guarded', repository_url: 'acme/itsm', terraform_path: 'guarded', requires_change: true },
    });
    expect(project.status, project.text).toBe(201);
    expect(project.body.requires_change).toBe(true);
    await app.req('POST', '/api/v1/projects', { token: requester.token, body: { name: 'free', repository_url: 'acme/itsm', terraform_path: 'free' } });

    const plan = async (name: string) => {
      const res = await app.req('POST', '/api/v1/runs', { token: requester.token, body: { project: name, keep_plan: true } });
      expect(res.status, res.text).toBe(201);
      return waitForRun(app, res.body.id);
    };
    const run = await plan('guarded');
    expect(run.status).toBe('planned');

    // A change for another project, and a rejected one, do not open the window.
    const elsewhere = (await change({ project_ids: [(await app.req('GET', '/api/v1/projects', { token: requester.token })).body.find((p: any) => p.name === 'free').id] })).body.data;
    await app.req('POST', `/api/itsm/changes/${elsewhere.id}/approve`, { token: approver.token });
    const later = (await change({ project_ids: [project.body.id], requested_start: hours(5), requested_end: hours(6) })).body.data;
    await app.req('POST', `/api/itsm/changes/${later.id}/approve`, { token: approver.token });

    const outside = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: requester.token });
    expect(outside.status).toBe(409);
    expect(outside.body.code).toBe('run.change_window_required');
    expect(outside.body.detail).toContain('project guarded requires an approved change request whose window covers now');
    expect(outside.body.detail).toContain(`the next approved window for it is ${later.reference}`);
    expect((await app.req('GET', `/api/v1/runs/${run.id}`, { token: requester.token })).body.status).toBe('planned');

    // A project that does not require a change applies as before.
    const free = await plan('free');
    expect((await app.req('POST', `/api/v1/runs/${free.id}/apply`, { token: requester.token })).status).toBe(200);
    expect((await waitForRun(app, free.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');

    const now = (await change({ project_ids: [project.body.id], type: 'emergency', risk_level: 'high' })).body.data;
    expect((await app.req('POST', `/api/itsm/changes/${now.id}/approve`, { token: approver.token })).status).toBe(200);
    const inside = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: requester.token });
    expect(inside.status, inside.text).toBe(200);
    const done = await waitForRun(app, run.id, (s) => ['applied', 'errored'].includes(s));
    expect(done.status, done.log).toBe('applied');
    const audit = await app.req('GET', '/api/v1/audit?action=run.apply_waits_for_change', { token: approver.token });
    expect(audit.status).toBe(200);
    expect(audit.body).toEqual([expect.objectContaining({ action: 'run.apply_waits_for_change', target: { type: 'run', id: run.id } })]);
  });

  it('leaves an auto-apply of a requires_change project planned, saying why, outside a window', async () => {
    const project = await app.req('POST', '/api/v1/projects', {
      token: requester.token, body: { name: 'auto', repository_url: 'acme/itsm', terraform_path: 'auto', requires_change: true, auto_apply: true },
    });
    expect(project.status, project.text).toBe(201);
    const res = await app.req('POST', '/api/v1/runs', { token: requester.token, body: { project: 'auto', command: 'apply' } });
    expect(res.status, res.text).toBe(201);
    const run = await waitForRun(app, res.body.id);
    expect(run.status, JSON.stringify({ ...run, log: undefined })).toBe('planned');
    expect(run.status_reason).toContain('project auto requires an approved change request');
    expect(run.log).toContain('Not applying automatically');
  });

  it('takes service requests from the catalog and lists the pending ones', async () => {
    const catalog = (await app.req('GET', '/api/itsm/catalog', { token: requester.token })).body.data.items;
    expect(catalog.map((i: any) => i.id)).toContain('new-project');
    const created = await app.req('POST', '/api/itsm/requests', { token: requester.token, body: { catalog_item_id: 'new-project', details: { repository_url: 'acme/x' } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ reference: expect.stringMatching(/^REQ-\d{8}$/), status: 'pending_approval', catalog_item_id: 'new-project' });
    const pending = (await app.req('GET', '/api/itsm/requests?status=pending_approval', { token: requester.token })).body.data;
    expect(pending.items.map((i: any) => i.id)).toContain(created.body.data.id);
    const approved = await app.req('POST', `/api/itsm/requests/${created.body.data.reference}/approve`, { token: approver.token });
    expect(approved.body.data.status).toBe('approved');
    const fulfilled = await app.req('PATCH', `/api/itsm/requests/${created.body.data.id}`, { token: approver.token, body: { status: 'fulfilled', note: 'registered' } });
    expect(fulfilled.body.data).toMatchObject({ status: 'fulfilled', decision_note: 'registered' });
    const unknown = await app.req('POST', '/api/itsm/requests', { token: requester.token, body: { catalog_item_id: 'pony' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toContain('no catalog item "pony"; one of new-project');
    expect((await app.req('GET', '/api/itsm/requests')).status).toBe(401);
  });
});
