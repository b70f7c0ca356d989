import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RemoteRunner } from '../../src/runner/remote-runner.js';
import { captureLogs } from '../harness/capture-logs.js';
import { startTestApp } from '../harness/start-app.js';
import { remoteWorkspaceDir } from './tfe-harness.js';

/**
 * A TFE remote run on an `atlantas runner` (no in-process workers): the runner gets the job of
 * an uploaded configuration, fetches its archive from the server with the run's credential,
 * and the CLI sees the plan and apply as with the in-process worker.
 */
describe('TFE remote runs on a remote runner', () => {
  it('plans and applies an uploaded configuration fetched by the runner with the run credential', { timeout: 180_000 }, async () => {
    const app = await startTestApp({ env: { ATLANTAS_WORKERS: 'false' } });
    onTestFinished(() => app.close());
    const pool = await app.req('POST', '/api/v1/runner-pools', { token: app.admin.token, body: { name: 'remote', tenant_default: true } });
    const { token } = (await app.req('POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { token: app.admin.token, body: { name: 'r' } })).body;
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-tfe-runner-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const logs = captureLogs();
    const runner = new RemoteRunner({
      serverUrl: app.url, token, name: 'tfe-runner', version: 'test', parallelism: 1, dataDir, terraformBinary: 'terraform', cancelGraceMs: 1000,
      log: logs.log, childEnv: { PATH: process.env.PATH, HOME: process.env.HOME }, sandbox: null,
    });
    const running = runner.run();
    onTestFinished(async () => {
      runner.stop();
      await running;
    });

    const user = await app.factories.user({ role: 'member' });
    const { wd, workspaceId } = await remoteWorkspaceDir(app, user.token, 'on-a-runner');
    onTestFinished(() => wd.cleanup());
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    const apply = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=remote']);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(apply.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
    const current = await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version`, { token: user.token });
    expect(current.status).toBe(200);

    // the archive endpoint is the run's own credential's only: a person's token is refused
    const [run] = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token })).body.data;
    const archive = await app.req('GET', `/api/v2/runs/${run.attributes['atlantas-run-id']}/configuration-archive`, { token: user.token });
    expect(archive.status).toBe(403);
    expect(logs.text()).not.toContain(token);
  });
});
