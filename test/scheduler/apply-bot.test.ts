import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * apply_bot applies only what its policy names, through the approval gate's policy path: a planned
 * dev-* run is applied, a prod run and a plan that destroys stay for a person.
 */
describe('apply_bot', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'apps' });
    await repo.commitFiles({ 'dev-app/main.tf': tfData(1), 'dev-old/main.tf': tfData(2), 'prod-app/main.tf': tfData(1) }, 'three projects');
    app = await startTestApp({ env: { ATLANTAS_SCHEDULER_TICK: '1h' }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const keptPlan = async (dir: string) => {
    const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/apps', dir, keep_plan: true } });
    expect(res.status, res.text).toBe(201);
    return waitForRun(app, res.body.id);
  };

  it('applies the planned run its policy names, and leaves prod and a destroying plan for a person', async () => {
    // dev-old: applied with two resources, then planned down to one (a destroy)
    const old = await keptPlan('dev-old');
    expect((await app.req('POST', `/api/v1/runs/${old.id}/apply`, { token: app.admin.token })).status).toBe(200);
    expect((await waitForRun(app, old.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
    await repo.commitFiles({ 'dev-old/main.tf': tfData(1) }, 'one resource fewer');
    const [dev, prod, destroying] = await Promise.all([keptPlan('dev-app'), keptPlan('prod-app'), keptPlan('dev-old')]);
    expect([dev.status, prod.status, destroying.status]).toEqual(['planned', 'planned', 'planned']);
    expect(destroying.resources_destroyed).toBe(1);

    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token,
      body: { name: 'applier', agent_type: 'apply_bot', schedule: '0 * * * *', config: { projects: ['dev-*'], max_destroy: 0 } },
    });
    expect(agent.status, agent.text).toBe(201);
    const started = await app.req('POST', `/api/v1/agents/${agent.body.id}/trigger`, { token: app.admin.token });
    expect(started.status).toBe(202);
    await app.scheduler.idle();

    expect((await waitForRun(app, dev.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
    const still = async (id: string) => (await app.req('GET', `/api/v1/runs/${id}`, { token: app.admin.token })).body.status;
    expect(await still(prod.id)).toBe('planned');
    expect(await still(destroying.id)).toBe('planned');
    const [execution] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(execution).toMatchObject({ status: 'succeeded', run_ids: [dev.id] });
    const audit = await app.req('GET', '/api/v1/audit?action=approval.policy_applied', { token: app.admin.token });
    expect(audit.body).toEqual([expect.objectContaining({ action: 'approval.policy_applied', actor: expect.objectContaining({ kind: 'system', name: expect.stringContaining('applier') }) })]);
    expect(JSON.stringify(audit.body[0])).toContain(dev.id);
  });
});
