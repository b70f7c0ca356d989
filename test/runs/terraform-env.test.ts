import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBareRepo, insteadOfEnv } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp } from '../harness/start-app.js';

/** Echoes var.x as an output, and during apply writes terraform's environment and process group to files. */
function envDumpProject(envFile: string, pgidFile: string): string {
  return `variable "x" {
  type = string
}
resource "terraform_data" "dump" {
  input = var.x
  provisioner "local-exec" {
    command = "env > '${envFile}' && ps -o pgid= -p $$ > '${pgidFile}'"
  }
}
output "x" {
  value = var.x
}
`;
}

const SERVER_SECRETS = {
  DATABASE_URL: 'postgres://leaked-user:leaked-pw@db.invalid/atlantas',
  SLACK_BOT_TOKEN: 'xoxb-leaked-slack',
  GITHUB_TOKEN: 'ghp_leakedgithub',
  ATLANTAS_GH_TOKEN: 'ghp_leakedatlantas',
};

describe('the environment terraform runs with', () => {
  it('gets cloud credentials and TF_VAR_* from the server\'s env (ATLANTAS_TF_ENV_PASSTHROUGH) but none of its secrets, and records its pid on the run', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'atlantas-envdump-'));
    onTestFinished(() => rm(scratch, { recursive: true, force: true }));
    const envFile = path.join(scratch, 'env.txt');
    const pgidFile = path.join(scratch, 'pgid.txt');
    const repo = await createBareRepo({ owner: 'acme', name: 'creds' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'envcheck/main.tf': envDumpProject(envFile, pgidFile) }, 'dump the env');
    const app = await startTestApp({
      childEnv: { ...insteadOfEnv(repo.root), TF_VAR_x: 'from-server-env', AWS_REGION: 'eu-central-9', ...SERVER_SECRETS },
      // Unsandboxed: the dump goes to a file outside the working copy and the process group is the
      // host's; what the sandbox lets through is test/security/sandbox-exploit.test.ts.
      env: { ATLANTAS_SANDBOX: 'off' },
    });
    onTestFinished(() => app.close());

    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/creds', branch: 'main', dir: 'envcheck' } });
    expect(created.status).toBe(201);
    const planned = await waitForRun(app, created.body.id);
    expect(planned).toMatchObject({ status: 'planned', has_changes: true }); // var.x has no default: TF_VAR_x reached the plan
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applied = await waitForRun(app, created.body.id, (s) => ['applied', 'errored'].includes(s));
    expect(applied.status, applied.log).toBe('applied');
    expect(applied.log).toContain('x = "from-server-env"');

    const env = (await readFile(envFile, 'utf8')).split('\n');
    expect(env).toContain('TF_VAR_x=from-server-env');
    expect(env).toContain('AWS_REGION=eu-central-9');
    // providers are shared through the tenant's own plugin cache in the data dir, which exists before terraform runs
    expect(env).toContain(`TF_PLUGIN_CACHE_DIR=${path.resolve(app.config.dataDir, 'plugin-cache', await app.factories.defaultTenantId())}`);
    expect(env).toContain(`ATLANTAS_RUN_ID=${created.body.id}`); // the marker recovery recognises the run's processes by
    for (const name of Object.keys(SERVER_SECRETS)) expect(env.some((line) => line.startsWith(`${name}=`)), name).toBe(false);
    expect(env.filter((line) => line.startsWith('ATLANTAS_'))).toEqual([`ATLANTAS_RUN_ID=${created.body.id}`]);
    expect(env.join('\n')).not.toMatch(/leaked/);

    // runner_pid is the process group terraform apply ran in (what recovery kills after a crash)
    const [{ runner_pid }] = await app.sql('SELECT runner_pid FROM runs WHERE id = :id', { id: created.body.id });
    expect(Number((await readFile(pgidFile, 'utf8')).trim())).toBe(runner_pid);
  });

  it('passes the server\'s own passthrough env to the default tenant\'s runs only: another tenant\'s run sees none of it', async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'atlantas-envdump-'));
    onTestFinished(() => rm(scratch, { recursive: true, force: true }));
    const envFile = path.join(scratch, 'env.txt');
    const repo = await createBareRepo({ owner: 'acme', name: 'creds' });
    onTestFinished(() => repo.cleanup());
    await repo.commitFiles({ 'envcheck/main.tf': envDumpProject(envFile, path.join(scratch, 'pgid.txt')).replace('type = string', 'type = string\n  default = "no-server-env"') }, 'dump the env');
    const app = await startTestApp({
      childEnv: { ...insteadOfEnv(repo.root), TF_VAR_x: 'from-server-env', AWS_REGION: 'eu-central-9', AWS_SECRET_ACCESS_KEY: 'server-own-aws-secret' },
      env: { ATLANTAS_SANDBOX: 'off' },
    });
    onTestFinished(() => app.close());
    const other = await app.factories.tenant();
    expect((await app.req('PATCH', `/api/v1/tenants/${other.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } })).status).toBe(200);

    const created = await app.req('POST', '/api/v1/runs', { token: other.adminToken, body: { command: 'apply', repo: 'acme/creds', branch: 'main', dir: 'envcheck' } });
    expect(created.status, created.text).toBe(201);
    expect((await waitForRun(app, created.body.id, undefined, 90_000, other.adminToken)).status).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: other.adminToken })).status).toBe(200);
    const applied = await waitForRun(app, created.body.id, (s) => ['applied', 'errored'].includes(s), 90_000, other.adminToken);
    expect(applied.status, applied.log).toBe('applied');
    expect(applied.log).toContain('x = "no-server-env"'); // TF_VAR_x of the server's env did not reach it
    const env = (await readFile(envFile, 'utf8')).split('\n');
    expect(env.filter((line) => /^(AWS_|TF_VAR_)/.test(line))).toEqual([]);
    expect(env.join('\n')).not.toContain('server-own-aws-secret');
  });
});
