import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { JSONAPI, remoteWorkspaceDir } from './tfe-harness.js';

const SECRET_ENV = `env-secret-${randomBytes(6).toString('hex')}`;
const SECRET_TF = `tf-secret-${randomBytes(6).toString('hex')}`;

/** What the uploaded configuration does with the workspace's variables: prints the plain env var, hashes the sensitive ones. */
const USES_VARIABLES = `variable "db_password" {
  type      = string
  sensitive = true
}

resource "terraform_data" "uses_env" {
  provisioner "local-exec" {
    command = "echo greeting=$GREETING token=$API_TOKEN"
  }
}

output "password_hash" {
  value = nonsensitive(sha256(var.db_password))
}
`;

/**
 * Workspace variables (issue 15 part 5) reaching a remote run (part 4) driven by the real CLI: a
 * terraform variable, an env variable, and one sensitive of each. The run uses them; no endpoint
 * returns a sensitive value, and the streamed output shows it redacted.
 */
describe('TFE workspace variables in a remote run', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('feeds terraform and env variables to the run; sensitive ones are used, redacted in its output and never returned', async () => {
    const user = await app.factories.user({ role: 'member' });
    const { wd, workspaceId } = await remoteWorkspaceDir(app, user.token, `remote-vars-${randomBytes(4).toString('hex')}`, { files: { 'vars.tf': USES_VARIABLES } });
    onTestFinished(() => wd.cleanup());
    const vars = [
      { key: 'marker', value: 'from-workspace', category: 'terraform' },
      { key: 'db_password', value: SECRET_TF, category: 'terraform', sensitive: true },
      { key: 'GREETING', value: 'hello-env', category: 'env' },
      { key: 'API_TOKEN', value: SECRET_ENV, category: 'env', sensitive: true },
    ];
    for (const attributes of vars) {
      const created = await app.req('POST', `/api/v2/workspaces/${workspaceId}/vars`, { token: user.token, headers: JSONAPI, body: { data: { type: 'vars', attributes } } });
      expect(created.status, created.text).toBe(201);
    }
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);

    const apply = await wd.run(['apply', '-auto-approve', '-input=false']);
    expect(apply.code, apply.output).toBe(0);
    expect(apply.stdout).toContain('"one-from-workspace"'); // the terraform variable replaced the default
    expect(apply.stdout).toMatch(/greeting=hello-env token=\[REDACTED\]/); // the env variable reached local-exec; the sensitive one did and is redacted
    expect(apply.stdout).toContain(`password_hash = "${createHash('sha256').update(SECRET_TF).digest('hex')}"`); // the sensitive terraform variable was used
    expect(apply.output).not.toContain(SECRET_ENV);
    expect(apply.output).not.toContain(SECRET_TF);

    // every endpoint a client could read the run, its logs, its plan and the variables through
    const [run] = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/runs`, { token: user.token })).body.data;
    expect(run.attributes.status).toBe('applied');
    const shown = await app.req('GET', `/api/v2/runs/${run.id}?include=workspace,plan`, { token: user.token });
    const plan = shown.body.included.find((r: any) => r.type === 'plans');
    const apply_ = await app.req('GET', `/api/v2/runs/${run.id}/apply`, { token: user.token });
    const logs = await Promise.all([plan.attributes['log-read-url'], apply_.body.data.attributes['log-read-url']].map(async (u: string) => {
      const url = new URL(u);
      return (await fetch(`${url.origin}${url.pathname}?limit=10000000&offset=0`)).text();
    }));
    expect(logs[1]).toContain('token=[REDACTED]');
    const answers = [
      JSON.stringify(shown.body), JSON.stringify(apply_.body), ...logs,
      (await app.req('GET', `/api/v2/plans/${plan.id}/json-output-redacted`, { token: user.token })).text,
      (await app.req('GET', `/api/v2/workspaces/${workspaceId}/vars`, { token: user.token })).text,
      (await app.req('GET', `/api/v2/workspaces/${workspaceId}/vars`, { token: app.admin.token })).text,
      (await app.req('GET', `/api/v2/workspaces/${workspaceId}/current-state-version-outputs`, { token: user.token })).text,
      (await app.req('GET', `/api/v1/runs/${run.attributes['atlantas-run-id']}`, { token: user.token })).text,
      (await app.req('GET', `/api/v1/runs/${run.attributes['atlantas-run-id']}/events`, { token: user.token })).text,
    ];
    for (const answer of answers) {
      expect(answer).not.toContain(SECRET_ENV);
      expect(answer).not.toContain(SECRET_TF);
    }
    const listed = (await app.req('GET', `/api/v2/workspaces/${workspaceId}/vars`, { token: app.admin.token })).body.data;
    expect(listed.filter((v: any) => v.attributes.sensitive).map((v: any) => [v.attributes.key, v.attributes.value])).toEqual(expect.arrayContaining([['db_password', null], ['API_TOKEN', null]]));
  });
});
