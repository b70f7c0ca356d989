import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { maxOverlap, terraformSpy, type TerraformSpy } from '../harness/terraform-spy.js';
import { slowApply, tfData } from '../harness/tf-files.js';
import { waitForRun } from '../harness/runs.js';

const SECRET = 'queue-secret';

describe('the run queue', () => {
  let app: TestApp;
  let repo: BareRepo;
  let spy: TerraformSpy;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'many' });
    const files: Record<string, string> = { 'slow/main.tf': slowApply(60), 'quick/main.tf': tfData(1) };
    for (let i = 0; i < 10; i++) files[`p${i}/main.tf`] = tfData(1, `v${i}`);
    await repo.commitFiles(files, 'ten projects');
    spy = await terraformSpy();
    app = await startTestApp({
      // The spy records each process in a file outside any working copy, which the sandbox rightly
      // hides; the sandboxed cancel is test/runs/sandbox-cancel.test.ts.
      env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_PARALLELISM: '4', ATLANTAS_TF_BINARY: spy.binary, ATLANTAS_CANCEL_GRACE: '3s', ATLANTAS_SANDBOX: 'off' },
      childEnv: insteadOfEnv(repo.root),
    });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
    await spy?.cleanup();
  });

  it('runs ten projects queued at once with parallelism 4: never more than 4 terraform processes, never two on one project', async () => {
    const res = await app.req('POST', '/api/plan', {
      headers: { 'x-atlantis-token': SECRET },
      body: { Repository: 'acme/many', Ref: 'main', Type: 'Github', Paths: Array.from({ length: 10 }, (_, i) => ({ Directory: `p${i}`, Workspace: 'default' })) },
    });
    expect(res.body.data).toMatchObject({ total_projects: 10, success_count: 10 });
    const events = await spy.events();
    expect(events.filter((e) => e.kind === 'S' && e.command === 'plan')).toHaveLength(10);
    const overlap = maxOverlap(events);
    expect(overlap.overall).toBeLessThanOrEqual(4);
    expect(overlap.overall).toBeGreaterThan(1); // it did run in parallel
    expect(overlap.perDir).toBe(1);
  });

  it('lists runs with filters and pagination', async () => {
    const page1 = await app.req('GET', '/api/v1/runs?status=planned_and_finished&per_page=3', { token: app.admin.token });
    expect(page1.status).toBe(200);
    expect(page1.body).toHaveLength(3);
    expect(Number(page1.headers.get('x-total-count'))).toBeGreaterThanOrEqual(10);
    expect(page1.body.every((r: any) => r.status === 'planned_and_finished')).toBe(true);
    const page2 = await app.req('GET', '/api/v1/runs?status=planned_and_finished&per_page=3&page=2', { token: app.admin.token });
    expect(page2.body.map((r: any) => r.id)).not.toContain(page1.body[0].id);
    const bad = await app.req('GET', '/api/v1/runs?status=running', { token: app.admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/unknown status running/);
    const viewer = await app.factories.user({ role: 'viewer' });
    expect((await app.req('GET', '/api/v1/runs', { token: viewer.token })).status).toBe(200);
    const denied = await app.req('POST', '/api/v1/runs', { token: viewer.token, body: { repo: 'acme/many', dir: 'quick' } });
    expect(denied.status).toBe(403);
  });

  it('streams a run\'s output live over SSE until it settles, resumable with Last-Event-ID', async () => {
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/many', branch: 'main', dir: 'quick' } });
    const res = await fetch(`${app.url}/api/v1/runs/${run.body.id}/events`, { headers: { authorization: `Bearer ${app.admin.token}` } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text(); // the stream ends when the run settles
    const events = parseSse(text);
    expect(events.filter((e) => e.event === 'status').map((e) => JSON.parse(e.data).status)).toContain('planned_and_finished');
    expect(events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).text).join('')).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(events.at(-1)).toMatchObject({ event: 'end' });

    const firstId = events.find((e) => e.event === 'log')!.id!;
    const resumed = parseSse(await (await fetch(`${app.url}/api/v1/runs/${run.body.id}/events`, { headers: { authorization: `Bearer ${app.admin.token}`, 'last-event-id': firstId } })).text());
    expect(resumed.filter((e) => e.event === 'log').every((e) => Number(e.id) > Number(firstId))).toBe(true);
  });

  it('cancels a running apply: SIGINT, the run ends canceled, no terraform process is left and the project is free', async () => {
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/many', branch: 'main', dir: 'slow' } });
    await waitForRun(app, run.body.id);
    await app.req('POST', `/api/v1/runs/${run.body.id}/approve`, { token: app.admin.token });
    await waitForRun(app, run.body.id, () => true);
    await waitUntil(async () => (await app.req('GET', `/api/v1/runs/${run.body.id}`, { token: app.admin.token })).body.log.includes('Provisioning with'));
    const canceled = await app.req('POST', `/api/v1/runs/${run.body.id}/cancel`, { token: app.admin.token });
    expect(canceled.status).toBe(200);
    const done = await waitForRun(app, run.body.id, (s) => ['canceled', 'errored', 'applied'].includes(s), 30_000);
    expect(done.status).toBe('canceled');
    const events = await spy.events();
    const applies = events.filter((e) => e.command === 'apply' && e.dir.endsWith('/slow'));
    expect(applies.map((e) => e.kind)).toEqual(['S', 'E']); // the process ended
    expect((await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body.filter((l: any) => l.path === 'slow')).toEqual([]);
    const again = await app.req('POST', `/api/v1/runs/${run.body.id}/cancel`, { token: app.admin.token });
    expect(again.status).toBe(409);
  });

  it('holds a scheduled run until its time, listing it under /runs/scheduled', async () => {
    const at = new Date(Date.now() + 3600_000).toISOString();
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/many', branch: 'main', dir: 'p3', title: 'nightly', scheduled_at: at } });
    expect(run.body).toMatchObject({ status: 'pending', scheduled_at: at, title: 'nightly', commit_sha: null });
    const scheduled = await app.req('GET', '/api/v1/runs/scheduled', { token: app.admin.token });
    expect(scheduled.body.map((r: any) => r.id)).toContain(run.body.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await app.req('GET', `/api/v1/runs/${run.body.id}`, { token: app.admin.token })).body.status).toBe('pending');
    await app.sql("UPDATE runs SET scheduled_at = now() - interval '1 second' WHERE id = :id", { id: run.body.id });
    const done = await waitForRun(app, run.body.id);
    expect(done).toMatchObject({ status: 'planned_and_finished', has_changes: true }); // a plan outside a PR is speculative
  });
});

function parseSse(text: string): { event?: string; data: string; id?: string }[] {
  return text.split('\n\n').filter(Boolean).map((block) => {
    const e: { event?: string; data: string; id?: string } = { data: '' };
    for (const line of block.split('\n')) {
      const [k, ...v] = line.split(': ');
      if (k === 'event') e.event = v.join(': ');
      if (k === 'data') e.data += v.join(': ');
      if (k === 'id') e.id = v.join(': ');
    }
    return e;
  });
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
