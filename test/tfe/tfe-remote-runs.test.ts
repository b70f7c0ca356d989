import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { create as tarCreate } from 'tar';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { remoteWorkspaceDir, runAnswering } from './tfe-harness.js';

const JSONAPI = { 'content-type': 'application/vnd.api+json' };

/**
 * The real terraform CLI's cloud block against the running server, workspace in remote
 * execution mode: the CLI uploads its configuration, the run executes on the server (queue,
 * sandbox, runner), its output streams back through the log-read-url, and apply waits for the
 * CLI's confirmation.
 */
describe('terraform cloud block, remote execution mode', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  async function remoteDir(token: string, name: string, options: { slowSeconds?: number; autoApply?: boolean } = {}) {
    const made = await remoteWorkspaceDir(app, token, name, options);
    onTestFinished(() => made.wd.cleanup());
    const init = await made.wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return made;
  }

  it('streams a remote plan to the CLI; -detailed-exitcode says 2; nothing is applied', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('remote-plan');
    const { wd, workspaceId } = await remoteDir(user.token, name);

    const plan = await wd.run(['plan', '-input=false', '-detailed-exitcode', '-var', 'marker=first']);
    expect(plan.code, plan.output).toBe(2);
    expect(plan.stdout).toContain('Running plan in '); // the CLI's remote-run header: it did not plan locally
    expect(plan.stdout).toMatch(/terraform_data\.one will be created/);
    expect(plan.stdout).toMatch(/terraform_data\.three will be created/);
    expect(plan.stdout).toContain('"one-first"'); // the run-level variable reached the remote run
    expect(plan.stdout).toContain('Plan: 3 to add, 0 to change, 0 to destroy.');

    const runs = await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token });
    expect(runs.status).toBe(200);
    expect(runs.body.data).toHaveLength(1);
    expect(runs.body.data[0].attributes).toMatchObject({ status: 'planned_and_finished', 'has-changes': true });
    const current = await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version`, { token: user.token });
    expect(current.status).toBe(404); // a speculative plan writes no state
  });
});
