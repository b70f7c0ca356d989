import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RemoteRunner } from '../../src/runner/remote-runner.js';
import { captureLogs } from '../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { startTestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'remote-details-secret';

describe('POST /api/plan through a remote runner', () => {
  it('answers with the counts, then the runner sends which resources change; no other runner may write them', { timeout: 120_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'remote' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': tfData(2) }, 'two resources');
    const app = await startTestApp({ env: { ATLANTAS_WORKERS: 'false', ATLANTAS_API_SECRET: SECRET }, childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());
    const pool = await app.req('POST', '/api/v1/runner-pools', { token: app.admin.token, body: { name: 'remote', tenant_default: true } });
    const { token } = (await app.req('POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { token: app.admin.token, body: { name: 'r' } })).body;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-remote-details-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const runner = new RemoteRunner({
      serverUrl: app.url, token, name: 'detailer', version: 'test', parallelism: 1, dataDir, terraformBinary: 'terraform', cancelGraceMs: 1000,
      log: captureLogs().log, childEnv: { PATH: process.env.PATH, HOME: process.env.HOME, ...insteadOfEnv(repo.root) }, sandbox: null,
    });
    const running = runner.run();
    onTestFinished(async () => {
      runner.stop();
      await running;
    });

    const res = await app.req('POST', '/api/plan', {
      headers: { 'x-atlantis-token': SECRET },
      body: { Repository: 'acme/remote', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'app', Workspace: 'default' }] },
    });
    expect(res.status, res.text).toBe(200);
    const [project] = res.body.data.projects;
    expect(project).toMatchObject({ status: 'success', plan: { has_changes: true, to_add: 2, summary: 'Plan: 2 to add, 0 to change, 0 to destroy.' } });
    await expect.poll(async () => (await app.req('GET', `/api/v1/runs/${project.run_id}`, { token: app.admin.token })).body.resource_changes, { timeout: 15_000 })
      .toEqual([{ address: 'terraform_data.r0', action: 'create' }, { address: 'terraform_data.r1', action: 'create' }]);

    const other = await app.req('POST', '/api/v1/runner/register', { token, body: { name: 'other', version: 'x' } });
    const forged = await app.req('POST', `/api/v1/runner/jobs/${project.run_id}/details`, {
      token, headers: { 'x-atlantas-runner': other.body.id },
      body: { summary: 'Plan: 0 to add, 0 to change, 9 to destroy.', toAdd: 0, toChange: 0, toDestroy: 9, toImport: 0, resourceChanges: [], resourceDrift: [] },
    });
    expect(forged.status).toBe(404);
    expect((await app.req('GET', `/api/v1/runs/${project.run_id}`, { token: app.admin.token })).body).toMatchObject({ resources_added: 2, resources_destroyed: 0 });
  });
});
