import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** codebase_monitor on a real repository: root modules on main become projects, removed ones stop being projects, audited as the agent. */
describe('codebase_monitor', () => {
  let repo: BareRepo;
  let app: TestApp;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles({
      'network/main.tf': 'resource "terraform_data" "n" {}\n',
      'modules/vpc/main.tf': 'variable "cidr" {}\n',
      'docs/README.md': 'not terraform\n',
    }, 'base');
    app = await startTestApp({ env: { ATLANTAS_SCHEDULER_TICK: '1h' }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
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
  const projects = async () => (await app.req('GET', '/api/v1/projects', { token: app.admin.token })).body.map((p: any) => [p.name, p.terraform_path]).sort();

  it('registers new root modules of the default branch and unregisters removed ones', async () => {
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token, body: { name: 'codebase', agent_type: 'codebase_monitor', schedule: '*/30 * * * *', config: { repository_url: 'https://github.com/acme/infra' } },
    });
    expect(agent.status, agent.text).toBe(201);

    const first = await trigger(agent.body.id);
    expect(await projects()).toEqual([['infra-network', 'network']]); // modules/ are not root modules
    expect(first.findings.map((f: any) => f.kind)).toEqual(['codebase.project_registered']);

    expect((await trigger(agent.body.id)).summary).toBe('projects match the code');

    await repo.commitFiles({ 'network/main.tf': null, 'envs/prod/main.tf': 'resource "terraform_data" "p" {}\n' }, 'move network into envs/prod');
    const third = await trigger(agent.body.id);
    expect(await projects()).toEqual([['infra-envs-prod', 'envs/prod']]);
    expect(third.findings.map((f: any) => f.kind).sort()).toEqual(['codebase.project_registered', 'codebase.project_unregistered']);

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
