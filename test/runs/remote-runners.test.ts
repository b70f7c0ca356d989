import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { liveMembers } from '../../src/core/terraform/orphan-group.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { request } from '../harness/http.js';
import { cleanEnv, spawnAtlantas, type ServerProcess } from '../harness/spawn-server.js';
import { createTestSchema, testDatabaseUrl, withClient } from '../harness/test-db.js';
import { slowApply, tfData } from '../harness/tf-files.js';

const ADMIN = { email: 'admin@runners.example.com', password: 'a-long-admin-password' };
const settled = (run: any) => ['planned', 'applied', 'planned_and_finished', 'errored', 'canceled', 'discarded'].includes(run.status);
const db = <T>(schema: string, query: string, params: unknown[] = []) => withClient(async (c) => (await c.query(query, params)).rows as T[], { schema });

/** `job started` / `job ended` lines of a runner's JSON log: which runs it executed, and when. */
function executions(out: string): Array<{ runId: string; start: number; end: number }> {
  const byRun = new Map<string, { runId: string; start: number; end: number }>();
  for (const line of out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const l = JSON.parse(line);
    if (l.msg === 'job started') byRun.set(`${l.runId}:${l.time}`, { runId: l.runId, start: l.time, end: Infinity });
    if (l.msg === 'job ended') {
      const open = [...byRun.values()].find((e) => e.runId === l.runId && e.end === Infinity);
      if (open) open.end = l.time;
    }
  }
  return [...byRun.values()];
}

function maxOverlap(execs: Array<{ start: number; end: number }>): number {
  const points = execs.flatMap((e) => [[e.start, 1], [e.end, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (now += d));
  return max;
}

describe('remote runners', () => {
  it('a server with ATLANTAS_WORKERS=false and two runners: every run finishes once, parallelism holds, a killed runner errors its run and frees its locks', { timeout: 600_000 }, async () => {
    const { schema, drop } = await createTestSchema('runners');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-runners-'));
    const repo = await createBareRepo({ owner: 'acme', name: 'fleet' });
    const procs: ServerProcess[] = [];
    let terraformPid = 0;
    onTestFinished(async () => {
      for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) await p.stop('SIGKILL');
      if (terraformPid) for (const m of (await liveMembers(terraformPid)) ?? []) process.kill(m.pid, 'SIGKILL');
      await drop();
      await rm(dataDir, { recursive: true, force: true });
      await repo.cleanup();
    });
    const server = await spawnAtlantas(['server'], {
      env: cleanEnv({
        ATLANTAS_PORT: '0', ATLANTAS_HOST: '127.0.0.1', DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_DATA_DIR: path.join(dataDir, 'server'),
        ATLANTAS_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ATLANTAS_ADMIN_EMAIL: ADMIN.email, ATLANTAS_ADMIN_PASSWORD: ADMIN.password,
        ATLANTAS_WORKERS: 'false', ATLANTAS_RUNNER_TIMEOUT: '8s', ATLANTAS_RATE_LIMIT: '0', ...insteadOfEnv(repo.root),
      }),
    });
    procs.push(server);
    const token = (await request(server.url, 'POST', '/api/v1/auth/login', { body: ADMIN })).body.access_token;
    const api = (method: string, p: string, body?: object) => request(server.url, method, p, { token, body });
    const waitFor = async (id: string, until: (run: any) => boolean, timeoutMs = 240_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = (await api('GET', `/api/v1/runs/${id}`)).body;
        if (until(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status}:\n${run.log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };

    const pool = await api('POST', '/api/v1/runner-pools', { name: 'fleet', tenant_default: true });
    expect(pool.status).toBe(201);
    const issued = await api('POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { name: 'ci' });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^atr_/);
    const runner = (name: string) =>
      spawnAtlantas(['runner', '--name', name], {
        waitForListen: false,
        env: cleanEnv({ ATLANTAS_URL: server.url, ATLANTAS_RUNNER_TOKEN: issued.body.token, ATLANTAS_PARALLELISM: '2', ATLANTAS_DATA_DIR: path.join(dataDir, name), ...insteadOfEnv(repo.root) }),
      });
    const a = await runner('runner-a');
    const b = await runner('runner-b');
    procs.push(a, b);

    // Twelve projects queued at once.
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`p${i}/main.tf`] = tfData(1, `v${i}`);
    files['slow/main.tf'] = tfData(1);
    await repo.commitFiles(files, 'twelve projects');
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => api('POST', '/api/v1/runs', { command: 'plan', repo: 'acme/fleet', branch: 'main', dir: `p${i}` })));
    const ids = created.map((c) => { expect(c.status, JSON.stringify(c.body)).toBe(201); return c.body.id as string; });
    const done = await Promise.all(ids.map((id) => waitFor(id, settled)));
    for (const run of done) expect(['planned', 'planned_and_finished'], run.log).toContain(run.status);
    const ea = executions(a.stdout());
    const eb = executions(b.stdout());
    const all = [...ea, ...eb].map((e) => e.runId).sort();
    expect(all).toEqual([...ids].sort()); // each ran exactly once, on one runner or the other
    expect(maxOverlap(ea)).toBeLessThanOrEqual(2);
    expect(maxOverlap(eb)).toBeLessThanOrEqual(2);
    const listed = await api('GET', `/api/v1/runner-pools/${pool.body.id}/runners`);
    expect(listed.body.map((r: any) => r.name).sort()).toEqual(['runner-a', 'runner-b']);

    // A runner token reaches no other API, and no run it does not hold.
    const runnerToken = issued.body.token;
    for (const p of [`/api/v1/runs/${ids[0]}`, '/api/v1/runs', `/api/v1/tfstate/${encodeURIComponent(done[0].state_name ?? 'x')}/default`]) {
      const res = await request(server.url, 'GET', p, { token: runnerToken });
      expect([401, 403, 404], `${p} → ${res.status}`).toContain(res.status);
    }
    const reg = await fetch(`${server.url}/api/v1/runner/register`, { method: 'POST', headers: { authorization: `Bearer ${runnerToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'probe', version: 'x' }) });
    const probe = (await reg.json()) as { id: string };
    const other = await fetch(`${server.url}/api/v1/runner/jobs/${ids[0]}`, { headers: { authorization: `Bearer ${runnerToken}`, 'x-atlantas-runner': probe.id } });
    expect(other.status).toBe(404);

    // An apply with a slow provisioner; its runner is SIGKILLed while it runs.
    const first = await api('POST', '/api/v1/runs', { command: 'apply', repo: 'acme/fleet', branch: 'main', dir: 'slow' });
    expect((await waitFor(first.body.id, settled)).status).toBe('planned');
    await api('POST', `/api/v1/runs/${first.body.id}/approve`);
    expect((await waitFor(first.body.id, (r) => ['applied', 'errored'].includes(r.status))).status).toBe('applied');
    const before = JSON.parse((await api('GET', `/api/v1/tfstate/${encodeURIComponent(done[0].state_name?.replace(/p0$/, 'slow') ?? '')}/default`)).text || '{}');
    await repo.commitFiles({ 'slow/main.tf': tfData(1) + slowApply(600) }, 'a slow resource');
    const slow = (await api('POST', '/api/v1/runs', { command: 'apply', repo: 'acme/fleet', branch: 'main', dir: 'slow' })).body;
    expect((await waitFor(slow.id, settled)).status).toBe('planned');
    await api('POST', `/api/v1/runs/${slow.id}/approve`);
    await waitFor(slow.id, (r) => r.status === 'applying' && r.log.includes('Provisioning with'));
    const [row] = await db<{ worker_id: string; runner_pid: number; state_name: string }>(schema, 'SELECT worker_id, runner_pid, state_name FROM runs WHERE id = $1', [slow.id]);
    terraformPid = row.runner_pid;
    // the runner executing the apply now (the plan may have run on the other one)
    const holder = executions(a.stdout()).some((e) => e.runId === slow.id && e.end === Infinity) ? a : b;
    const survivor = holder === a ? b : a;
    expect(await db(schema, "SELECT run_id FROM project_locks WHERE dir = 'slow'")).toEqual([{ run_id: slow.id }]);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    const errored = await waitFor(slow.id, (r) => r.status !== 'applying', 60_000).catch((err) => {
      throw new Error(`${err.message}\nserver: ${server.stdout().split('\n').filter((l) => /recover|error/i.test(l)).join('\n')}`);
    });
    expect(errored.status).toBe('errored');
    expect(errored.status_reason).toMatch(/^interrupted: the runner executing this apply \(runner:.+\) stopped heartbeating before it finished$/);
    expect(await db(schema, "SELECT run_id FROM project_locks WHERE dir = 'slow'")).toEqual([]);
    expect(await db(schema, 'SELECT name FROM states WHERE lock_id IS NOT NULL')).toEqual([]);
    for (const m of (await liveMembers(terraformPid)) ?? []) process.kill(m.pid, 'SIGKILL'); // what a dead machine would not leave behind
    const after = JSON.parse((await api('GET', `/api/v1/tfstate/${encodeURIComponent(row.state_name)}/default`)).text);
    expect(after.resources.length).toBeGreaterThanOrEqual(1);
    if (before.lineage) expect(after.lineage).toBe(before.lineage);

    // The next plan of that project runs on the other runner.
    await repo.commitFiles({ 'slow/main.tf': tfData(2) }, 'no more slow');
    const next = (await api('POST', '/api/v1/runs', { command: 'plan', repo: 'acme/fleet', branch: 'main', dir: 'slow' })).body;
    const planned = await waitFor(next.id, settled);
    expect(['planned', 'planned_and_finished'], `${planned.status_reason}\n${planned.log}`).toContain(planned.status);
    expect(executions(survivor.stdout()).map((e) => e.runId)).toContain(next.id);
  });
});
