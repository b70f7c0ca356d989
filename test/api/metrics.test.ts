import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { eventually, sendWebhook } from '../harness/github-webhooks.js';
import { scrape, type Scrape } from '../harness/prometheus.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * GET /metrics as Prometheus scrapes it: the exposition parses with a text-format parser, the
 * token is enforced, and the counters move when real work happens (a terraform plan through
 * POST /api/v1/runs, state backend writes and lock conflicts, webhook deliveries).
 */
const TOKEN = 'metrics-scrape-token-0123456789';
const SECRET = 'webhook-secret-for-metrics';

const stateBody = (serial: number, lineage: string) => JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage, outputs: {}, resources: [] });

describe('GET /metrics', () => {
  let app: TestApp;
  let repo: BareRepo;
  const metrics = () => scrape(app, TOKEN);

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'metrics' });
    await repo.commitFiles({ 'net/main.tf': tfData(1) }, 'one project');
    app = await startTestApp({ env: { ATLANTAS_METRICS_TOKEN: TOKEN }, childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('requires ATLANTAS_METRICS_TOKEN as a bearer token when it is set', async () => {
    const missing = await app.req('GET', '/metrics');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringContaining('ATLANTAS_METRICS_TOKEN') });
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await app.req('GET', '/metrics', { token: `${TOKEN}x` })).status).toBe(401);
    expect((await app.req('GET', '/metrics', { token: app.admin.token })).status).toBe(401); // an API credential is not the scrape token
    const basic = `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString('base64')}`;
    expect((await app.req('GET', '/metrics', { headers: { authorization: basic } })).status).toBe(401);

    const ok = await app.req('GET', '/metrics', { token: TOKEN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).not.toContain(TOKEN);
  });

  it('serves default process metrics, and HTTP requests by route template, never by raw path', async () => {
    const id = randomUUID();
    expect((await app.req('GET', `/api/v1/projects/${id}`, { token: app.admin.token })).status).toBe(404);
    expect((await app.req('GET', `/api/v1/runs/${id}`)).status).toBe(401); // refused by authentication, before the handler
    expect((await app.req('GET', `/no/such/${id}`)).status).toBe(404);

    const m = await metrics();
    expect(m.families.map((f) => f.name)).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']));
    expect(m.value('atlantas_http_requests_total', { method: 'GET', route: '/api/v1/projects/:id', status: '404' })).toBe(1);
    expect(m.value('atlantas_http_requests_total', { method: 'GET', route: '/api/v1/runs/:id', status: '401' })).toBe(1);
    expect(m.value('atlantas_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(m.count('atlantas_http_request_duration_seconds', { method: 'GET', route: '/api/v1/projects/:id' })).toBe(1);
    const labels = m.families.flatMap((f) => f.metrics.flatMap((s) => Object.values(s.labels ?? {})));
    expect(labels.filter((v) => v.includes(id))).toEqual([]);
  });

  it('counts a real terraform plan through POST /api/v1/runs: its statuses, its duration, the request', async () => {
    const before = await metrics();
    const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/metrics', branch: 'main', dir: 'net' } });
    expect(res.status, res.text).toBe(201);
    const run = await waitForRun(app, res.body.id);
    expect(run.status, run.log).toBe('planned_and_finished');

    // The worker times the execution as it returns, a moment after the run's status is visible.
    const duration = (m: Scrape) => m.count('atlantas_run_duration_seconds', { command: 'plan', phase: 'plan' });
    const after = (await eventually(async () => {
      const m = await metrics();
      return duration(m) > duration(before) ? m : null;
    }, 'the run execution to be timed'))!;
    expect(duration(after) - duration(before)).toBe(1);
    const runs = (status: string, m = after) => m.value('atlantas_runs_total', { status, command: 'plan', source: 'api' });
    for (const status of ['pending', 'planning', 'planned_and_finished']) expect(runs(status) - runs(status, before), status).toBe(1);
    expect(runs('planned') - runs('planned', before)).toBe(0); // a speculative plan never waits for an apply
    const created = (m: Scrape) => m.value('atlantas_http_requests_total', { method: 'POST', route: '/api/v1/runs', status: '201' });
    expect(created(after) - created(before)).toBe(1);
    // Nothing is left waiting or running once the plan settled.
    expect(after.labelSets('atlantas_run_queue_depth')).toHaveLength(1);
    expect(after.value('atlantas_run_queue_depth')).toBe(0);
    expect(after.value('atlantas_terraform_processes')).toBe(0);
  });

  it('counts state writes (new and retried) and lock conflicts of the state backend', async () => {
    const path = `/api/v1/tfstate/metrics-${randomUUID().slice(0, 8)}/default`;
    const json = { 'content-type': 'application/json' };
    const before = await metrics();
    const body = stateBody(1, randomUUID());
    expect((await app.req('POST', path, { token: app.admin.token, rawBody: body, headers: json })).status).toBe(200);
    expect((await app.req('POST', path, { token: app.admin.token, rawBody: body, headers: json })).status).toBe(200); // a retry
    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Who: 'alice@laptop' };
    expect((await app.req('LOCK', path, { token: app.admin.token, body: holder })).status).toBe(200);
    expect((await app.req('LOCK', path, { token: app.admin.token, body: { ...holder, ID: randomUUID() } })).status).toBe(423);
    expect((await app.req('POST', path, { token: app.admin.token, rawBody: stateBody(2, JSON.parse(body).lineage), headers: json })).status).toBe(423);

    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) => after.value(name, labels) - before.value(name, labels);
    expect(delta('atlantas_state_writes_total', { result: 'written' })).toBe(1);
    expect(delta('atlantas_state_writes_total', { result: 'unchanged' })).toBe(1);
    expect(delta('atlantas_state_lock_conflicts_total', { operation: 'lock' })).toBe(1);
    expect(delta('atlantas_state_lock_conflicts_total', { operation: 'write' })).toBe(1);
    // The state backend's route template names the parameters, not the state.
    expect(after.value('atlantas_http_requests_total', { method: 'LOCK', route: '/api/v1/tfstate/:name/:workspace', status: '423' })).toBeGreaterThanOrEqual(1);
  });

  describe('a second server in the same process', () => {
    let gh: FakeGitHub;
    let other: TestApp;

    beforeAll(async () => {
      gh = await startFakeGitHub();
      other = await startTestApp({
        env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_GH_WEBHOOK_SECRET: SECRET, ATLANTAS_WORKERS: 'false' },
        childEnv: insteadOfEnv(repo.root, `${gh.url}/`),
      });
    });
    afterAll(async () => {
      await other?.close();
      await gh?.close();
    });

    it('counts only its own work, is open without a token, and shows the queue depth of waiting runs', async () => {
      const fresh = await scrape(other);
      expect(fresh.value('atlantas_runs_total')).toBe(0); // the first server's runs are not here
      const res = await other.req('POST', '/api/v1/runs', { token: other.admin.token, body: { repo: 'acme/metrics', branch: 'main', dir: 'net' } });
      expect(res.status, res.text).toBe(201);
      const m = await scrape(other);
      expect(m.value('atlantas_run_queue_depth')).toBe(1); // no worker runs here: the run waits
      expect(m.value('atlantas_runs_total', { status: 'pending', command: 'plan', source: 'api' })).toBe(1);
    });

    it('counts webhook deliveries by result', async () => {
      const delivery = randomUUID();
      const ping = { zen: 'Keep it logically awesome.', hook_id: 1 };
      expect((await sendWebhook(other.url, 'ping', ping, { secret: SECRET, delivery })).status).toBe(202);
      expect((await sendWebhook(other.url, 'ping', ping, { secret: SECRET, delivery })).status).toBe(200);
      expect((await sendWebhook(other.url, 'ping', ping, { secret: 'not-the-secret' })).status).toBe(401);
      const m = await scrape(other);
      for (const result of ['accepted', 'duplicate', 'invalid_signature']) expect(m.value('atlantas_webhook_deliveries_total', { result }), result).toBe(1);
    });
  });
});
