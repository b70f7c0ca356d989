import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack, type FakeSlackMessage, type FakeWorkspace } from '../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { sendBlockAction } from '../harness/slack-requests.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const API_SECRET = 'drift-slack-api-secret';
const SIGNING_SECRET = 'drift-slack-signing-secret';
const CHANNEL = 'C0DRIFT';
const MINUTE = 60_000;
/** what the state is changed to behind terraform's back: no message may ever show it */
const DRIFTED_VALUE = 'drifted-value-7f3a';

class TestClock {
  #now = Date.now();
  now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

const textOf = (m: FakeSlackMessage) => JSON.stringify(m.blocks);
const button = (m: FakeSlackMessage, actionId: string) => m.blocks.find((b) => b.type === 'actions')?.elements.find((e: any) => e.action_id === actionId);

/**
 * drift_monitor's notifications as Slack shows them, on real terraform, git and PostgreSQL with
 * the fake Slack Web API: new drift is one message naming the resource and its changed attribute
 * (never the value) with a Plan remediation button; the next tick says nothing; the button plans
 * the remediation as the clicking person, its card's Approve apply applies it, and the next tick
 * says "resolved" in the drift message's thread. Drift of a root module nobody registered is told too.
 */
describe('drift_monitor in Slack', () => {
  let slack: FakeSlack;
  let home: FakeWorkspace;
  let app: TestApp;
  let repo: BareRepo;
  const clock = new TestClock();
  let projectId: string;

  beforeAll(async () => {
    slack = await startFakeSlack();
    home = slack.addWorkspace({ teamId: 'THOME' });
    repo = await createBareRepo({ owner: 'acme', name: 'watched' });
    await repo.commitFiles({ 'network/main.tf': tfData(2), 'edge/main.tf': tfData(1) }, 'two root modules');
    app = await startTestApp({
      agentClock: clock,
      env: {
        ATLANTAS_API_SECRET: API_SECRET, ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_NOTIFY_POLL_INTERVAL: '10m',
        SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_SLACK_CHANNEL: CHANNEL,
      },
      childEnv: insteadOfEnv(repo.root),
    });
    const alice = await app.factories.user({ role: 'member' });
    slack.addUser(home.teamId, { id: 'UALICE', email: alice.email });
    slack.addUser(home.teamId, { id: 'UVERA', email: (await app.factories.user({ role: 'viewer' })).email });
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'network', repository_url: 'https://github.com/acme/watched', terraform_path: 'network' } });
    expect(project.status, project.text).toBe(201);
    projectId = project.body.id;
    const applied = await app.req('POST', '/api/apply', {
      headers: { 'x-atlantis-token': API_SECRET },
      body: { Repository: 'acme/watched', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'network', Workspace: 'default' }, { Directory: 'edge', Workspace: 'default' }] },
    });
    expect(applied.body.data, applied.text).toMatchObject({ success_count: 2 });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  const deliver = async () => {
    await app.internals.notifications.drain();
    // the dispatcher's own loop may be posting a row while drain() returns: wait until no row is being delivered
    await expect.poll(async () => (await app.sql("SELECT count(*)::int AS n FROM notification_outbox WHERE status IN ('pending', 'delivering')"))[0].n, { timeout: 10_000 }).toBe(0);
  };
  const tick = async () => {
    clock.advance(5 * MINUTE);
    await app.scheduler.tick();
    await app.scheduler.idle();
    await deliver();
  };
  // Drift also opens an incident, whose card (and its thread) is the incidents' own test's business.
  const notIncident = (m: { text: string; blocks: any[] }) => !/INC-\d{8}/.test(m.text + JSON.stringify(m.blocks));
  const driftMessages = () => slack.messages(CHANNEL).filter((m) => notIncident(m) && /Drift (detected|resolved)/.test(m.text));
  /** terraform_data.r0's input in the state of `dir` becomes `value` (or its original again) */
  async function setR0(dir: string, value: string | null, original?: any) {
    const [{ state_name }] = await app.sql<{ state_name: string }>('SELECT state_name FROM runs WHERE dir = :dir AND state_name IS NOT NULL LIMIT 1', { dir });
    const address = `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
    const state = (await app.req('GET', address, { token: app.admin.token })).body;
    const r0 = state.resources.find((r: any) => r.name === 'r0');
    const before = structuredClone(r0.instances[0].attributes);
    if (value === null) r0.instances[0].attributes = original;
    else {
      r0.instances[0].attributes.input = { value, type: 'string' };
      r0.instances[0].attributes.output = { value, type: 'string' };
    }
    const pushed = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
    expect(pushed.status).toBe(200);
    return before;
  }
  async function click(message: FakeSlackMessage, actionId: string, userId = 'UALICE') {
    const responseUrl = slack.responseUrl();
    const res = await sendBlockAction(app.url, {
      teamId: home.teamId, userId, actionId, value: button(message, actionId).value, channelId: message.channel, messageTs: message.ts, responseUrl,
    }, { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    await app.slackIdle();
    return slack.responses(responseUrl).map((r) => r.text as string);
  }

  it('posts new drift once with the resource and a Plan remediation button, plans it as the clicker, and says resolved in the thread', async () => {
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token, body: { name: 'drift-watch', agent_type: 'drift_monitor', schedule: '*/5 * * * *', target_project_id: projectId },
    });
    expect(agent.status, agent.text).toBe(201);

    await tick();
    expect(driftMessages()).toEqual([]);

    await setR0('network', DRIFTED_VALUE);
    await tick();
    const [detected, ...more] = driftMessages();
    expect(more).toEqual([]);
    const [record] = (await app.req('GET', '/api/v1/drift?project=network', { token: app.admin.token })).body;
    expect(record).toMatchObject({ has_drift: true });
    expect(detected.threadTs).toBeUndefined();
    expect(detected.text).toContain('Drift detected in network (default)');
    expect(textOf(detected)).toContain('terraform_data.r0 — input');
    expect(textOf(detected)).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(button(detected, 'plan_remediation')).toMatchObject({ text: { text: 'Plan remediation' }, value: record.id });
    expect(JSON.stringify(detected)).not.toContain(DRIFTED_VALUE); // attribute names, never values

    await tick(); // the same drift again: no new message
    expect(driftMessages()).toHaveLength(1);

    // the button acts as the clicker: a viewer is refused, alone, exactly as REST refuses them
    expect(await click(detected, 'plan_remediation', 'UVERA')).toEqual([':no_entry: role "viewer" may not run plan']);
    expect(await app.sql("SELECT id FROM runs WHERE title = 'drift remediation: plan'")).toEqual([]);
    // …and plans the remediation through core as Alice, keeping the plan for an approved apply
    const answered = await click(detected, 'plan_remediation');
    const [remediation] = await app.sql("SELECT id, status, operation, source, actor_name, via, resources_changed FROM runs WHERE title = 'drift remediation: plan'");
    expect(remediation).toMatchObject({ status: 'planned', operation: 'plan', source: 'drift', via: 'slack', resources_changed: 1 });
    expect(remediation.actor_name).toMatch(/@example\.com$/);
    expect(answered).toEqual([expect.stringContaining(`Planning the remediation of acme/watched network (default) as run \`${remediation.id}\``)]);
    const card = slack.messages(CHANNEL).find((m) => m.threadTs === detected.ts && button(m, 'approve_apply')?.value === remediation.id);
    expect(card, 'the remediation\'s card, in the drift message\'s thread').toBeDefined();
    expect((await app.req('GET', `/api/v1/runs/${remediation.id}`, { token: app.admin.token })).body.status).toBe('planned'); // nothing applied by the click

    // a person approves the remediation's apply on its card; the next check finds no drift and says so in the thread
    expect(await click(card!, 'approve_apply')).toEqual([expect.stringContaining(`Approved run \`${remediation.id}\``)]);
    expect((await app.req('GET', `/api/v1/runs/${remediation.id}`, { token: app.admin.token })).body.status).toBe('applied');
    await tick();
    const resolved = slack.messages(CHANNEL).filter((m) => notIncident(m) && m.text.includes('Drift resolved'));
    expect(resolved).toEqual([expect.objectContaining({ threadTs: detected.ts })]);
    expect(resolved[0].text).toContain('Drift resolved in network (default): the latest check found no drift');
    expect(slack.messages(CHANNEL).filter((m) => notIncident(m) && m.text.startsWith('Drift detected'))).toHaveLength(1);
    const executions = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(executions.map((e: any) => e.summary)).toEqual(['1 checked, 0 drifted', '1 checked, 1 drifted', '1 checked, 1 drifted', '1 checked, 0 drifted']);
  });

  it('tells drift of a root module that is not a registered project, naming its repository path', async () => {
    await setR0('edge', DRIFTED_VALUE);
    const detect = await app.req('POST', '/api/drift/detect', {
      headers: { 'x-atlantis-token': API_SECRET }, body: { repository: 'acme/watched', ref: 'main', type: 'Github', paths: [{ directory: 'edge', workspace: 'default' }] },
    });
    expect(detect.body.data.projects, detect.text).toEqual([expect.objectContaining({ directory: 'edge', has_drift: true })]);
    await deliver();
    const [row] = await app.sql("SELECT project_id, event FROM notification_outbox WHERE kind = 'drift.detected' AND event->>'dir' = 'edge'");
    expect(row).toMatchObject({ project_id: null, event: { repoFullName: 'acme/watched', dir: 'edge', workspace: 'default' } });
    const edge = slack.messages(CHANNEL).filter((m) => m.text.startsWith('Drift detected in acme/watched/edge (default)'));
    expect(edge).toHaveLength(1);
    expect(textOf(edge[0])).toContain('not a registered project');
    expect(textOf(edge[0])).toContain('terraform_data.r0 — input');
    expect(JSON.stringify(edge[0])).not.toContain(DRIFTED_VALUE);
  });

  it('posts a state_watcher finding (a state lock held past its limit) as its own message, once', async () => {
    const name = `watched-${randomUUID().slice(0, 8)}`;
    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Info: '', Who: 'alice@laptop', Version: '1.11.4', Created: new Date().toISOString(), Path: '' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, body: holder })).status).toBe(200);
    const agent = await app.req('POST', '/api/v1/agents', { token: app.admin.token, body: { name: 'state-watch', agent_type: 'state_watcher', schedule: '*/5 * * * *', config: { max_lock_age: '1h' } } });
    expect(agent.status, agent.text).toBe(201);
    const alerts = () => slack.messages(CHANNEL).filter((m) => m.text.includes('State alert'));

    clock.advance(2 * 60 * MINUTE);
    await tick();
    await tick(); // the same lock, still held: no second message
    expect(alerts()).toHaveLength(1);
    const [state] = (await app.req('GET', '/api/v1/states', { token: app.admin.token })).body.filter((s: any) => s.name === name);
    expect(alerts()[0].text).toContain(`State alert ${name} (default): ${name} (default) state locked by ${app.admin.email} for `);
    expect(textOf(alerts()[0])).toContain(`GET /api/v1/states/${state.id}/versions`);
  });
});
