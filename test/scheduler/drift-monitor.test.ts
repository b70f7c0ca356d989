import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingChannel } from '../core/notifications/recording-channel.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'drift-monitor-secret';
const MINUTE = 60_000;

/** A clock the test moves: the schedule is checked without waiting for real minutes. */
class TestClock {
  #now = Date.now();
  now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

/**
 * drift_monitor on its schedule, on real terraform: drift made through the state backend is told
 * once, not again on the next tick, and told resolved once the state matches the code again.
 */
describe('drift_monitor', () => {
  let app: TestApp;
  let repo: BareRepo;
  const clock = new TestClock();
  const channel = new RecordingChannel();
  let projectId: string;

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'watched' });
    await repo.commitFiles({ 'network/main.tf': tfData(2) }, 'one project');
    app = await startTestApp({
      agentClock: clock,
      env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_SLACK_CHANNEL: '#drift', ATLANTAS_NOTIFY_POLL_INTERVAL: '10m' },
      childEnv: insteadOfEnv(repo.root),
    });
    app.internals.notifications.register(channel);
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'network', repository_url: 'https://github.com/acme/watched', terraform_path: 'network' } });
    expect(project.status, project.text).toBe(201);
    projectId = project.body.id;
    const applied = await app.req('POST', '/api/apply', { headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/watched', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'network', Workspace: 'default' }] } });
    expect(applied.body.data, applied.text).toMatchObject({ success_count: 1 });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const tick = async () => {
    clock.advance(5 * MINUTE);
    await app.scheduler.tick();
    await app.scheduler.idle();
    await app.internals.notifications.drain();
  };
  const told = () => channel.delivered((e) => e.kind.startsWith('drift.')).map((d) => d.event.kind);
  const stateAddress = async () => {
    const [{ state_name }] = await app.sql<{ state_name: string }>("SELECT state_name FROM runs WHERE dir = 'network' AND state_name IS NOT NULL LIMIT 1");
    return `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
  };
  /** writes the state behind terraform's back; `input` of terraform_data.r0 becomes `value` (or its original) */
  async function setR0(value: string | null, original?: any) {
    const address = await stateAddress();
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

  it('tells new drift once, stays quiet while it lasts, and tells when it is resolved', async () => {
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token,
      body: { name: 'drift-watch', agent_type: 'drift_monitor', schedule: '*/5 * * * *', target_project_id: projectId },
    });
    expect(agent.status, agent.text).toBe(201);
    const executions = async () => (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body as any[];

    await tick();
    expect((await executions())[0]).toMatchObject({ status: 'succeeded', summary: '1 checked, 0 drifted' });
    expect(told()).toEqual([]);

    const original = await setR0('changed');
    await tick();
    const [drifted] = await executions();
    expect(drifted).toMatchObject({ status: 'succeeded', summary: '1 checked, 1 drifted' });
    expect(drifted.run_ids).toHaveLength(2); // the refresh-only plan and the plan, ordinary runs
    await expect.poll(told, { timeout: 10_000 }).toEqual(['drift.detected']);

    await tick();
    expect((await executions())[0]).toMatchObject({ summary: '1 checked, 1 drifted' });
    expect(told()).toEqual(['drift.detected']); // the same drift again: no new noise

    await setR0(null, original);
    await tick();
    expect((await executions())[0]).toMatchObject({ summary: '1 checked, 0 drifted' });
    await expect.poll(told, { timeout: 10_000 }).toEqual(['drift.detected', 'drift.resolved']);
    expect((await executions())).toHaveLength(4); // once per tick
  });

  it('with auto_remediate plans the remediation apply and leaves it waiting for a person, never applying it', async () => {
    const [first] = (await app.req('GET', '/api/v1/agents', { token: app.admin.token })).body;
    expect((await app.req('POST', `/api/v1/agents/${first.id}/deactivate`, { token: app.admin.token })).status).toBe(200);
    const agent = await app.req('POST', '/api/v1/agents', {
      token: app.admin.token,
      body: { name: 'drift-fix', agent_type: 'drift_monitor', schedule: '*/5 * * * *', target_project_id: projectId, config: { auto_remediate: true } },
    });
    expect(agent.status, agent.text).toBe(201);
    await setR0('changed-again');
    await tick();
    const [execution] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(execution).toMatchObject({ status: 'succeeded', summary: '1 checked, 1 drifted' });
    expect(execution.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'drift.remediation_requested', message: 'acme/watched: remediation planned; it applies once a person approves' })]));
    const [remediation] = await app.sql("SELECT id, operation, status, actor_name, via FROM runs WHERE title = 'drift remediation: apply'");
    expect(remediation).toMatchObject({ operation: 'apply', status: 'planned', actor_name: 'agent:drift-fix', via: 'scheduler' });
    expect(execution.run_ids).toContain(remediation.id);

    await tick(); // the next tick neither applies it nor asks again
    expect((await app.req('GET', `/api/v1/runs/${remediation.id}`, { token: app.admin.token })).body.status).toBe('planned');
    expect(await app.sql("SELECT id FROM runs WHERE title = 'drift remediation: apply'")).toHaveLength(1);
    const [again] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(again.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'drift.remediation_requested', notified: false })]));
    expect(await app.sql("SELECT id FROM runs WHERE title = 'drift remediation: apply' AND status = 'applied'")).toEqual([]);
  });
});
