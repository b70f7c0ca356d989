import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/main.js';
import { captureLogs } from '../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/** A PATH holding git and terraform but no bwrap: a machine where bubblewrap is not installed. */
async function pathWithoutBwrap(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-nobwrap-'));
  for (const tool of ['git', 'terraform', 'sh', 'env', 'bash']) {
    const real = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    await symlink(real, path.join(dir, tool));
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

describe('ATLANTAS_SANDBOX=auto on a machine without bubblewrap', () => {
  let app: TestApp;
  let repo: BareRepo;
  let bin: { dir: string; cleanup(): Promise<void> };
  beforeAll(async () => {
    bin = await pathWithoutBwrap();
    repo = await createBareRepo({ owner: 'acme', name: 'nobwrap' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'a project');
    app = await startTestApp({ childEnv: { ...insteadOfEnv(repo.root), PATH: bin.dir }, env: { ATLANTAS_SANDBOX: 'auto' } });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
    await bin?.cleanup();
  });

  it('starts, warns loudly, and says so on /status', async () => {
    const status = await app.req('GET', '/status');
    expect(status.body).toMatchObject({ sandbox: 'off', sandbox_warning: expect.stringContaining('apt-get install bubblewrap') });
    expect(app.logs.lines.some((l) => (l.level as number) >= 40 && /SANDBOX OFF.*bwrap \(bubblewrap\) is not on PATH/.test(String(l.msg)))).toBe(true);
  });

  it('runs the default tenant\'s plans', async () => {
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/nobwrap', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    const run = await waitForRun(app, created.body.id);
    expect(run.status, run.log).toBe('planned_and_finished');
  });

  it('refuses another tenant\'s runs up front with the install hint: nothing is cloned, queued or run', async () => {
    const team = await app.factories.tenant();
    expect((await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } })).status).toBe(200);
    const refused = await app.req('POST', '/api/v1/runs', { token: team.adminToken, body: { repo: 'acme/nobwrap', branch: 'main', dir: 'app' } });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'sandbox.unavailable', detail: expect.stringContaining('apt-get install bubblewrap') });
    expect(await app.sql('SELECT id FROM runs WHERE tenant_id = :t', { t: team.id })).toEqual([]);
    expect(existsSync(path.join(app.config.dataDir, 'repos', team.id))).toBe(false);
    // the core refuses whatever the front end: a direct enqueue (what PR comments and Slack end in) too
    await expect(app.core.runs.assertMayRun(team.id)).rejects.toMatchObject({ code: 'sandbox.unavailable' });
  });
});

describe('ATLANTAS_SANDBOX=bwrap on a machine without bubblewrap', () => {
  it('refuses to start, saying how to install it', async () => {
    const bin = await pathWithoutBwrap();
    try {
      const config = loadConfig({ ATLANTAS_SANDBOX: 'bwrap', ATLANTAS_PORT: '0', ATLANTAS_DATA_DIR: path.join(bin.dir, 'data') });
      await expect(startServer(config, { log: captureLogs().log, childEnv: { PATH: bin.dir } })).rejects.toThrow(
        /ATLANTAS_SANDBOX=bwrap, but the sandbox cannot run here: bwrap \(bubblewrap\) is not on PATH\. Install bubblewrap \(Debian\/Ubuntu: apt-get install bubblewrap/,
      );
      expect(existsSync(path.join(bin.dir, 'data'))).toBe(false); // it stopped before opening anything
    } finally {
      await bin.cleanup();
    }
  });

  it('names the variable when its value is not one of auto, bwrap, off', () => {
    expect(() => loadConfig({ ATLANTAS_SANDBOX: 'maybe' })).toThrow(/ATLANTAS_SANDBOX: expected auto, bwrap or off/);
  });
});

describe('a run queued while the sandbox was there', () => {
  it('is errored, not run, by a server that comes back without bubblewrap', { timeout: 120_000 }, async () => {
    const bin = await pathWithoutBwrap();
    const repo = await createBareRepo({ owner: 'acme', name: 'queued' });
    await repo.commitFiles({ 'app/main.tf': tfData(1) }, 'a project');
    let app = await startTestApp({ childEnv: insteadOfEnv(repo.root), env: { ATLANTAS_WORKERS: 'false' } });
    try {
      const team = await app.factories.tenant();
      await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } });
      const queued = await app.req('POST', '/api/v1/runs', { token: team.adminToken, body: { repo: 'acme/queued', branch: 'main', dir: 'app' } });
      expect(queued.status, queued.text).toBe(201);
      await app.close({ keepData: true });
      app = await startTestApp({ childEnv: { ...insteadOfEnv(repo.root), PATH: bin.dir }, reuse: app.reuse });
      const run = await waitForRun(app, queued.body.id, undefined, undefined, team.adminToken);
      expect(run).toMatchObject({ status: 'errored', error: expect.stringContaining('apt-get install bubblewrap') });
      expect(run.log).not.toMatch(/Initializing the backend|Terraform will perform|Plan:/); // terraform never started
    } finally {
      await app.close();
      await repo.cleanup();
      await bin.cleanup();
    }
  });
});
