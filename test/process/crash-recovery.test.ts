import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { liveMembers, RUN_ID_ENV } from '../../src/core/terraform/orphan-group.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { request } from '../harness/http.js';
import { cleanEnv, spawnAtlantas, type ServerProcess } from '../harness/spawn-server.js';
import { createTestSchema, testDatabaseUrl, withClient } from '../harness/test-db.js';
import { slowApply, tfData } from '../harness/tf-files.js';

const ADMIN = { email: 'admin@crash.example.com', password: 'a-long-admin-password' };

/** One server's view: log in, create and approve runs, read them back. */
function client(server: ServerProcess) {
  let token = '';
  const api = async (method: string, p: string, body?: object) => {
    token ||= (await request(server.url, 'POST', '/api/v1/auth/login', { body: ADMIN })).body.access_token;
    return request(server.url, method, p, { token, body });
  };
  return {
    api,
    createApply: async (dir: string) => (await api('POST', '/api/v1/runs', { command: 'apply', repo: 'acme/crash', branch: 'main', dir })).body,
    /** polls the run until `until(run)` holds */
    async waitFor(id: string, until: (run: any) => boolean, timeoutMs = 120_000): Promise<any> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = (await api('GET', `/api/v1/runs/${id}`)).body;
        if (until(run)) return run;
        if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status}:\n${run.log}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    state: async (name: string) => (await api('GET', `/api/v1/tfstate/${encodeURIComponent(name)}/default`)).text,
  };
}

const settled = (run: any) => ['planned', 'applied', 'planned_and_finished', 'errored', 'canceled', 'discarded'].includes(run.status);

/** plan → approve → applied, through the REST API */
async function applyAndWait(api: ReturnType<typeof client>, dir: string): Promise<any> {
  const created = await api.createApply(dir);
  const planned = await api.waitFor(created.id, settled);
  expect(planned.status, planned.log).toBe('planned');
  expect((await api.api('POST', `/api/v1/runs/${created.id}/approve`)).status).toBe(200);
  return api.waitFor(created.id, (r) => ['applied', 'errored'].includes(r.status));
}

const db = <T>(schema: string, query: string, params: unknown[] = []) => withClient(async (c) => (await c.query(query, params)).rows as T[], { schema });

describe('crash recovery', () => {
  for (const sandbox of ['off', 'auto'] as const) it(`SIGKILL during an apply (ATLANTAS_SANDBOX=${sandbox}): the next start errors the run with the reason, frees its locks, kills its terraform, keeps the state`, { timeout: 300_000 }, async () => {
    const { schema, drop } = await createTestSchema('crash');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-crash-'));
    const repo = await createBareRepo({ owner: 'acme', name: 'crash' });
    const servers: ServerProcess[] = [];
    let runnerPid = 0;
    onTestFinished(async () => {
      for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop('SIGKILL');
      if (runnerPid) for (const m of (await liveMembers(runnerPid)) ?? []) process.kill(m.pid, 'SIGKILL');
      await drop();
      await rm(dataDir, { recursive: true, force: true });
      await repo.cleanup();
    });
    const env = cleanEnv({
      ATLANTAS_PORT: '0', ATLANTAS_HOST: '127.0.0.1', DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_DATA_DIR: dataDir,
      ATLANTAS_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ATLANTAS_API_SECRET: 'crash-secret',
      ATLANTAS_ADMIN_EMAIL: ADMIN.email, ATLANTAS_ADMIN_PASSWORD: ADMIN.password, ...insteadOfEnv(repo.root),
      // Unsandboxed, terraform's children outlive a SIGKILLed server and recovery must kill them;
      // a sandbox dies with its server (bwrap --die-with-parent): the test below.
      ATLANTAS_SANDBOX: sandbox,
    });
    const start = async () => {
      const server = await spawnAtlantas(['server'], { env });
      servers.push(server);
      return server;
    };

    // A state to protect: one resource applied before the crash.
    await repo.commitFiles({ 'slow/main.tf': tfData(1) }, 'one resource');
    const first = await start();
    const api1 = client(first);
    expect((await api1.api('GET', '/status')).body.sandbox).toBe(sandbox === 'auto' ? 'bwrap' : 'off');
    const applied = await applyAndWait(api1, 'slow');
    expect(applied.status, applied.log).toBe('applied');
    const before = JSON.parse(await api1.state(applied.state_name));
    expect(before.resources).toHaveLength(1);

    // An apply that takes minutes, killed with the server while its provisioner runs.
    await repo.commitFiles({ 'slow/main.tf': tfData(1) + slowApply(600) }, 'a slow resource');
    const run = await api1.createApply('slow');
    expect((await api1.waitFor(run.id, settled)).status).toBe('planned');
    await api1.api('POST', `/api/v1/runs/${run.id}/approve`);
    await api1.waitFor(run.id, (r) => r.status === 'applying' && r.log.includes('Provisioning with'));
    const [row] = await db<{ runner_pid: number }>(schema, 'SELECT runner_pid FROM runs WHERE id = $1', [run.id]);
    runnerPid = row.runner_pid;
    expect((await liveMembers(runnerPid))?.length).toBeGreaterThan(0);
    expect(await db(schema, 'SELECT locked_by FROM states WHERE lock_id IS NOT NULL')).toEqual([{ locked_by: `run ${run.id}` }]);
    expect(await db(schema, "SELECT run_id FROM project_locks WHERE dir = 'slow'")).toEqual([{ run_id: run.id }]);

    first.proc.kill('SIGKILL');
    await first.exited;
    if (sandbox === 'auto') {
      // bwrap --die-with-parent: the whole sandbox, terraform and the provisioner's `sleep 600` included, goes with the server
      await waitUntil(async () => (await liveMembers(runnerPid))?.length === 0, 10_000);
      await waitUntil(async () => !(await someProcessCarries(run.id)), 10_000);
    } else {
      // terraform outlives its server (own process group) until its next write hits the closed pipe;
      // give it that moment, so that what is left is what a real crash leaves: the provisioner's children.
      await waitUntil(async () => !(await liveMembers(runnerPid))?.some((m) => m.pid === runnerPid), 30_000).catch(() => {});
      expect((await liveMembers(runnerPid))?.length).toBeGreaterThan(0); // `sleep 600` is still running, orphaned
    }

    const second = await start();
    if (sandbox === 'off') expect(second.stdout()).toContain('killed the terraform process group of an interrupted run');
    const api2 = client(second);
    const recovered = (await api2.api('GET', `/api/v1/runs/${run.id}`)).body;
    expect(recovered).toMatchObject({ status: 'errored', error: expect.stringContaining('check the state and plan again') });
    expect(recovered.status_reason).toMatch(/^interrupted: the Atlantas process running this apply \(.+\) stopped before it finished$/);
    expect(await db(schema, "SELECT run_id FROM project_locks WHERE dir = 'slow'")).toEqual([]);
    expect(await db(schema, 'SELECT name FROM states WHERE lock_id IS NOT NULL')).toEqual([]);
    await waitUntil(async () => (await liveMembers(runnerPid))?.length === 0, 10_000);

    const after = JSON.parse(await api2.state(applied.state_name));
    expect(after.lineage).toBe(before.lineage);
    expect(after.serial).toBeGreaterThanOrEqual(before.serial);

    // Nothing is stuck: the same project plans and applies again, into the same state.
    await repo.commitFiles({ 'slow/main.tf': tfData(1) + slowApply(1) }, 'a quicker resource');
    const again = await applyAndWait(api2, 'slow');
    expect(again.status, again.log).toBe('applied');
    const final = JSON.parse(await api2.state(applied.state_name));
    expect(final).toMatchObject({ lineage: before.lineage, serial: expect.any(Number) });
    expect(final.serial).toBeGreaterThan(after.serial);
    expect(final.resources.map((r: any) => r.name).sort()).toEqual(['r0', 'slow']);
    expect(await second.stop('SIGTERM')).toBe(0);
  });
});

/** Whether a live process (in or out of a sandbox) carries the run's marker in its environment. */
async function someProcessCarries(runId: string): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`${RUN_ID_ENV}=${runId}`)) return true;
  }
  return false;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
