import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

// Values planted in configurations, in extra args and in what terraform prints when it fails.
const tag = randomBytes(8).toString('hex');
const M = {
  planted: `planted-${tag}`,
  address: `addr-${tag}`,
  variable: `var-${tag}`,
  planError: `plan-err-${tag}`,
  applyError: `apply-err-${tag}`,
  sensitive: `sens-${tag}`,
};

const FILES: Record<string, string> = {
  'planted/main.tf': `variable "marker" {
  type    = string
  default = "none"
}
resource "terraform_data" "planted" {
  input = "${M.planted}"
}
resource "terraform_data" "keyed" {
  for_each = toset(["${M.address}"])
  input    = each.key
}
resource "terraform_data" "from_var" {
  input = var.marker
}
`,
  'plan-fails/main.tf': `locals {
  n = tonumber("${M.planError}")
}
resource "terraform_data" "x" {
  input = local.n
}
`,
  'apply-fails/main.tf': `resource "terraform_data" "x" {
  input = "ok"
  provisioner "local-exec" {
    command = "echo ${M.applyError} >&2; exit 3"
  }
}
`,
  'sensitive/main.tf': `variable "password" {
  type      = string
  sensitive = true
  default   = "${M.sensitive}"
}
resource "terraform_data" "secret" {
  input = var.password
}
output "password" {
  value     = var.password
  sensitive = true
}
`,
};

const ended = (s: string) => ['applied', 'errored', 'canceled', 'discarded', 'planned_and_finished'].includes(s);

describe('run output at rest', () => {
  let app: TestApp;
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'secrets' });
    await repo.commitFiles(FILES, 'projects that print planted values');
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root) });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  const create = async (dir: string, command: string, extra_args: string[] = []) => {
    const res = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command, repo: 'acme/secrets', branch: 'main', dir, extra_args } });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const approve = async (id: string) => {
    const res = await app.req('POST', `/api/v1/runs/${id}/approve`, { token: app.admin.token });
    expect(res.status, res.text).toBe(200);
  };
  /** The dump holds the runs (positive control) and none of the markers, in any plaintext form. */
  const expectDumpClean = async (markers: string[]) => {
    const dump = await dumpSchema(app.reuse.schema!);
    expect(dump).toContain('acme/secrets');
    expect(dump).toContain('run_logs');
    expect(leakedMarkers(dump, markers)).toEqual([]);
  };

  it('keeps planted values out of a database dump after plan and after apply, while the API still shows them', async () => {
    const id = await create('planted', 'apply', ['-var', `marker=${M.variable}`]);
    const planned = await waitForRun(app, id);
    expect(planned.status, planned.log).toBe('planned');
    expect(planned.log).toContain(M.planted);
    expect(planned.log).toContain(M.variable);
    expect(planned.extra_args).toEqual(['-var', `marker=${M.variable}`]);
    expect(planned.resource_changes).toContainEqual({ address: `terraform_data.keyed["${M.address}"]`, action: 'create' });
    const sse = await (await fetch(`${app.url}/api/v1/runs/${id}/events`, { headers: { authorization: `Bearer ${app.admin.token}` } })).text();
    expect(sse).toContain(M.planted);
    const listed = (await app.req('GET', '/api/v1/runs?repo=acme/secrets', { token: app.admin.token })).body.find((r: any) => r.id === id);
    expect(listed.resource_changes).toEqual(planned.resource_changes);
    await expectDumpClean([M.planted, M.address, M.variable]);

    await approve(id);
    const applied = await waitForRun(app, id, ended);
    expect(applied.status, applied.log).toBe('applied');
    expect(applied.log).toContain(M.planted);
    expect(applied.log).toContain('Apply complete!');
    expect(applied.resource_changes).toEqual(planned.resource_changes);
    await expectDumpClean([M.planted, M.address, M.variable]);
    expect(leakedMarkers(app.logs.text(), [M.planted, M.address, M.variable])).toEqual([]);
  });

  it('stores the error text of a failed plan and of a failed apply encrypted, and shows it', async () => {
    const failedPlan = await waitForRun(app, await create('plan-fails', 'plan'));
    expect(failedPlan.status).toBe('errored');
    expect(failedPlan.error).toContain(M.planError);
    expect(failedPlan.log).toContain(M.planError);

    const id = await create('apply-fails', 'apply');
    expect((await waitForRun(app, id)).status).toBe('planned');
    await approve(id);
    const failedApply = await waitForRun(app, id, ended);
    expect(failedApply.status).toBe('errored');
    expect(failedApply.error).toContain(`Output: ${M.applyError}`);
    await expectDumpClean([M.planError, M.applyError]);
    expect(leakedMarkers(app.logs.text(), [M.planError, M.applyError])).toEqual([]);
  });

  it('shows no sensitive value in a run, its log or its resource changes; the state alone holds it, encrypted', async () => {
    const id = await create('sensitive', 'apply');
    const planned = await waitForRun(app, id);
    expect(planned.status, planned.log).toBe('planned');
    expect(planned.log).toContain('(sensitive value)');
    expect(planned.resource_changes).toEqual([{ address: 'terraform_data.secret', action: 'create' }]);
    expect(JSON.stringify(planned)).not.toContain(M.sensitive);
    await approve(id);
    const applied = await waitForRun(app, id, ended);
    expect(applied.status, applied.log).toBe('applied');
    expect(JSON.stringify(applied)).not.toContain(M.sensitive);
    // Positive control: the value is real, and terraform keeps it in the state (which Atlantas encrypts).
    const state = await app.req('GET', `/api/v1/tfstate/${encodeURIComponent(applied.state_name)}/default`, { token: app.admin.token });
    expect(state.text).toContain(M.sensitive);
    await expectDumpClean([M.sensitive]);
  });
});
