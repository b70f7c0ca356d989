import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfeRequest } from './tfe-harness.js';

const tag = randomBytes(6).toString('hex');
const DB_PASSWORD = `db-pass-${tag}-Xq9`;
const API_TOKEN = `api-token-${tag}-Zr7`;
const sha = (v: string) => createHash('sha256').update(v).digest('hex');

/** Shows what the run's terraform got: variables in the plan and a provisioner's echo, env by hash and raw. */
const PROBE = `variable "greeting" {
  type    = string
  default = "none"
}
variable "zones" {
  type    = list(string)
  default = []
}
variable "db_password" {
  type    = string
  default = "unset"
}
resource "terraform_data" "probe" {
  input = var.db_password
  provisioner "local-exec" {
    command = <<-EOT
      echo "greeting=\${var.greeting}"
      echo "zones=\${join(",", var.zones)}"
      echo "mode=$DEPLOY_MODE"
      echo "token-sha=$(printf '%s' "$API_TOKEN" | sha256sum | cut -d' ' -f1)"
      echo "password-sha=$(printf '%s' "\${var.db_password}" | sha256sum | cut -d' ' -f1)"
      echo "raw-token=$API_TOKEN"
    EOT
  }
}
output "greeting" {
  value = var.greeting
}
`;
/** Fails its apply with the sensitive values in its error output. */
const LEAKY = `variable "db_password" {
  type    = string
  default = "unset"
}
resource "terraform_data" "leak" {
  input = "leak"
  provisioner "local-exec" {
    command = "echo \\"denied for \${var.db_password} and $API_TOKEN\\" >&2; exit 3"
  }
}
`;

const ended = (s: string) => ['applied', 'errored', 'canceled', 'discarded', 'planned_and_finished'].includes(s);

describe('TFE variables in runs of the project a workspace maps to (real terraform)', () => {
  let app: TestApp;
  let repo: BareRepo;
  const api = (method: string, path: string, body?: unknown) => tfeRequest(app, method, path, app.admin.token, body);
  const addVar = async (path: string, attributes: Record<string, unknown>) => {
    const res = await api('POST', path, { data: { type: 'vars', attributes } });
    expect(res.status, res.text).toBe(201);
  };

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'tfvars' });
    await repo.commitFiles({ 'varsy/main.tf': PROBE, 'plain/main.tf': PROBE, 'leaky/main.tf': LEAKY }, 'probes');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
    for (const name of ['varsy', 'plain', 'leaky']) {
      const res = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name, repository_url: 'https://github.com/acme/tfvars', terraform_path: name } });
      expect(res.status, res.text).toBe(201);
    }
    const ids: Record<string, string> = {};
    for (const name of ['varsy', 'leaky']) {
      const ws = await api('POST', '/organizations/default/workspaces', { data: { type: 'workspaces', attributes: { name } } });
      expect(ws.status, ws.text).toBe(201);
      ids[name] = ws.body.data.id;
    }
    await addVar(`/workspaces/${ids.varsy}/vars`, { key: 'greeting', value: 'hello from tfe', category: 'terraform' });
    await addVar(`/workspaces/${ids.varsy}/vars`, { key: 'zones', value: '["a", "b"]', category: 'terraform', hcl: true });
    await addVar(`/workspaces/${ids.varsy}/vars`, { key: 'API_TOKEN', value: API_TOKEN, category: 'env', sensitive: true });
    await addVar(`/workspaces/${ids.leaky}/vars`, { key: 'API_TOKEN', value: API_TOKEN, category: 'env', sensitive: true });
    const set = await api('POST', '/organizations/default/varsets', { data: { type: 'varsets', attributes: { name: 'shared' }, relationships: {
      workspaces: { data: [{ id: ids.varsy, type: 'workspaces' }, { id: ids.leaky, type: 'workspaces' }] },
      vars: { data: [
        { type: 'vars', attributes: { key: 'db_password', value: DB_PASSWORD, category: 'terraform', sensitive: true } },
        { type: 'vars', attributes: { key: 'DEPLOY_MODE', value: 'blue', category: 'env' } },
      ] },
    } } });
    expect(set.status, set.text).toBe(201);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  /** Plans and applies a project as a person; returns the planned and the ended run, each with its log. */
  const apply = async (project: string) => {
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', project } });
    expect(created.status, created.text).toBe(201);
    const planned = await waitForRun(app, created.body.id, undefined, 90_000);
    expect(planned.status, planned.log).toBe('planned');
    expect((await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: app.admin.token })).status).toBe(200);
    return { planned, run: await waitForRun(app, created.body.id, ended, 90_000) };
  };
  const line = (log: string, key: string) => new RegExp(`\\(local-exec\\): ${key}=(.*)$`, 'm').exec(log)?.[1]?.trimEnd();
  const everything = async (runId: string) => {
    const shown = await app.req('GET', `/api/v1/runs/${runId}`, { token: app.admin.token });
    const sse = await (await fetch(`${app.url}/api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${app.admin.token}` } })).text();
    return `${shown.text}\n${sse}\n${app.logs.text()}`;
  };

  it('feeds terraform variables as TF_VAR_ (HCL as written) and env variables, from the workspace and its sets; sensitive ones are used but redacted', async () => {
    const { planned, run } = await apply('varsy');
    expect(run.status, run.log).toBe('applied');
    expect(planned.log).toContain('greeting = "hello from tfe"'); // the plan's output change shows the plain variable
    expect(line(run.log, 'greeting')).toBe('hello from tfe');
    expect(line(run.log, 'zones')).toBe('a,b');
    expect(line(run.log, 'mode')).toBe('blue');
    expect(line(run.log, 'token-sha')).toBe(sha(API_TOKEN));
    expect(line(run.log, 'password-sha')).toBe(sha(DB_PASSWORD)); // the sensitive terraform variable reached terraform
    expect(line(run.log, 'raw-token')).toBe('[REDACTED]');
    expect(planned.log).toContain('[REDACTED]'); // `input = var.db_password` in the plan
    const all = `${planned.log}\n${run.log}\n${await everything(run.id)}`;
    expect(leakedMarkers(all, [API_TOKEN, DB_PASSWORD])).toEqual([]);
  });

  it('redacts sensitive values from a failed run\'s error', async () => {
    const { run } = await apply('leaky');
    expect(run.status, run.log).toBe('errored');
    const all = `${run.log}\n${JSON.stringify(run)}\n${await everything(run.id)}`;
    expect(run.error).toMatch(/Output: denied for\s+\[REDACTED\] and\s+\[REDACTED\]/); // both values were printed; terraform wraps the text
    expect(leakedMarkers(all, [API_TOKEN, DB_PASSWORD])).toEqual([]);
    // nor anywhere in the database after both runs: variables, runs, logs, plans, audit
    const dump = await dumpSchema(app.reuse.schema!);
    expect(dump).toContain('acme/tfvars');
    expect(leakedMarkers(dump, [API_TOKEN, DB_PASSWORD])).toEqual([]);
  });

  it('gives nothing to a project no TFE workspace maps to', async () => {
    const { run } = await apply('plain');
    expect(run.status, run.log).toBe('applied');
    expect(line(run.log, 'greeting')).toBe('none');
    expect(line(run.log, 'mode')).toBe('');
    expect(line(run.log, 'token-sha')).toBe(sha(''));
  });
});
