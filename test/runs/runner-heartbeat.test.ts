import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RemoteRunner } from '../../src/runner/remote-runner.js';
import { captureLogs } from '../harness/capture-logs.js';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp } from '../harness/start-app.js';
import { slowApply } from '../harness/tf-files.js';

describe('a remote runner\'s heartbeat', () => {
  it('follows the server\'s ATLANTAS_RUNNER_TIMEOUT: with 1 s, a runner applying for 5 s stays alive and its run applies', { timeout: 120_000 }, async () => {
    const repo = await createBareRepo({ owner: 'acme', name: 'beat' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'app/main.tf': slowApply(5) }, 'an apply that takes 5 s');
    const app = await startTestApp({ env: { ATLANTAS_WORKERS: 'false', ATLANTAS_RUNNER_TIMEOUT: '1s' }, childEnv: insteadOfEnv(repo.root) });
    onTestFinished(() => app.close());
    const pool = await app.req('POST', '/api/v1/runner-pools', { token: app.admin.token, body: { name: 'beat', tenant_default: true } });
    expect(pool.status, pool.text).toBe(201);
    const { token } = (await app.req('POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { token: app.admin.token, body: { name: 'r' } })).body;

    // The protocol: five beats fit in the timeout, at registration and in every heartbeat's answer.
    const probe = await app.req('POST', '/api/v1/runner/register', { token, body: { name: 'probe', version: 'x' } });
    expect(probe.body).toMatchObject({ heartbeat_ms: 200 });
    const beat = await app.req('POST', '/api/v1/runner/heartbeat', { token, headers: { 'x-atlantas-runner': probe.body.id }, body: { runs: [] } });
    expect(beat.body).toEqual({ cancel: [], heartbeat_ms: 200 });

    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-beat-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const runner = new RemoteRunner({
      serverUrl: app.url, token, name: 'beater', version: 'test', parallelism: 1, dataDir, terraformBinary: 'terraform', cancelGraceMs: 1000,
      log: captureLogs().log, childEnv: { PATH: process.env.PATH, HOME: process.env.HOME, ...insteadOfEnv(repo.root) }, sandbox: null,
    });
    const running = runner.run();
    onTestFinished(async () => {
      runner.stop();
      await running;
    });

    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/beat', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    expect((await waitForRun(app, created.body.id)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applied = await waitForRun(app, created.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status, applied.error ?? applied.log).toBe('applied');
  });
});
