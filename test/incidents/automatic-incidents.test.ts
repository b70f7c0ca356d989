import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingChannel } from '../core/notifications/recording-channel.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'automatic-incidents-secret';
const MINUTE = 60_000;

class TestClock {
  #now = Date.now();
  now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** A resource whose create-time provisioner exits `code`: the apply errors when it is not 0. */
const failingApply = (code: number) => `resource "terraform_data" "deploy" {
  input = "release-${code}"
  provisioner "local-exec" {
    command = "exit ${code}"
  }
}
`;

/**
 * Incidents Atlantas opens itself, on real terraform: drift a drift_monitor finds (made by pushing
 * a changed state through the http backend) opens one incident, the next detection folds into it,
 * the fix resolves it; an apply that errors opens one, a later successful apply resolves it.
 */
describe('automatic incidents', () => {
  let app: TestApp;
  let repo: BareRepo;
  const clock = new TestClock();
  const channel = new RecordingChannel();

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'incidents' });
    await repo.commitFiles({ 'network/main.tf': tfData(2), 'deploy/main.tf': failingApply(1) }, 'two projects');
    app = await startTestApp({
      agentClock: clock,
      env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_SLACK_CHANNEL: '#ops', ATLANTAS_NOTIFY_POLL_INTERVAL: '10m' },
      childEnv: insteadOfEnv(repo.root),
    });
    app.internals.notifications.register(channel);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const apply = (dir: string) => app.req('POST', '/api/apply', {
    headers: { 'x-atlantis-token': SECRET }, body: { Repository: 'acme/incidents', Ref: 'main', Type: 'Github', Paths: [{ Directory: dir, Workspace: 'default' }] },
  });
  const incidents = async (source: string) => ((await app.req('GET', '/api/incidents', { token: app.admin.token })).body.data.items as any[]).filter((i) => i.source === source);
  const incident = async (id: string) => (await app.req('GET', `/api/incidents/${id}`, { token: app.admin.token })).body.data;
  const told = async (id: string) => {
    await app.internals.notifications.drain();
    // what posts a message (incident.updated only refreshes what was posted)
    return channel.delivered((e) => (e.kind === 'incident.opened' || e.kind === 'incident.resolved') && e.incidentId === id).map((d) => d.event.kind);
  };
  const project = async (name: string, dir: string, criticality: string) => {
    const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: 'https://github.com/acme/incidents', terraform_path: dir, criticality } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.criticality).toBe(criticality);
    return res.body.id as string;
  };

  it('opens one incident for drift a drift_monitor finds, folds the next detection into it, and resolves it when the drift is gone', async () => {
    const projectId = await project('network', 'network', 'critical');
    expect((await apply('network')).body.data).toMatchObject({ success_count: 1 });
    const [{ state_name }] = await app.sql<{ state_name: string }>("SELECT state_name FROM runs WHERE dir = 'network' AND state_name IS NOT NULL LIMIT 1");
    const address = `/api/v1/tfstate/${encodeURIComponent(state_name)}/default`;
    const setR0 = async (attributes: (a: any) => any) => {
      const state = (await app.req('GET', address, { token: app.admin.token })).body;
      const r0 = state.resources.find((r: any) => r.name === 'r0');
      const before = structuredClone(r0.instances[0].attributes);
      r0.instances[0].attributes = attributes(before);
      const pushed = await app.req('POST', address, { token: app.admin.token, rawBody: JSON.stringify({ ...state, serial: state.serial + 1 }), headers: { 'content-type': 'application/json' } });
      expect(pushed.status).toBe(200);
      return before;
    };
    const agent = await app.req('POST', '/api/v1/agents', { token: app.admin.token, body: { name: 'drift-watch', agent_type: 'drift_monitor', schedule: '*/5 * * * *', target_project_id: projectId } });
    expect(agent.status, agent.text).toBe(201);
    const tick = async () => {
      clock.advance(5 * MINUTE);
      await app.scheduler.tick();
      await app.scheduler.idle();
    };

    await tick();
    expect(await incidents('drift')).toEqual([]); // no drift, no incident

    const original = await setR0((a) => ({ ...a, input: { value: 'changed', type: 'string' }, output: { value: 'changed', type: 'string' } }));
    await tick();
    const [opened, ...more] = await incidents('drift');
    expect(more).toEqual([]);
    expect(opened).toMatchObject({
      status: 'triggered', severity: 'P1', title: 'Drift detected: network (default)', occurrences: 1,
      dedup_key: `drift:${projectId}:default`, project_ids: [projectId], run_ids: [expect.any(String), expect.any(String)],
    });
    expect(opened.links).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'drift' }), { kind: 'project', id: projectId, added_at: expect.any(String) }]));
    await expect.poll(() => told(opened.id), { timeout: 20_000 }).toEqual(['incident.opened']);

    await tick(); // the same drift again
    const again = await incidents('drift');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: opened.id, occurrences: 2, status: 'triggered' });
    expect(await told(opened.id)).toEqual(['incident.opened']); // told once

    await setR0(() => original);
    await tick();
    const resolved = await incident(opened.id);
    expect(resolved).toMatchObject({ status: 'resolved', resolved_by: 'agent:drift-watch', resolved_at: expect.any(String) });
    expect(resolved.timeline.map((e: any) => e.kind)).toEqual(expect.arrayContaining(['created', 'signal', 'resolved_automatically', 'status']));
    expect(resolved.timeline.find((e: any) => e.kind === 'resolved_automatically')).toMatchObject({ message: expect.stringMatching(/drift gone/), actor: { kind: 'system', name: 'agent:drift-watch', via: 'scheduler' } });
    expect(resolved.timeline.filter((e: any) => e.kind === 'status').map((e: any) => e.message).at(-1)).toBe('investigating → resolved');
    await expect.poll(() => told(opened.id), { timeout: 20_000 }).toEqual(['incident.opened', 'incident.resolved']); // the dispatcher may be delivering it already
    await tick(); // clean again: nothing more
    expect(await incidents('drift')).toHaveLength(1);
  });

  it('opens one incident for an apply that errors, folds a second failure into it, and a later successful apply resolves it', async () => {
    const projectId = await project('deploy', 'deploy', 'low');
    const failed = await apply('deploy');
    expect(failed.body.data, failed.text).toMatchObject({ success_count: 0 });
    const [run] = await app.sql<{ id: string; status: string }>("SELECT id, status FROM runs WHERE dir = 'deploy' ORDER BY created_at DESC LIMIT 1");
    expect(run.status).toBe('errored');
    const [opened, ...more] = await incidents('apply_failed');
    expect(more).toEqual([]);
    expect(opened).toMatchObject({
      status: 'triggered', severity: 'P4', title: 'Apply failed: deploy (default)', dedup_key: `apply_failed:${projectId}:default`,
      project_ids: [projectId], run_ids: [run.id], description: expect.stringContaining(`the apply of run ${run.id} errored`),
    });
    await expect.poll(() => told(opened.id), { timeout: 20_000 }).toEqual(['incident.opened']);

    await apply('deploy'); // fails again
    const again = await incidents('apply_failed');
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: opened.id, occurrences: 2 });
    expect(again[0].run_ids).toHaveLength(2);

    await repo.commitFiles({ 'deploy/main.tf': failingApply(0) }, 'fix the deploy');
    const fixed = await apply('deploy');
    expect(fixed.body.data, fixed.text).toMatchObject({ success_count: 1 });
    const [good] = await app.sql<{ id: string }>("SELECT id FROM runs WHERE dir = 'deploy' AND status = 'applied' LIMIT 1");
    const resolved = await incident(opened.id);
    expect(resolved).toMatchObject({ status: 'resolved', resolved_by: 'incidents' });
    expect(resolved.timeline.find((e: any) => e.kind === 'resolved_automatically')).toMatchObject({ message: `run ${good.id} applied successfully`, link: { kind: 'run', id: good.id } });
    expect(resolved.run_ids).toContain(good.id);
    await expect.poll(() => told(opened.id), { timeout: 20_000 }).toEqual(['incident.opened', 'incident.resolved']); // the dispatcher may be delivering it already
  });
});
