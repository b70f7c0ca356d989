import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../harness/fake-slack.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * codebase_monitor on a real repository: root modules on main become projects, removed ones stop
 * being projects, audited as the agent, and each change is one Slack message (fake Slack Web API).
 */
describe('codebase_monitor', () => {
  let repo: BareRepo;
  let app: TestApp;
  let slack: FakeSlack;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles({
      'network/main.tf': 'resource "terraform_data" "n" {}\n',
      'modules/vpc/main.tf': 'variable "cidr" {}\n',
      'docs/README.md': 'not terraform\n',
    }, 'base');
    slack = await startFakeSlack();
    const home = slack.addWorkspace({ teamId: 'THOME' });
    app = await startTestApp({
      env: { ATLANTAS_SCHEDULER_TICK: '1h', SLACK_SIGNING_SECRET: 'codebase-signing-secret', SLACK_BOT_TOKEN: home.botToken, ATLANTAS_SLACK_API_URL: slack.apiUrl, ATLANTAS_SLACK_CHANNEL: 'C0INFRA' },
      childEnv: insteadOfEnv(repo.root),
    });
  });
  afterAll(async () => {
    await app?.close();
    await slack?.close();
    await repo?.cleanup();
  });

  const trigger = async (id: string) => {
    const res = await app.req('POST', `/api/v1/agents/${id}/trigger`, { token: app.admin.token });
    expect(res.status).toBe(202);
    await app.scheduler.idle();
    const [execution] = (await app.req('GET', `/api/v1/agents/${id}/executions`, { token: app.admin.token })).body;
    expect(execution.status, JSON.stringify(execution)).toBe('succeeded');
    return execution;
  };
  /** what the channel was told about projects, once the outbox delivered what is due */
  const told = async () => {
    await app.internals.notifications.drain();
    await expect.poll(async () => (await app.sql("SELECT count(*)::int AS n FROM notification_outbox WHERE status IN ('pending', 'delivering')"))[0].n, { timeout: 10_000 }).toBe(0);
    return slack.messages('C0INFRA').map((m) => m.text.replace(/^:[a-z_]+: /, '')).filter((t) => t.startsWith('Project'));
  };
  const projects = async () => (await app.req('GET', '/api/v1/projects', { token: app.admin.token })).body.map((p: any) => [p.name, p.terraform_path]).sort();

  it('registers new root modules of the default branch and unregisters removed ones', async () => {
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token, body: { name: 'codebase', agent_type: 'codebase_monitor', schedule: '*/30 * * * *', config: { repository_url: 'https://github.com/acme/infra' } },
    });
    expect(agent.status, agent.text).toBe(201);

    const first = await trigger(agent.body.id);
    expect(await projects()).toEqual([['infra-network', 'network']]); // modules/ are not root modules
    expect(first.findings.map((f: any) => f.kind)).toEqual(['codebase.project_registered']);
    expect(await told()).toEqual(['Project registered: infra-network — acme/infra network is a new root module on the default branch']);

    expect((await trigger(agent.body.id)).summary).toBe('projects match the code');
    expect(await told()).toHaveLength(1); // nothing changed: nothing told

    await repo.commitFiles({ 'network/main.tf': null, 'envs/prod/main.tf': 'resource "terraform_data" "p" {}\n' }, 'move network into envs/prod');
    const third = await trigger(agent.body.id);
    expect(await projects()).toEqual([['infra-envs-prod', 'envs/prod']]);
    expect(third.findings.map((f: any) => f.kind).sort()).toEqual(['codebase.project_registered', 'codebase.project_unregistered']);
    expect((await told()).sort()).toEqual([
      'Project registered: infra-envs-prod — acme/infra envs/prod is a new root module on the default branch',
      'Project registered: infra-network — acme/infra network is a new root module on the default branch',
      'Project unregistered: infra-network — acme/infra network has no terraform files any more',
    ]);

    const audit = await app.sql<{ action: string; actor_name: string; via: string }>(
      `SELECT action, actor_name, via FROM audit_log WHERE action IN ('project.create', 'project.delete') ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'project.create', actor_name: 'agent:codebase', via: 'scheduler' },
      { action: 'project.create', actor_name: 'agent:codebase', via: 'scheduler' },
      { action: 'project.delete', actor_name: 'agent:codebase', via: 'scheduler' },
    ]);
  });
});
