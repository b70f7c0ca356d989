import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const failingApply = `resource "terraform_data" "boom" {
  provisioner "local-exec" {
    command = "echo going down; exit 3"
  }
}
`;

/** AtlasAI's /api/logs, /api/metrics/query and /api/traces over real runs of the real server. */
describe('observability over Atlantas\'s own data', () => {
  let app: TestApp;
  let repo: BareRepo;
  let member: Awaited<ReturnType<TestApp['factories']['user']>>;
  let applied: any;
  let failed: any;
  const startedAt = new Date(Date.now() - 60_000);
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'obs' });
    await repo.commitFiles({ 'ok/main.tf': tfData(2), 'bad/main.tf': failingApply }, 'one that applies, one that fails');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    member = await app.factories.user();
    const apply = async (dir: string) => {
      const res = await app.req('POST', '/api/v1/runs', { token: member.token, body: { repo: 'acme/obs', dir, keep_plan: true } });
      expect(res.status, res.text).toBe(201);
      const planned = await waitForRun(app, res.body.id);
      expect(planned.status, planned.log).toBe('planned');
      expect((await app.req('POST', `/api/v1/runs/${planned.id}/apply`, { token: member.token })).status).toBe(200);
      return waitForRun(app, planned.id, (s) => ['applied', 'errored'].includes(s));
    };
    [applied, failed] = await Promise.all([apply('ok'), apply('bad')]);
    expect(applied.status, applied.log).toBe('applied');
    expect(failed.status, failed.log).toBe('errored');
  }, 180_000);
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const get = (path: string, token = member.token) => app.req('GET', path, { token });

  it('gives a run\'s output as log lines, and only its errors at level=error', async () => {
    const res = await get(`/api/logs?service=runs&run_id=${applied.id}&limit=1000`);
    expect(res.status, res.text).toBe(200);
    const lines = res.body.data.items;
    expect(lines.find((l: any) => l.message.includes('Apply complete!'))).toMatchObject({ service: 'runs', phase: 'apply', level: 'info', run_id: applied.id, project: 'acme/obs/ok' });
    expect(lines.some((l: any) => l.message.includes('Plan: 2 to add') && l.phase === 'plan')).toBe(true);
    const times = lines.map((l: any) => Date.parse(l.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a)); // newest first

    const errors = (await get('/api/logs?service=runs&level=error&limit=1000')).body.data.items;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((l: any) => l.level === 'error' && l.run_id === failed.id)).toBe(true);
    expect(errors.some((l: any) => l.message.includes('Error: local-exec provisioner error'))).toBe(true);
  });

  it('includes the audit trail for those who may read it', async () => {
    const all = (await get('/api/logs?limit=1000', app.admin.token)).body.data.items;
    expect(all.find((l: any) => l.service === 'audit' && l.action === 'run.approve')).toMatchObject({ actor: expect.stringContaining(member.email), level: 'info' });
    expect((await get('/api/logs?limit=1000')).body.data.items.some((l: any) => l.service === 'audit')).toBe(false);
    const refused = await get('/api/logs?service=audit');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    const bad = await get('/api/logs?level=loud&limit=5000');
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatch(/level must be one of debug, info, warn, error/);
    expect(bad.body.error).toMatch(/limit must be at most 1000/);
  });

  it('computes metric series from the recorded runs and state writes', async () => {
    const window = `start=${startedAt.toISOString()}&end=${new Date(Date.now() + 60_000).toISOString()}&step=60s`;
    const sum = (series: any[]) => series.flatMap((s: any) => s.values.map((v: any) => v[1])).reduce((a: number, b: number) => a + b, 0);

    const runs = (await get(`/api/metrics/query?metric_name=runs_total&${window}`)).body.data;
    expect(runs).toMatchObject({ metric_name: 'runs_total', step: 60 });
    expect(sum(runs.series)).toBe(2);
    expect(runs.series.map((s: any) => s.labels.status).sort()).toEqual(['applied', 'errored']);
    expect(runs.series[0].values.length).toBe(Math.ceil((Date.now() + 60_000 - startedAt.getTime()) / 60_000));

    const failures = (await get(`/api/metrics/query?metric_name=runs_failed_total&${window}`)).body.data;
    expect(sum(failures.series)).toBe(1);
    expect(sum((await get(`/api/metrics/query?metric_name=applies_total&${window}`)).body.data.series)).toBe(1);
    expect(sum((await get(`/api/metrics/query?metric_name=state_writes_total&${window}`)).body.data.series)).toBeGreaterThanOrEqual(1);
    const durations = (await get(`/api/metrics/query?metric_name=run_duration_seconds&${window}`)).body.data.series;
    expect(durations.flatMap((s: any) => s.values).every(([, v]: [string, number]) => v > 0)).toBe(true);
    expect((await get(`/api/metrics/query?metric_name=drift_detected_total&${window}`)).body.data.series).toEqual([
      { labels: {}, values: expect.any(Array) },
    ]);

    const unknown = await get('/api/metrics/query?metric_name=http_requests_total');
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toContain('metric_name must be one of runs_total');
    const tooMany = await get('/api/metrics/query?metric_name=runs_total&start=2026-01-01T00:00:00Z&end=2026-12-01T00:00:00Z&step=1s');
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toContain('use a larger step');
  });

  it('shows a run as a trace of its steps', async () => {
    const res = await get('/api/traces?service=acme/obs');
    expect(res.status, res.text).toBe(200);
    const trace = res.body.data.items.find((t: any) => t.trace_id === applied.id);
    expect(trace).toMatchObject({ status: 'applied', service: 'acme/obs', name: 'plan acme/obs/ok@default' });
    const names = trace.spans.map((s: any) => s.name);
    expect(names).toEqual(expect.arrayContaining(['queued', 'checkout', 'plan', 'approval', 'apply']));
    for (const s of trace.spans) {
      expect(s.duration_ms).toBe(Date.parse(s.end) - Date.parse(s.start));
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(Date.parse(trace.start));
      expect(Date.parse(s.end)).toBeLessThanOrEqual(Date.parse(trace.end));
    }
    const starts = trace.spans.map((s: any) => Date.parse(s.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const errored = (await get('/api/traces?status=errored')).body.data.items;
    expect(errored.map((t: any) => t.trace_id)).toEqual([failed.id]);
  });

  it('keeps every tenant to its own logs, series and traces', async () => {
    const other = await app.factories.tenant();
    expect((await get('/api/logs?limit=1000', other.adminToken)).body.data.items.filter((l: any) => l.service === 'runs')).toEqual([]);
    expect((await get('/api/traces', other.adminToken)).body.data.items).toEqual([]);
    const series = (await get('/api/metrics/query?metric_name=runs_total', other.adminToken)).body.data.series;
    expect(series.flatMap((s: any) => s.values.map((v: any) => v[1])).every((v: number) => v === 0)).toBe(true);
    expect((await app.req('GET', '/api/traces')).status).toBe(401);
  });
});
