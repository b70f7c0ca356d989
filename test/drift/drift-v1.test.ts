import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DriftCheckStarted, DriftRecordResource, DriftResolved } from '../../src/api/openapi/drift-resources.js';
import { systemActors } from '../../src/core/auth/system-actors.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { RecordingChannel } from '../core/notifications/recording-channel.js';

/**
 * Atlantas v1 drift: an environment's drift-check (queued, answered at once) and drift-resolve,
 * GET /api/v1/drift, and the core method the scheduler's drift monitor calls with its system actor.
 */
describe('v1 drift: environments, records, the scheduler\'s entry point', () => {
  let app: TestApp;
  let repo: BareRepo;
  const channel = new RecordingChannel();
  /** what people were told so far, once the outbox delivered what is due */
  const told = async () => {
    await app.internals.notifications.drain();
    const rows = await app.sql("SELECT kind FROM notification_outbox WHERE kind LIKE 'drift.%'");
    const delivered = () => channel.delivered((e) => e.kind.startsWith('drift.'));
    // the dispatcher's own loop may be delivering a row while drain() returns: wait for it to land
    await expect.poll(() => delivered().length, { timeout: 10_000 }).toBe(rows.length);
    return delivered().map((d) => d.event);
  };
  let environmentId: string;
  let projectId: string;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'platform' });
    await repo.commitFiles({ 'vpc/main.tf': tfData(1), 'dns/main.tf': tfData(1) }, 'two dirs, no atlantis.yaml');
    app = await startTestApp({ env: { ATLANTAS_SLACK_CHANNEL: '#infra' }, childEnv: insteadOfEnv(repo.root) });
    app.internals.notifications.register(channel);
    const env = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'production', cloud_provider: 'aws' } });
    expect(env.status).toBe(201);
    environmentId = env.body.id;
    const project = await app.req('POST', '/api/v1/projects', {
      token: app.admin.token, body: { name: 'vpc', repository_url: 'https://github.com/acme/platform', terraform_path: 'vpc', environment_id: environmentId },
    });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const records = (query = '') => app.req('GET', `/api/v1/drift${query}`, { token: app.admin.token });

  it('queues an environment\'s drift check, answers 202 at once, and records unapplied code as drift on the environment', async () => {
    const res = await app.req('POST', `/api/v1/environments/${environmentId}/drift-check`, { token: app.admin.token });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ detail: 'Drift check initiated', environment_id: environmentId });
    DriftCheckStarted.parse(res.body);
    expect(res.body.records).toEqual([expect.objectContaining({ project_id: projectId, directory: 'vpc', status: 'checking' })]);

    // Nothing was applied: the code's one resource is pending, which is drift from what runs.
    await expect.poll(async () => (await records(`?project=vpc`)).body[0]?.status, { timeout: 90_000, interval: 250 }).toBe('checked');
    const [record] = (await records('?project=vpc')).body;
    z.array(DriftRecordResource).parse([record]);
    expect(record).toMatchObject({
      project_id: projectId, project_name: 'vpc', environment_id: environmentId, repository: 'acme/platform', has_drift: true, to_add: 1, total_changes: 1,
      summary: 'Plan: 1 to add, 0 to change, 0 to destroy.', pending_code_changes: [{ address: 'terraform_data.r0', action: 'create', attributes: [] }],
      changes_outside: [], last_checked_at: expect.any(String),
    });
    const env = await app.req('GET', `/api/v1/environments/${environmentId}`, { token: app.admin.token });
    expect(env.body).toMatchObject({ drift_status: 'drifted', last_drift_check_at: expect.any(String) });
    expect((await told()).filter((e) => e.kind === 'drift.detected')).toEqual([expect.objectContaining({ projectId, workspace: 'default', driftId: record.id })]);
    expect((await records('?has_drift=false')).body).toEqual([]);
  });

  it('marks the environment\'s drift resolved, audited, and tells the thread once; the same drift then stays quiet', async () => {
    const res = await app.req('POST', `/api/v1/environments/${environmentId}/drift-resolve`, { token: app.admin.token });
    expect(res.status).toBe(200);
    DriftResolved.parse(res.body);
    expect(res.body.records).toEqual([expect.objectContaining({ project_id: projectId, resolved_by: app.admin.email, resolved_at: expect.any(String) })]);
    expect((await app.req('GET', `/api/v1/environments/${environmentId}`, { token: app.admin.token })).body.drift_status).toBe('resolved');
    expect((await told()).map((e) => e.kind)).toEqual(['drift.detected', 'drift.resolved']);
    const audit = await app.sql("SELECT action FROM audit_log WHERE action LIKE 'drift.%' ORDER BY created_at");
    expect(audit.map((a) => a.action)).toEqual(['drift.check', 'drift.resolve']);

    // The scheduler's drift monitor checks the same project with its system actor: same drift, nothing told, still resolved.
    const tenantId = await app.factories.defaultTenantId();
    const result = await app.core.drift.check(systemActors.agent('drift-monitor', tenantId), { kind: 'project', project: projectId });
    expect(result.records).toEqual([expect.objectContaining({ projectId, status: 'checked', hasDrift: true, resolvedBy: app.admin.email })]);
    expect((await told()).map((e) => e.kind)).toEqual(['drift.detected', 'drift.resolved']);
    const runs = await app.sql("SELECT actor_name, via FROM runs WHERE source = 'drift' ORDER BY created_at DESC LIMIT 2");
    expect(runs).toEqual([{ actor_name: 'drift-monitor', via: 'scheduler' }, { actor_name: 'drift-monitor', via: 'scheduler' }]);
    const one = await app.req('GET', `/api/v1/drift/${result.records[0].id}`, { token: app.admin.token });
    expect(one.body.history).toHaveLength(2);
  });

  it('keeps drift inside its tenant and lets only those who may plan start a check', async () => {
    const [record] = (await records()).body;
    const other = await app.factories.tenant();
    expect((await app.req('GET', '/api/v1/drift', { token: other.adminToken })).body).toEqual([]);
    expect((await app.req('GET', `/api/v1/drift/${record.id}`, { token: other.adminToken })).status).toBe(404);
    expect((await app.req('POST', `/api/v1/environments/${environmentId}/drift-check`, { token: other.adminToken })).status).toBe(404);
    expect((await app.req('POST', `/api/v1/environments/${environmentId}/drift-resolve`, { token: other.adminToken })).status).toBe(404);
    const viewer = await app.factories.user({ role: 'viewer' });
    const refused = await app.req('POST', `/api/v1/environments/${environmentId}/drift-check`, { token: viewer.token });
    expect(refused.status).toBe(403);
    expect((await app.req('GET', '/api/v1/drift', { token: viewer.token })).body).toHaveLength(1); // a viewer reads
    expect((await app.req('GET', '/api/v1/drift?has_drift=maybe', { token: app.admin.token })).status).toBe(400);
  });

  it('names a drifted sensitive attribute and marks it, and stores no value of it', async () => {
    await repo.commitFiles({ 'secret/main.tf': 'resource "terraform_data" "db" {\n  input = sensitive("hunter2-password")\n}\n' }, 'a sensitive input');
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/platform', branch: 'main', dir: 'secret' } });
    await waitForRun(app, run.body.id);
    expect((await app.req('POST', `/api/v1/runs/${run.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applied = await waitForRun(app, run.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status).toBe('applied');

    // The password is changed in the state behind terraform's back.
    const address = `/api/v1/tfstate/${encodeURIComponent(applied.state_name)}/default`;
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    state.resources[0].instances[0].attributes.input = { value: 'other-password-9', type: 'string' };
    state.resources[0].instances[0].attributes.output = { value: 'other-password-9', type: 'string' };
    await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });

    const admin = await app.factories.user({ role: 'member' });
    const { records: [checked] } = await app.core.drift.check(admin.actor, { kind: 'repository', repository: 'acme/platform', ref: 'main', paths: [{ dir: 'secret' }] });
    expect(checked).toMatchObject({ status: 'checked', hasDrift: true, counts: { toChange: 1 } });
    const [json] = (await records('?project=secret')).body;
    expect(json.pending_code_changes).toEqual([{ address: 'terraform_data.db', action: 'update', attributes: ['input', 'output'], sensitive_attributes: ['input'] }]);
    expect(JSON.stringify(json)).not.toMatch(/hunter2|other-password/);
    const stored = JSON.stringify(await app.sql('SELECT * FROM drift_records')) + JSON.stringify(await app.sql('SELECT * FROM drift_history'));
    expect(stored).not.toMatch(/hunter2|other-password/);
    expect(stored).not.toContain('terraform_data.db'); // the resources are sealed in the database, readable only through the API
  });

  it('reads a check whose server stopped mid-way as errored, not as checking forever', async () => {
    const [record] = (await records('?project=vpc')).body;
    // What a replica that died between queuing and recording leaves behind: `checking`, untouched for a day.
    await app.internals.db.sequelize.query("UPDATE drift_records SET status = 'checking', updated_at = now() - interval '1 day' WHERE id = :id", { replacements: { id: record.id } });
    const [stuck] = (await records('?project=vpc')).body;
    expect(stuck).toMatchObject({ status: 'errored', reason: expect.stringMatching(/interrupted before its runs finished.*check again/), has_drift: true });
    const tenantId = await app.factories.defaultTenantId();
    await app.core.drift.check(systemActors.agent('drift-monitor', tenantId), { kind: 'project', project: projectId });
    expect((await records('?project=vpc')).body[0]).toMatchObject({ status: 'checked', reason: null });
  });

  it('lets an agent remediate one record: its plan runs, its apply waits for a person and never applies alone', async () => {
    const [record] = (await records('?project=vpc')).body;
    const agent = systemActors.agent('drift-monitor', await app.factories.defaultTenantId());
    const plan = await app.core.driftRemediations.remediateRecord(agent, record.id, 'plan');
    expect(plan).toMatchObject({ status: 'success', projects: [{ dir: 'vpc', status: 'success', driftBefore: { toAdd: 1 }, driftAfter: { toAdd: 1 } }] });
    const apply = await app.core.driftRemediations.remediateRecord(agent, record.id, 'apply');
    expect(apply).toMatchObject({ status: 'pending', projects: [{ status: 'pending', awaitingApproval: true }] });
    const run = apply.projects[0].run!;
    expect(run).toMatchObject({ status: 'planned', autoApply: false, actorName: 'drift-monitor' });
    await expect(app.core.runs.approve(agent, run.id)).rejects.toThrow(/automated agent: an apply needs a human's approval/);
    expect((await app.core.driftRemediations.get(agent, apply.id)).status).toBe('pending');
    await app.core.runs.cancel(agent, run.id);
    expect((await app.core.driftRemediations.get(agent, apply.id)).status).toBe('failed');
  });

  it('checks all of a tenant\'s projects; a repository that cannot be read is reported and does not stop the others', async () => {
    const ghost = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'ghost', repository_url: 'https://github.com/acme/ghost', terraform_path: '.' } });
    expect(ghost.status).toBe(201);
    const agent = systemActors.agent('drift-monitor', await app.factories.defaultTenantId());
    const result = await app.core.drift.check(agent, { kind: 'all' });
    expect(result.errors).toEqual([{ repository: 'acme/ghost', message: expect.any(String) }]);
    expect(result.records).toEqual([expect.objectContaining({ projectId, status: 'checked', hasDrift: true })]);
    await app.req('DELETE', `/api/v1/projects/${ghost.body.id}`, { token: app.admin.token });
  });

  it('refuses a check of an environment without projects, saying what to do', async () => {
    const empty = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'staging', cloud_provider: 'aws' } });
    const res = await app.req('POST', `/api/v1/environments/${empty.body.id}/drift-check`, { token: app.admin.token });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/has no project with a repository_url to check; register one/);
  });
});
