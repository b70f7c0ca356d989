import { createHmac, randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startSmtpReceiver, startWebhookReceiver, type ReceivedRequest } from '../harness/notification-receivers.js';
import { waitForRun } from '../harness/runs.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';
import { tfData } from '../harness/tf-files.js';
import { JSONAPI, uniqueName } from './tfe-harness.js';

const unique = uniqueName;
const DRIFT_SECRET = 'tfe-notifications-drift';
const failingApply = `resource "terraform_data" "boom" {
  input = "v1"
  provisioner "local-exec" {
    command = "echo no such luck >&2; exit 3"
  }
}
`;
const RUN_TRIGGERS = ['run:created', 'run:planning', 'run:needs_attention', 'run:planned', 'run:applying', 'run:completed', 'run:errored'];

type App = TestApp;
const api = (app: App, method: string, path: string, token: string, body?: unknown) =>
  app.req(method, `/api/v2${path}`, { token, body, headers: body ? JSONAPI : undefined });
const configDoc = (attributes: Record<string, unknown>) => ({ data: { type: 'notification-configurations', attributes } });

/** A registered project on a real git repo, and the TFE workspace of the same name (mapped onto its state). */
async function projectWithWorkspace(app: App, token: string, repoName: string, dir: string) {
  const name = unique(dir);
  const project = await app.req('POST', '/api/v1/projects', { token, body: { name, repository_url: `acme/${repoName}`, terraform_path: dir } });
  expect(project.status, project.text).toBe(201);
  const ws = await api(app, 'POST', '/organizations/default/workspaces', token, { data: { type: 'workspaces', attributes: { name } } });
  expect(ws.status, ws.text).toBe(201);
  expect(ws.body.data.relationships.project.data.id).toBe(project.body.id);
  return { name, workspaceId: ws.body.data.id as string };
}

/** Plans (keeping the plan), applies, waits for `applied`: every run trigger but run:errored. */
async function planAndApply(app: App, token: string, project: string): Promise<string> {
  const res = await app.req('POST', '/api/v1/runs', { token, body: { project, keep_plan: true } });
  expect(res.status, res.text).toBe(201);
  expect((await waitForRun(app, res.body.id)).status).toBe('planned');
  expect((await app.req('POST', `/api/v1/runs/${res.body.id}/apply`, { token })).status).toBe(200);
  expect((await waitForRun(app, res.body.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
  return res.body.id;
}

/** The outbox has nothing left to send for TFE notifications (every row delivered, failed or skipped). */
async function outboxSettled(app: App) {
  await vi.waitFor(async () => {
    const [row] = await app.sql<{ n: string }>("SELECT count(*) AS n FROM notification_outbox WHERE channel = 'tfe-notifications' AND status IN ('pending', 'delivering')");
    expect(Number(row!.n)).toBe(0);
  }, { timeout: 30_000, interval: 100 });
}

const payloads = (received: ReceivedRequest[], path: string) => received.filter((r) => r.path === path).map((r) => ({ ...r, json: JSON.parse(r.body) }));
const triggerOf = (p: { json: any }) => p.json.notifications[0].trigger as string;

describe('TFE notification configurations', () => {
  let app: App;
  let repo: BareRepo;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'notify' });
    await repo.commitFiles({ 'app/main.tf': tfData(1), 'other/main.tf': tfData(1), 'drift/main.tf': tfData(1), 'boom/main.tf': failingApply }, 'four projects');
    hooks = await startWebhookReceiver((path, n) => {
      if (path === '/flaky' && n === 1) return { status: 500, body: 'try again' };
      if (path === '/teapot') return { status: 418, body: 'I am a teapot, not a webhook' };
      if (path === '/hang') return 'hang';
      return { status: 200, body: `ok ${path}` };
    });
    smtp = await startSmtpReceiver();
    app = await startTestApp({
      childEnv: insteadOfEnv(repo.root),
      env: { ATLANTAS_SMTP_URL: smtp.url, ATLANTAS_SMTP_FROM: 'atlantas@example.com', ATLANTAS_URL: 'https://atlantas.example.com', ATLANTAS_API_SECRET: DRIFT_SECRET, ATLANTAS_NOTIFICATION_TIMEOUT: '2s' },
    });
  });
  afterAll(async () => {
    await app?.close();
    await hooks?.close();
    await smtp?.close();
    await repo?.cleanup();
  });

  it('creates, lists, shows, updates and deletes; never returns the token; refuses bad input by name; keeps tenants apart', async () => {
    const member = await app.factories.user({ role: 'member' });
    const viewer = await app.factories.user({ role: 'viewer' });
    const { workspaceId } = await projectWithWorkspace(app, member.token, 'notify', 'other');
    const token = `hmac-${randomBytes(8).toString('hex')}`;
    const created = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({
      name: 'deploy-alerts', 'destination-type': 'generic', url: `${hooks.url}/crud?key=secret-query`, token, enabled: true, triggers: ['run:completed', 'run:errored'],
    }));
    expect(created.status, created.text).toBe(201);
    const nc = created.body.data;
    expect(nc).toMatchObject({
      type: 'notification-configurations',
      attributes: { name: 'deploy-alerts', 'destination-type': 'generic', enabled: true, triggers: ['run:completed', 'run:errored'], 'has-token': true, token: null, url: `${hooks.url}/crud` },
      relationships: { subscribable: { data: { id: workspaceId, type: 'workspaces' } } },
    });
    expect(nc.id).toMatch(/^nc-/);
    expect(created.text).not.toContain(token);
    expect(created.text).not.toContain('secret-query');

    const listed = await api(app, 'GET', `/workspaces/${workspaceId}/notification-configurations`, viewer.token);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((c: any) => c.id)).toEqual([nc.id]);
    const shown = await api(app, 'GET', `/notification-configurations/${nc.id}`, viewer.token);
    expect(shown.body.data.attributes['has-token']).toBe(true);
    expect(shown.text).not.toContain(token);
    const [stored] = await app.sql<{ sealed: Buffer }>('SELECT sealed FROM tfe_notification_configurations WHERE id = :id', { id: nc.id });
    expect(stored!.sealed.includes(Buffer.from(token))).toBe(false);
    expect(stored!.sealed.includes(Buffer.from('secret-query'))).toBe(false);

    const patched = await api(app, 'PATCH', `/notification-configurations/${nc.id}`, member.token, configDoc({ enabled: false, triggers: ['run:created'], token: null }));
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.data.attributes).toMatchObject({ name: 'deploy-alerts', enabled: false, triggers: ['run:created'], 'has-token': false, url: `${hooks.url}/crud` });

    const badTrigger = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({
      name: 'x', 'destination-type': 'generic', url: `${hooks.url}/x`, triggers: ['run:completed', 'run:exploded'],
    }));
    expect(badTrigger.status).toBe(422);
    expect(badTrigger.body.errors[0]).toMatchObject({ status: '422', title: 'unprocessable entity' });
    expect(badTrigger.body.errors[0].detail).toContain('"run:exploded" is not a trigger');
    const badType = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({ name: 'x', 'destination-type': 'pager' }));
    expect(badType.status).toBe(422);
    expect(badType.body.errors[0].detail).toContain('"pager" is not a destination type');
    const noUrl = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({ name: 'x', 'destination-type': 'slack' }));
    expect(noUrl.status).toBe(422);
    expect(noUrl.body.errors[0].detail).toContain('needs a url');
    const noAddress = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({ name: 'x', 'destination-type': 'email' }));
    expect(noAddress.status).toBe(422);
    expect(noAddress.body.errors[0].detail).toContain('at least one address');
    const notUrl = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({ name: 'x', 'destination-type': 'generic', url: 'ftp://example.com/x' }));
    expect(notUrl.status).toBe(422);

    const byViewer = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, viewer.token, configDoc({ name: 'v', 'destination-type': 'generic', url: `${hooks.url}/v` }));
    expect(byViewer.status).toBe(403);
    expect((await api(app, 'PATCH', `/notification-configurations/${nc.id}`, viewer.token, configDoc({ enabled: true }))).status).toBe(403);
    expect((await api(app, 'POST', `/notification-configurations/${nc.id}/actions/verify`, viewer.token)).status).toBe(403);
    expect((await api(app, 'DELETE', `/notification-configurations/${nc.id}`, viewer.token)).status).toBe(403);

    const other = await app.factories.tenant();
    expect((await api(app, 'GET', `/notification-configurations/${nc.id}`, other.adminToken)).status).toBe(404);
    expect((await api(app, 'GET', `/workspaces/${workspaceId}/notification-configurations`, other.adminToken)).status).toBe(404);
    expect((await api(app, 'PATCH', `/notification-configurations/${nc.id}`, other.adminToken, configDoc({ enabled: true }))).status).toBe(404);
    expect((await api(app, 'POST', `/notification-configurations/${nc.id}/actions/verify`, other.adminToken)).status).toBe(404);
    expect((await api(app, 'DELETE', `/notification-configurations/${nc.id}`, other.adminToken)).status).toBe(404);
    expect((await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, other.adminToken, configDoc({ name: 'o', 'destination-type': 'generic', url: `${hooks.url}/o` }))).status).toBe(404);

    expect((await api(app, 'DELETE', `/notification-configurations/${nc.id}`, member.token)).status).toBe(204);
    expect((await api(app, 'GET', `/notification-configurations/${nc.id}`, member.token)).status).toBe(404);
    expect(hooks.received.filter((r) => r.path === '/crud')).toEqual([]);
  });

  it('delivers each trigger of a real plan and apply once, signed; retries a 500; tells Slack and email', async () => {
    const member = await app.factories.user({ role: 'member' });
    const { name, workspaceId } = await projectWithWorkspace(app, member.token, 'notify', 'app');
    const token = `hmac-${randomBytes(8).toString('hex')}`;
    const create = async (attributes: Record<string, unknown>) => {
      const res = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc({ enabled: true, ...attributes }));
      expect(res.status, res.text).toBe(201);
      return res.body.data.id as string;
    };
    const generic = await create({ name: 'all', 'destination-type': 'generic', url: `${hooks.url}/generic`, token, triggers: RUN_TRIGGERS });
    await create({ name: 'flaky', 'destination-type': 'generic', url: `${hooks.url}/flaky`, triggers: ['run:completed'] });
    await create({ name: 'chat', 'destination-type': 'slack', url: `${hooks.url}/slack`, triggers: ['run:completed'] });
    await create({ name: 'mail', 'destination-type': 'email', 'email-addresses': ['ops@example.com', 'lead@example.com'], triggers: ['run:completed'] });
    await create({ name: 'off', 'destination-type': 'generic', url: `${hooks.url}/disabled`, triggers: RUN_TRIGGERS, enabled: false });

    const runId = await planAndApply(app, member.token, name);
    await hooks.waitFor((all) => ['run:created', 'run:planning', 'run:planned', 'run:needs_attention', 'run:applying', 'run:completed']
      .every((t) => payloads(all, '/generic').some((p) => triggerOf(p) === t)), 'every trigger of the run');
    await hooks.waitFor((all) => all.filter((r) => r.path === '/flaky').length >= 2, 'the retry of the flaky receiver');
    await hooks.waitFor((all) => all.some((r) => r.path === '/slack'), 'the Slack message');
    await smtp.waitFor((all) => all.length >= 1, 'the email');
    await outboxSettled(app);

    // exactly one delivery per trigger, each signed with HMAC-SHA512 of its body
    const delivered = payloads(hooks.received, '/generic');
    expect(delivered.map(triggerOf).sort()).toEqual(['run:applying', 'run:completed', 'run:created', 'run:needs_attention', 'run:planned', 'run:planning']);
    for (const p of delivered) {
      expect(p.headers['x-tfe-notification-signature']).toBe(createHmac('sha512', token).update(p.body).digest('hex'));
      expect(p.headers['content-type']).toBe('application/json');
    }
    const completed = delivered.find((p) => triggerOf(p) === 'run:completed')!.json;
    expect(completed).toMatchObject({
      payload_version: 1, notification_configuration_id: generic, run_id: runId, run_url: `https://atlantas.example.com/api/v1/runs/${runId}`,
      run_message: expect.stringContaining("queued via api"), run_created_at: expect.any(String), run_created_by: expect.stringContaining(member.email),
      workspace_id: workspaceId, workspace_name: name, organization_name: 'default',
      notifications: [{ message: 'Run Completed', trigger: 'run:completed', run_status: 'applied', run_updated_at: expect.any(String), run_updated_by: expect.any(String) }],
    });
    expect(delivered.find((p) => triggerOf(p) === 'run:created')!.json.notifications[0].run_status).toBe('pending');
    expect(delivered.find((p) => triggerOf(p) === 'run:needs_attention')!.json.notifications[0].run_status).toBe('planned');
    expect(delivered.find((p) => triggerOf(p) === 'run:applying')!.json.notifications[0].run_status).toBe('applying');
    expect(hooks.received.filter((r) => r.path === '/disabled')).toEqual([]);

    // the receiver that answered 500 got the same payload again, and no more
    const flaky = hooks.received.filter((r) => r.path === '/flaky');
    expect(flaky).toHaveLength(2);
    expect(flaky[1]!.body).toBe(flaky[0]!.body);
    expect(flaky[0]!.headers['x-tfe-notification-signature']).toBeUndefined();
    const [flakyRow] = await app.sql<{ attempts: number; status: string }>(
      "SELECT attempts, status FROM notification_outbox WHERE channel = 'tfe-notifications' AND event->>'configurationId' IN (SELECT id FROM tfe_notification_configurations WHERE name = 'flaky' AND workspace_id = :ws)",
      { ws: workspaceId },
    );
    expect(flakyRow).toMatchObject({ attempts: 2, status: 'delivered' });

    const slack = hooks.received.filter((r) => r.path === '/slack');
    expect(slack).toHaveLength(1);
    const slackBody = JSON.parse(slack[0]!.body);
    expect(slackBody.text).toContain(name);
    expect(slackBody.text).toContain('applied');
    expect(slackBody.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.from).toBe('atlantas@example.com');
    expect(mail.to.sort()).toEqual(['lead@example.com', 'ops@example.com']);
    const unfolded = mail.raw.replace(/\r\n[ \t]+/g, ' ').replace(/=\r\n/g, '');
    expect(unfolded).toMatch(new RegExp(`Subject: \\[default/${name}\\] Run Completed: applied`));
    expect(unfolded).toContain(`Workspace: ${name}`);
    expect(unfolded).toContain('Status: applied');

    // the configuration keeps its last delivery answers
    const shown = await api(app, 'GET', `/notification-configurations/${generic}`, member.token);
    expect(shown.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: 200, body: 'ok /generic', successful: true });
  });

  it('tells run:errored once for an apply that fails, with the errored status', async () => {
    const { name, workspaceId } = await projectWithWorkspace(app, app.admin.token, 'notify', 'boom');
    const created = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'errors', 'destination-type': 'generic', url: `${hooks.url}/errors`, enabled: true, triggers: ['run:errored', 'run:completed'],
    }));
    expect(created.status, created.text).toBe(201);
    const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: name, keep_plan: true } });
    expect((await waitForRun(app, res.body.id)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${res.body.id}/apply`, { token: app.admin.token })).status).toBe(200);
    expect((await waitForRun(app, res.body.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('errored');
    await hooks.waitFor((all) => all.some((r) => r.path === '/errors'), 'run:errored');
    await outboxSettled(app);
    const told = payloads(hooks.received, '/errors');
    expect(told.map(triggerOf)).toEqual(['run:errored']);
    expect(told[0]!.json).toMatchObject({ run_id: res.body.id, notifications: [{ message: 'Run Errored', run_status: 'errored' }] });
  });

  it('tells assessment:drifted and run:drift_detected once when a drift check finds the workspace\'s state drifted', async () => {
    const { name, workspaceId } = await projectWithWorkspace(app, app.admin.token, 'notify', 'drift');
    await planAndApply(app, app.admin.token, name);
    const created = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'drift', 'destination-type': 'generic', url: `${hooks.url}/drift`, enabled: true, triggers: ['assessment:drifted', 'run:drift_detected'],
    }));
    expect(created.status, created.text).toBe(201);

    // someone writes the state behind terraform's back
    const address = `/api/v1/tfstate/${encodeURIComponent(name)}/default`;
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    const r0 = state.resources.find((r: any) => r.name === 'r0');
    r0.instances[0].attributes.input = { value: 'changed', type: 'string' };
    r0.instances[0].attributes.output = { value: 'changed', type: 'string' };
    const pushed = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
    expect(pushed.status, pushed.text).toBe(200);

    const detect = () => app.req('POST', '/api/drift/detect', { headers: { 'x-atlantis-token': DRIFT_SECRET }, body: { repository: 'acme/notify', ref: 'main', type: 'Github', paths: [{ directory: 'drift', workspace: 'default' }] } });
    const found = await detect();
    expect(found.body.data?.summary, found.text).toMatchObject({ projects_with_drift: 1 });
    await hooks.waitFor((all) => all.filter((r) => r.path === '/drift').length >= 2, 'both drift triggers');
    expect((await detect()).body.data.summary).toMatchObject({ projects_with_drift: 1 }); // the same drift again: nothing new
    await outboxSettled(app);
    const told = payloads(hooks.received, '/drift');
    expect(told.map(triggerOf).sort()).toEqual(['assessment:drifted', 'run:drift_detected']);
    expect(told[0]!.json).toMatchObject({ workspace_id: workspaceId, workspace_name: name, notifications: [{ message: 'Drift Detected' }] });
  });

  it('verifies a configuration by sending a test payload and answering the receiver\'s status', async () => {
    const member = await app.factories.user({ role: 'member' });
    const { workspaceId, name } = await projectWithWorkspace(app, member.token, 'notify', 'other');
    const token = 'verify-token';
    const create = async (attributes: Record<string, unknown>) =>
      (await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, member.token, configDoc(attributes))).body.data.id as string;
    const good = await create({ name: 'good', 'destination-type': 'generic', url: `${hooks.url}/verify`, token, triggers: [] });
    const teapot = await create({ name: 'teapot', 'destination-type': 'generic', url: `${hooks.url}/teapot`, triggers: [] });

    const verified = await api(app, 'POST', `/notification-configurations/${good}/actions/verify`, member.token);
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: 200, body: 'ok /verify', successful: true });
    const sent = payloads(hooks.received, '/verify');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.json).toMatchObject({
      payload_version: 1, notification_configuration_id: good, run_id: null, workspace_name: name, organization_name: 'default',
      notifications: [{ trigger: 'verification', message: 'Verification of good' }],
    });
    expect(sent[0]!.headers['x-tfe-notification-signature']).toBe(createHmac('sha512', token).update(sent[0]!.body).digest('hex'));

    const refused = await api(app, 'POST', `/notification-configurations/${teapot}/actions/verify`, member.token);
    expect(refused.status).toBe(200);
    expect(refused.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: 418, body: 'I am a teapot, not a webhook', successful: false });

    // a destination that never answers is given up on after ATLANTAS_NOTIFICATION_TIMEOUT
    const hang = await create({ name: 'hang', 'destination-type': 'generic', url: `${hooks.url}/hang`, triggers: [] });
    const timedOut = await api(app, 'POST', `/notification-configurations/${hang}/actions/verify`, member.token);
    expect(timedOut.status).toBe(200);
    expect(timedOut.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: null, successful: false, body: 'no answer within 2000 ms' });
    expect(hooks.received.filter((r) => r.path === '/hang')).toHaveLength(1);
  });
});

describe('TFE notification URLs and the outbound guard', () => {
  let app: App;
  let repo: BareRepo;
  let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'guarded' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'one project');
    hooks = await startWebhookReceiver();
  });
  afterAll(async () => {
    await app?.close();
    await hooks?.close();
    await repo?.cleanup();
  });

  it('refuses a loopback URL without ATLANTAS_ALLOW_PRIVATE_WEBHOOKS, at create and at delivery', async () => {
    // configured while the operator allowed private addresses …
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    const { name, workspaceId } = await projectWithWorkspace(app, app.admin.token, 'guarded', 'app');
    const created = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'loopback', 'destination-type': 'generic', url: `${hooks.url}/loopback`, enabled: true, triggers: ['run:created', 'run:completed'],
    }));
    expect(created.status, created.text).toBe(201);
    // … then the override is turned off
    await app.close({ keepData: true });
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root), reuse: app.reuse, env: { ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: 'false' } });

    const again = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'loopback-2', 'destination-type': 'generic', url: `${hooks.url}/again`, triggers: ['run:completed'],
    }));
    expect(again.status).toBe(422);
    expect(again.body.errors[0].detail).toContain('127.0.0.1');
    expect(again.body.errors[0].detail).toContain('ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true');
    const slack = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'slack', 'destination-type': 'slack', url: 'http://169.254.169.254/latest/meta-data', triggers: ['run:completed'],
    }));
    expect(slack.status).toBe(422);
    const moved = await api(app, 'PATCH', `/notification-configurations/${created.body.data.id}`, app.admin.token, configDoc({ url: `${hooks.url}/moved` }));
    expect(moved.status).toBe(422);
    expect(moved.body.errors[0].detail).toContain('loopback, private or link-local');

    const runId = await planAndApply(app, app.admin.token, name);
    await outboxSettled(app);
    const rows = await app.sql<{ status: string; last_error: string; trigger: string }>(
      "SELECT status, last_error, event->>'trigger' AS trigger FROM notification_outbox WHERE channel = 'tfe-notifications' AND kind = 'tfe.notification' AND event->>'runId' = :run",
      { run: runId },
    );
    expect(rows.map((r) => r.trigger).sort()).toEqual(['run:completed', 'run:created']);
    for (const row of rows) {
      expect(row.status).toBe('failed');
      expect(row.last_error).toContain('loopback, private or link-local');
    }
    expect(hooks.received).toEqual([]);

    const verify = await api(app, 'POST', `/notification-configurations/${created.body.data.id}/actions/verify`, app.admin.token);
    expect(verify.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: null, successful: false, body: expect.stringContaining('ATLANTAS_ALLOW_PRIVATE_WEBHOOKS') });
    expect(hooks.received).toEqual([]);
  });
});

describe('atlantas rotate-key on TFE notification configurations', () => {
  it('re-seals the URL and token; after rotation a verify is still signed with the same token', async () => {
    const hooks = await startWebhookReceiver();
    onTestFinished(() => hooks.close());
    const oldKey = randomBytes(32).toString('base64');
    let app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => {
      await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    });
    const ws = await api(app, 'POST', '/organizations/default/workspaces', app.admin.token, { data: { type: 'workspaces', attributes: { name: unique('rotated') } } });
    const token = `hmac-${randomBytes(8).toString('hex')}`;
    const created = await api(app, 'POST', `/workspaces/${ws.body.data.id}/notification-configurations`, app.admin.token, configDoc({
      name: 'rotated', 'destination-type': 'generic', url: `${hooks.url}/rotated`, token, triggers: ['run:completed'],
    }));
    expect(created.status, created.text).toBe(201);
    await app.close({ keepData: true });

    const key = randomBytes(32).toString('base64');
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('tfe notification configurations: 1 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT key_id FROM tfe_notification_configurations'), { schema });
    expect(rows).toEqual([{ key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    const verified = await api(app, 'POST', `/notification-configurations/${created.body.data.id}/actions/verify`, app.admin.token);
    expect(verified.body.data.attributes['delivery-responses'][0]).toMatchObject({ code: 200, successful: true });
    const [sent] = hooks.received;
    expect(sent!.headers['x-tfe-notification-signature']).toBe(createHmac('sha512', token).update(sent!.body).digest('hex'));
  });
});

describe('TFE notifications with two replicas on one PostgreSQL', () => {
  it('tells each trigger of a run once, whichever replica runs it and both seeing every status', async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'replicas' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': tfData(2) }, 'one project');
    const hooks = await startWebhookReceiver();
    onTestFinished(() => hooks.close());
    const a = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => a.close());
    const b = await startTestApp({ childEnv: insteadOfEnv(repo.root), reuse: { schema: a.reuse.schema, encryptionKey: a.reuse.encryptionKey } });
    onTestFinished(async () => {
      await b.close({ keepData: true }); // the schema is a's: it drops it
      if (b.reuse.dataDir) await rm(b.reuse.dataDir, { recursive: true, force: true });
    });

    const { name, workspaceId } = await projectWithWorkspace(a, a.admin.token, 'replicas', 'app');
    const created = await api(b, 'POST', `/workspaces/${workspaceId}/notification-configurations`, a.admin.token, configDoc({
      name: 'both', 'destination-type': 'generic', url: `${hooks.url}/both`, enabled: true, triggers: RUN_TRIGGERS,
    }));
    expect(created.status, created.text).toBe(201);
    await planAndApply(a, a.admin.token, name);
    await hooks.waitFor((all) => payloads(all, '/both').some((p) => triggerOf(p) === 'run:completed'), 'run:completed');
    await outboxSettled(a);
    expect(payloads(hooks.received, '/both').map(triggerOf).sort()).toEqual(['run:applying', 'run:completed', 'run:created', 'run:needs_attention', 'run:planned', 'run:planning']);
  });
});

describe('TFE notifications on the embedded database (PGlite)', () => {
  it('delivers the triggers of a plan and apply once, as on PostgreSQL', async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'embedded' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'one project');
    const hooks = await startWebhookReceiver();
    onTestFinished(() => hooks.close());
    const app = await startTestApp({ embedded: true, childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());
    const { name, workspaceId } = await projectWithWorkspace(app, app.admin.token, 'embedded', 'app');
    const token = 'embedded-token';
    const created = await api(app, 'POST', `/workspaces/${workspaceId}/notification-configurations`, app.admin.token, configDoc({
      name: 'embedded', 'destination-type': 'generic', url: `${hooks.url}/embedded`, token, enabled: true, triggers: RUN_TRIGGERS,
    }));
    expect(created.status, created.text).toBe(201);
    await planAndApply(app, app.admin.token, name);
    await hooks.waitFor((all) => payloads(all, '/embedded').some((p) => triggerOf(p) === 'run:completed'), 'run:completed');
    await outboxSettled(app);
    const told = payloads(hooks.received, '/embedded');
    expect(told.map(triggerOf).sort()).toEqual(['run:applying', 'run:completed', 'run:created', 'run:needs_attention', 'run:planned', 'run:planning']);
    for (const p of told) expect(p.headers['x-tfe-notification-signature']).toBe(createHmac('sha512', token).update(p.body).digest('hex'));
  });
});
