import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { RecordingChannel } from '../core/notifications/recording-channel.js';

/**
 * Runbooks on the AtlasAI surface: drafted, published, executed through core as the caller. A
 * dry run changes nothing (no run, no lock, no audited action, nobody told); a real run plans and
 * stops at the apply, which waits for a person's approval; each execution is on the incident's timeline.
 */
describe('runbooks', () => {
  let app: TestApp;
  let repo: BareRepo;
  let incidentId: string;
  let runbookId: string;
  let executionId: string;
  let applyRunId: string;
  const channel = new RecordingChannel();
  const steps = [
    { action: 'notify', message: 'restoring web' },
    { action: 'plan', project: 'web' },
    { action: 'apply', project: 'web', note: 'a person approves the plan' },
    { action: 'notify', message: 'web restored' },
  ];

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'books' });
    await repo.commitFiles({ 'web/main.tf': tfData(1) }, 'web');
    app = await startTestApp({ env: { ATLANTAS_SLACK_CHANNEL: '#ops' }, childEnv: insteadOfEnv(repo.root) });
    app.internals.notifications.register(channel);
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'web', repository_url: 'https://github.com/acme/books', terraform_path: 'web' } });
    expect(project.status, project.text).toBe(201);
    const incident = await app.req('POST', '/api/incidents', { token: app.admin.token, body: { title: 'web is down', severity: 'P2', ci_ids: ['web'] } });
    expect(incident.status, incident.text).toBe(201);
    incidentId = incident.body.data.id;
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const req = (method: string, path: string, body?: unknown, token = app.admin.token) => app.req(method, path, { token, body });
  /** what a dry run must not leave behind */
  const footprint = async () => ({
    runs: (await app.sql('SELECT id FROM runs')).length,
    locks: (await app.sql('SELECT id FROM project_locks')).length,
    actions: (await app.sql("SELECT action FROM audit_log WHERE action NOT LIKE 'incident.%' AND action NOT LIKE 'runbook.%'")).map((a) => a.action),
    told: (await app.sql("SELECT id FROM notification_outbox WHERE kind = 'runbook.notify'")).length,
  });

  it('creates a draft, lists and filters runbooks', async () => {
    const created = await req('POST', '/api/runbooks', { name: 'Restore web', description: 'plan and apply web', steps });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'Restore web', status: 'draft', version: 1, steps, generated_by: 'manual', created_by: app.admin.email });
    runbookId = created.body.data.id;
    const list = await req('GET', '/api/runbooks?status=draft&limit=10');
    expect(list.body.data).toMatchObject({ total: 1, limit: 10, offset: 0, items: [{ id: runbookId }] });
    expect((await req('GET', '/api/runbooks?status=published')).body.data).toMatchObject({ total: 0, items: [] });
    expect((await req('GET', `/api/runbooks/${runbookId}`)).body.data.id).toBe(runbookId);
  });

  it('refuses a real execution of a draft, and dry-runs it without changing anything', async () => {
    const refused = await req('POST', `/api/runbooks/${runbookId}/execute`, { incident_id: incidentId, dry_run: false });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CONFLICT', error: expect.stringMatching(/publish it before executing/) });

    const before = await footprint();
    const dry = await req('POST', `/api/runbooks/${runbookId}/execute`, { incident_id: incidentId, dry_run: true });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.data).toMatchObject({ dry_run: true, status: 'dry_run', incident_id: incidentId });
    expect(dry.body.data.steps.map((s: any) => [s.action, s.status])).toEqual([['notify', 'would_run'], ['plan', 'would_run'], ['apply', 'would_run'], ['notify', 'would_run']]);
    expect(dry.body.data.steps[2].message).toMatch(/would plan project web \(acme\/books\/web, default\) and wait, planned, for a person to approve/);
    expect(dry.body.data.steps.every((s: any) => s.run_id === null)).toBe(true);
    expect(await footprint()).toEqual(before);
    const timeline = (await req('GET', `/api/incidents/${incidentId}`)).body.data.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'runbook', message: expect.stringMatching(/^dry run of runbook Restore web \(v1\): dry_run/), link: { kind: 'runbook', id: runbookId } });
  });

  it('publishes, then executes: plans, queues the apply, stops there until a person approves it', async () => {
    const published = await req('POST', `/api/runbooks/${runbookId}/publish`);
    expect(published.body.data).toMatchObject({ status: 'published', version: 2, published_by: app.admin.email, published_at: expect.any(String) });
    expect((await req('POST', `/api/runbooks/${runbookId}/publish`)).body.code).toBe('CONFLICT');

    const run = await req('POST', `/api/runbooks/${runbookId}/execute`, { incident_id: incidentId, dry_run: false });
    expect(run.status, run.text).toBe(201);
    const execution = run.body.data;
    expect(execution).toMatchObject({ dry_run: false, status: 'waiting_approval', runbook_version: 2, actor: { name: app.admin.email, via: 'api' }, finished_at: null });
    expect(execution.steps.map((s: any) => [s.action, s.status])).toEqual([['notify', 'done'], ['plan', 'done'], ['apply', 'waiting_approval'], ['notify', 'skipped']]);
    const [, plan, apply] = execution.steps;
    expect((await waitForRun(app, plan.run_id)).command ?? 'plan').toBe('plan');
    const planned = await waitForRun(app, apply.run_id);
    expect(planned).toMatchObject({ status: 'planned' }); // waiting for a person
    expect((await app.sql("SELECT id FROM runs WHERE status = 'applied'"))).toEqual([]);
    await app.internals.notifications.drain();
    await expect.poll(() => channel.delivered((e) => e.kind === 'runbook.notify').length).toBe(1); // only the first notify ran
    expect(channel.delivered((e) => e.kind === 'runbook.notify')[0]).toMatchObject({ event: { executionId: execution.id, incidentId, step: 0 }, target: { destination: '#ops' } });

    const early = await req('POST', `/api/runbooks/${runbookId}/executions/${execution.id}/resume`);
    expect(early.status, early.text).toBe(409); // the apply still waits for a person: nothing goes on
    expect(early.body.error).toMatch(/still waits at step 3: apply run .* is planned/);
    executionId = execution.id;
    applyRunId = apply.run_id;

    expect((await req('POST', `/api/v1/runs/${apply.run_id}/approve`)).status).toBe(200);
    expect((await waitForRun(app, apply.run_id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');

    const timeline = (await req('GET', `/api/incidents/${incidentId}`)).body.data.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'runbook', message: expect.stringMatching(/^executed runbook Restore web \(v2\): waiting_approval at step 3/) });
    expect(timeline.at(-1).details).toMatchObject({ execution_id: execution.id, dry_run: false });
    const executions = (await req('GET', `/api/runbooks/${runbookId}/executions`)).body.data.items;
    expect(executions.map((e: any) => e.status)).toEqual(['waiting_approval', 'dry_run']);
    const audit = await app.sql("SELECT action FROM audit_log WHERE action LIKE 'runbook.%' ORDER BY id");
    expect(audit.map((a) => a.action)).toEqual(['runbook.create', 'runbook.publish', 'runbook.execute']);
  });

  it('resumes the execution once the person approved the apply: the later steps run, once', async () => {
    const resumed = await req('POST', `/api/runbooks/${runbookId}/executions/${executionId}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.data).toMatchObject({ id: executionId, status: 'completed', finished_at: expect.any(String) });
    expect(resumed.body.data.steps.map((s: any) => [s.action, s.status])).toEqual([['notify', 'done'], ['plan', 'done'], ['apply', 'done'], ['notify', 'done']]);
    expect(resumed.body.data.steps[2]).toMatchObject({ run_id: applyRunId, message: `apply run ${applyRunId} applied` });
    await app.internals.notifications.drain();
    await expect.poll(() => channel.delivered((e) => e.kind === 'runbook.notify').length).toBe(2);
    expect(channel.delivered((e) => e.kind === 'runbook.notify')[1]).toMatchObject({ event: { executionId, step: 3, message: 'web restored' } });

    const again = await req('POST', `/api/runbooks/${runbookId}/executions/${executionId}/resume`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/is completed; only one waiting for a person can be resumed/);
    const timeline = (await req('GET', `/api/incidents/${incidentId}`)).body.data.timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'runbook', message: expect.stringMatching(/^resumed runbook Restore web \(v2\) at step 3 \(apply run .* applied\): completed$/) });
    expect((await app.sql("SELECT action FROM audit_log WHERE action = 'runbook.resume'")).length).toBe(1);
    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await req('POST', `/api/runbooks/${runbookId}/executions/${executionId}/resume`, undefined, viewer.token)).body.code).toBe('FORBIDDEN');
    const other = await app.factories.tenant();
    expect((await req('POST', `/api/runbooks/${runbookId}/executions/${executionId}/resume`, undefined, other.adminToken)).status).toBe(404);
  });

  it('a wait step is continued by the person who resumes it; a failed apply fails the execution there', async () => {
    const created = await req('POST', '/api/runbooks', { name: 'Wait then tell', steps: [{ action: 'wait_for_approval', message: 'check the dashboard' }, { action: 'notify', message: 'checked' }] });
    const id = created.body.data.id;
    await req('POST', `/api/runbooks/${id}/publish`);
    const run = await req('POST', `/api/runbooks/${id}/execute`, { dry_run: false });
    expect(run.body.data.status).toBe('waiting_approval');
    const resumed = await req('POST', `/api/runbooks/${id}/executions/${run.body.data.id}/resume`);
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body.data.steps.map((s: any) => [s.action, s.status, s.message])).toEqual([
      ['wait_for_approval', 'done', `continued by ${app.admin.email}`], ['notify', 'done', 'notified: checked'],
    ]);

    await repo.commitFiles({ 'web/main.tf': tfData(2) }, 'web grows: the next apply has changes');
    const applyBook = await req('POST', '/api/runbooks', { name: 'Apply then tell', steps: [{ action: 'apply', project: 'web' }, { action: 'notify', message: 'applied' }] });
    await req('POST', `/api/runbooks/${applyBook.body.data.id}/publish`);
    const started = await req('POST', `/api/runbooks/${applyBook.body.data.id}/execute`, { dry_run: false });
    const runId = started.body.data.steps[0].run_id;
    expect((await waitForRun(app, runId)).status).toBe('planned');
    expect((await req('POST', `/api/v1/runs/${runId}/discard`)).status).toBeLessThan(300);
    const failed = await req('POST', `/api/runbooks/${applyBook.body.data.id}/executions/${started.body.data.id}/resume`);
    expect(failed.body.data).toMatchObject({ status: 'failed', finished_at: expect.any(String) });
    expect(failed.body.data.steps.map((s: any) => [s.action, s.status])).toEqual([['apply', 'failed'], ['notify', 'skipped']]);
    expect(failed.body.data.steps[0].message).toBe(`apply run ${runId} ended discarded, not applied`);
  });

  it('makes a changed published runbook a draft again', async () => {
    const changed = await req('PATCH', `/api/runbooks/${runbookId}`, { description: 'plan, apply, tell' });
    expect(changed.body.data).toMatchObject({ status: 'draft', version: 3, description: 'plan, apply, tell', published_at: null });
  });

  it('answers validation errors, refusals and other tenants in the AtlasAI envelope', async () => {
    const bad = await req('POST', '/api/runbooks', { name: 'x', steps: [{ action: 'delete_everything' }] });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ error: expect.stringContaining('action must be one of plan, apply, unlock, trigger_agent, notify, wait_for_approval'), code: 'VALIDATION_ERROR', trace_id: expect.any(String) });
    expect((await req('POST', '/api/runbooks', { name: 'x', steps: [] })).body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('at least one step') });
    expect((await req('POST', '/api/runbooks', { name: 'x', steps: [{ action: 'plan' }] })).body.error).toContain('steps.0.project');
    expect((await req('POST', `/api/runbooks/${runbookId}/execute`, { dry_run: 'yes' })).body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('dry_run') });
    expect((await req('GET', '/api/runbooks?status=live')).status).toBe(422);
    expect((await req('PATCH', `/api/runbooks/${runbookId}`, {})).status).toBe(422);

    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await req('POST', '/api/runbooks', { name: 'v', steps }, viewer.token)).body.code).toBe('FORBIDDEN');
    expect((await req('GET', '/api/runbooks', undefined, viewer.token)).status).toBe(200);
    const other = await app.factories.tenant();
    expect((await req('GET', `/api/runbooks/${runbookId}`, undefined, other.adminToken)).body.code).toBe('NOT_FOUND');
    expect((await req('POST', `/api/runbooks/${runbookId}/execute`, { dry_run: true }, other.adminToken)).status).toBe(404);
    expect((await req('GET', '/api/runbooks/not-a-uuid')).status).toBe(404);
    expect((await app.req('GET', '/api/runbooks')).body.code).toBe('UNAUTHORIZED');
  });

  it('drafts a runbook from an incident or a description (POST /api/ai/control/generate-runbook)', async () => {
    const fromIncident = await req('POST', '/api/ai/control/generate-runbook', { incident_id: incidentId });
    expect(fromIncident.status, fromIncident.text).toBe(201);
    expect(fromIncident.body.data).toMatchObject({ source: 'deterministic', runbook: { status: 'draft', generated_by: 'deterministic', incident_id: incidentId } });
    expect(fromIncident.body.data.runbook.steps.map((s: any) => s.action)).toEqual(['notify', 'plan', 'apply', 'notify']);
    expect(fromIncident.body.data.runbook.steps[1]).toEqual({ action: 'plan', project: 'web' });

    const fromText = await req('POST', '/api/ai/control/generate-runbook', { description: 'web is locked and drifted', rca_summary: 'someone changed it by hand' });
    expect(fromText.status).toBe(201);
    expect(fromText.body.data.runbook.steps.map((s: any) => s.action)).toEqual(['notify', 'unlock', 'plan', 'apply', 'notify']);
    const neither = await req('POST', '/api/ai/control/generate-runbook', {});
    expect(neither.body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('give incident_id') });
  });
});
