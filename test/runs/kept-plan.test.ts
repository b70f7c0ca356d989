import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';
import { waitForRun } from '../harness/runs.js';

const HOUR = 60 * 60_000;

/**
 * Kept plans outside a pull request (what Slack's `/atlantas plan` makes): the plan waits with the
 * project lock in the planner's name, is applied or discarded once by run id, is superseded by
 * the planner's next plan, and expires after ATLANTAS_PLAN_TTL.
 */
describe('kept plans', () => {
  let app: TestApp;
  let repo: BareRepo;
  let alice: Awaited<ReturnType<TestApp['factories']['user']>>;
  let bob: Awaited<ReturnType<TestApp['factories']['user']>>;
  let viewer: Awaited<ReturnType<TestApp['factories']['user']>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'infra' });
    await repo.commitFiles({ 'network/main.tf': tfData(2), 'dns/main.tf': tfData(1), 'db/main.tf': tfData(1), 'cache/main.tf': tfData(1), 'queue/main.tf': tfData(1) }, 'five projects');
    app = await startTestApp({ env: { ATLANTAS_PLAN_TTL: '2h' }, childEnv: insteadOfEnv(repo.root) });
    [alice, bob, viewer] = await Promise.all([app.factories.user(), app.factories.user(), app.factories.user({ role: 'viewer' })]);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const keptPlan = async (dir: string, token = alice.token) => {
    const res = await app.req('POST', '/api/v1/runs', { token, body: { repo: 'acme/infra', dir, keep_plan: true } });
    expect(res.status, res.text).toBe(201);
    return waitForRun(app, res.body.id, undefined, 90_000, token);
  };
  const locksOf = async (dir: string) => (await app.req('GET', '/api/v1/locks', { token: alice.token })).body.filter((l: any) => l.path === dir);

  it('keeps the plan with the lock in the planner\'s name; another user is refused naming the holder; a viewer cannot apply; the member\'s apply applies the saved plan once', async () => {
    const run = await keptPlan('network');
    expect(run).toMatchObject({ status: 'planned', keep_plan: true, has_changes: true, resources_added: 2, pull_request: null });
    expect(await locksOf('network')).toEqual([expect.objectContaining({ holder: expect.stringContaining(alice.email), holder_kind: 'actor', run_id: run.id })]);

    const other = await app.req('POST', '/api/v1/runs', { token: bob.token, body: { repo: 'acme/infra', dir: 'network', keep_plan: true } });
    expect(other.status).toBe(423);
    expect(other.body).toMatchObject({ code: 'run.lock_held', detail: expect.stringContaining(`locked by ${alice.email} (token test) (run ${run.id})`) });

    const refused = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: viewer.token });
    expect(refused.status).toBe(403);
    expect((await app.req('GET', `/api/v1/runs/${run.id}`, { token: alice.token })).body.status).toBe('planned');

    const applied = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: bob.token });
    expect(applied.status, applied.text).toBe(200);
    expect(applied.body).toMatchObject({ status: 'confirmed', approved_by: `${bob.email} (token test)` });
    const done = await waitForRun(app, run.id, (s) => ['applied', 'errored'].includes(s));
    expect(done.status, done.log).toBe('applied');
    const state = await app.req('GET', `/api/v1/tfstate/${encodeURIComponent(done.state_name)}/default`, { token: alice.token });
    expect(state.status).toBe(200);
    expect(state.body.serial).toBeGreaterThanOrEqual(1);
    expect(state.body.resources.map((r: any) => r.name).sort()).toEqual(['r0', 'r1']);
    expect(await locksOf('network')).toEqual([]);

    const again = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: alice.token });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'run.not_approvable', detail: expect.stringContaining(`run ${run.id} is applied`) });
  });

  it('two approvals at the same moment apply once', async () => {
    const run = await keptPlan('dns');
    const answers = await Promise.all([
      app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: alice.token }),
      app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: bob.token }),
      app.core.runs.apply(alice.actor, run.id).then(() => 200, (err) => (err.code === 'run.not_approvable' ? 409 : err)),
    ]);
    expect(answers.map((a) => (typeof a === 'number' ? a : a.status)).sort()).toEqual([200, 409, 409]);
    expect((await waitForRun(app, run.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
    const approvals = await app.sql("SELECT count(*)::int AS n FROM audit_log WHERE action = 'run.approve' AND target_id = :id", { id: run.id });
    expect(approvals[0].n).toBe(1);
    const applyLog = await app.core.runs.output(alice.actor, run.id, 'apply');
    expect(applyLog.match(/Apply complete!/g)).toHaveLength(1);
  });

  it('a newer plan of the same project by the same user supersedes the kept one, whose apply is then refused', async () => {
    const first = await keptPlan('db');
    const second = await keptPlan('db');
    const old = (await app.req('GET', `/api/v1/runs/${first.id}`, { token: alice.token })).body;
    expect(old).toMatchObject({ status: 'discarded', status_reason: `superseded by run ${second.id}` });
    const refused = await app.req('POST', `/api/v1/runs/${first.id}/apply`, { token: alice.token });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(`superseded by run ${second.id}`);
    expect(await locksOf('db')).toEqual([expect.objectContaining({ run_id: second.id, holder: expect.stringContaining(alice.email) })]);

    const discarded = await app.req('POST', `/api/v1/runs/${second.id}/discard`, { token: alice.token });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({ status: 'discarded', status_reason: `discarded by ${alice.email} (token test)` });
    expect(await locksOf('db')).toEqual([]);
    const twice = await app.req('POST', `/api/v1/runs/${second.id}/discard`, { token: alice.token });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('run.not_discardable');
    expect((await app.req('POST', `/api/v1/runs/${second.id}/apply`, { token: alice.token })).status).toBe(409);
  });

  it('a viewer cannot discard', async () => {
    const run = await keptPlan('queue');
    expect((await app.req('POST', `/api/v1/runs/${run.id}/discard`, { token: viewer.token })).status).toBe(403);
    expect((await app.req('GET', `/api/v1/runs/${run.id}`, { token: alice.token })).body.status).toBe('planned');
    await app.core.runs.discard(alice.actor, run.id);
  });

  it('expires after ATLANTAS_PLAN_TTL: discarded, lock released, apply refused (the clock is moved, nothing waits)', async () => {
    const run = await keptPlan('cache');
    expect((await app.internals.housekeeping.tick(new Date(Date.now() + HOUR))).expired).not.toContain(run.id);
    expect((await app.req('GET', `/api/v1/runs/${run.id}`, { token: alice.token })).body.status).toBe('planned');

    const { expired } = await app.internals.housekeeping.tick(new Date(Date.now() + 2 * HOUR + 60_000));
    expect(expired).toContain(run.id);
    const after = (await app.req('GET', `/api/v1/runs/${run.id}`, { token: alice.token })).body;
    expect(after).toMatchObject({ status: 'discarded', status_reason: 'plan expired: not applied within 2h; the lock was released' });
    expect(await locksOf('cache')).toEqual([]);
    expect((await app.sql('SELECT count(*)::int AS n FROM run_plans WHERE run_id = :id', { id: run.id }))[0].n).toBe(0);
    expect((await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: alice.token })).status).toBe(409);
    // Bob may plan the project now.
    const bobs = await keptPlan('cache', bob.token);
    expect(bobs.status).toBe('planned');
    await app.core.runs.discard(bob.actor, bobs.id);
  });

  it('core.commands.planKept (the Slack front end\'s call) plans and keeps, and reports another holder\'s lock per project', async () => {
    const mine = await keptPlan('queue');
    const outcome = await app.core.commands.planKept(bob.actor, { repo: 'acme/infra', dir: 'queue' }, 'slack');
    expect(outcome.results).toEqual([expect.objectContaining({ failure: expect.stringContaining(`locked by ${alice.email}`) })]);
    await app.core.runs.discard(alice.actor, mine.id);
    const ok = await app.core.commands.planKept(bob.actor, { repo: 'acme/infra', dir: 'queue' }, 'slack');
    const run = ok.results[0]!.run!;
    expect(run).toMatchObject({ keepPlan: true, source: 'slack', actorName: bob.email });
    expect((await waitForRun(app, run.id, undefined, 90_000, bob.token)).status).toBe('planned');
    await expect(app.core.commands.planKept(bob.actor, { repo: 'acme/../x', dir: 'queue' }, 'slack')).rejects.toMatchObject({ code: 'validation_error' });
    await app.core.runs.discard(bob.actor, run.id);
  });
});

describe('a kept plan of a pull request', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'prs' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'main');
    const sha = await repo.commitFiles({ 'app/main.tf': tfData(2) }, 'PR 5', { branch: 'feature-5' });
    await repo.setRef('refs/pull/5/head', sha);
    app = await startTestApp({ env: { ATLANTAS_APPLY_REQUIREMENTS: 'approved' }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('is the pull request\'s plan (its lock), and apply by run id refuses to skip the pull request\'s apply requirements', async () => {
    const member = await app.factories.user();
    const outcome = await app.core.commands.planKept(member.actor, { repo: 'acme/prs', pr: 5, dir: 'app' }, 'slack');
    const run = outcome.results[0]!.run!;
    expect(run).toMatchObject({ prNumber: 5, ref: 'refs/pull/5/head', applyRequirements: ['approved'] });
    const planned = await waitForRun(app, run.id, undefined, 90_000, member.token);
    expect(planned).toMatchObject({ status: 'planned', resources_added: 2 });
    expect((await app.req('GET', '/api/v1/locks', { token: member.token })).body).toEqual([expect.objectContaining({ holder: 'pull #5', run_id: run.id })]);
    const refused = await app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: member.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'run.apply_requirements', detail: expect.stringContaining('comment `atlantis apply` on the pull request') });
    expect((await app.req('GET', `/api/v1/runs/${run.id}`, { token: member.token })).body.status).toBe('planned');
  });
});
