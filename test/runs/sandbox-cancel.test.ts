import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RUN_ID_ENV } from '../../src/core/terraform/orphan-group.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp } from '../harness/start-app.js';
import { slowApply, tfData } from '../harness/tf-files.js';

/** Pids of every process (outside or inside a sandbox) whose environment carries the run's marker. */
async function processesOfRun(runId: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`${RUN_ID_ENV}=${runId}`) && (await alive(Number(entry)))) pids.push(Number(entry));
  }
  return pids;
}

/** Running, that is: not gone and not a zombie (the sandbox's init is reparented to pid 1 when bwrap exits; reaping it is pid 1's job). */
async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/\) [ZX] /.test(stat);
}

describe('cancel of a sandboxed apply', () => {
  it('interrupts terraform inside the sandbox: the run ends canceled, its project lock and state lock are freed, nothing is left running', { timeout: 180_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'sbcancel' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'slow/main.tf': tfData(1) + slowApply(600) }, 'a slow resource');
    const app = await startTestApp({ childEnv: insteadOfEnv(repo.root), env: { ATLANTAS_CANCEL_GRACE: '60s' } });
    onTestFinished(() => app.close());
    expect((await app.req('GET', '/status')).body.sandbox).toBe('bwrap');

    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/sbcancel', branch: 'main', dir: 'slow' } });
    expect((await waitForRun(app, created.body.id)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const id = created.body.id;
    for (let i = 0; ; i++) {
      const run = (await app.req('GET', `/api/v1/runs/${id}`, { token: app.admin.token })).body;
      if (run.status === 'applying' && run.log.includes('Provisioning with')) break;
      if (i > 300) throw new Error(`run is ${run.status}: ${run.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const running = await processesOfRun(id);
    expect(running.length).toBeGreaterThan(2); // bwrap, the sandbox's init, terraform, the provisioner's shell and sleep
    expect(await app.sql('SELECT locked_by FROM states WHERE lock_id IS NOT NULL')).toEqual([{ locked_by: `run ${id}` }]);

    const started = Date.now();
    expect((await app.req('POST', `/api/v1/runs/${id}/cancel`, { token: app.admin.token })).status).toBe(200);
    const canceled = await waitForRun(app, id);
    expect(canceled.status, canceled.log).toBe('canceled');
    expect(Date.now() - started).toBeLessThan(60_000); // well inside the grace period: SIGINT did it, not the SIGKILL after it
    expect(canceled.log).toContain('Interrupt received'); // terraform itself got the SIGINT, through the sandbox
    expect(await app.sql("SELECT run_id FROM project_locks WHERE dir = 'slow'")).toEqual([]);
    expect(await app.sql('SELECT name FROM states WHERE lock_id IS NOT NULL')).toEqual([]); // terraform released its state lock on the way out
    expect(await processesOfRun(id)).toEqual([]);
    for (const pid of running) expect(await alive(pid), `pid ${pid}`).toBe(false);

    // the project is usable again at once
    await repo.commitFiles({ 'slow/main.tf': tfData(1) }, 'no more slow resource');
    const again = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/sbcancel', branch: 'main', dir: 'slow' } });
    expect(again.status, again.text).toBe(201);
    expect((await waitForRun(app, again.body.id)).status).toMatch(/^planned/);
  });
});
