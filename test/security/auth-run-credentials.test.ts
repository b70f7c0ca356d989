import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { gatedTerraform } from '../harness/gated-terraform.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const config = (marker: string) => `resource "terraform_data" "this" {\n  input = "${marker}"\n}\n`;
const stateDoc = (serial: number) => JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage: 'planted', outputs: {}, resources: [] });
const basic = (credential: string) => `Basic ${Buffer.from(`atlantas-run:${credential}`).toString('base64')}`;

describe('run state credentials', () => {
  let app: TestApp;
  let repo: BareRepo;
  let tf: Awaited<ReturnType<typeof gatedTerraform>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'creds' });
    await repo.commitFiles({ 'gated/main.tf': config('one'), 'auto/main.tf': config('auto') }, 'two projects');
    tf = await gatedTerraform();
    // The wrapper hands credentials to the test through files outside the working copy, which the sandbox hides.
    app = await startTestApp({ childEnv: insteadOfEnv(repo.root), env: { ATLANTAS_TF_BINARY: tf.binary, ATLANTAS_SANDBOX: 'off' } });
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
    await tf?.cleanup();
  });

  /** What terraform's http backend would send, with `credential` as its password. */
  const backend = (method: string, stateName: string, credential: string, body?: string) =>
    fetch(`${app.url}/api/v1/tfstate/${encodeURIComponent(stateName)}/default`, {
      method, headers: { authorization: basic(credential), ...(body ? { 'content-type': 'application/json' } : {}) }, body,
    }).then(async (r) => ({ status: r.status, text: await r.text() }));

  it('lets a plan read and lock its state but not write it, an apply write it, and neither after its phase', async () => {
    await tf.hold('plan');
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { command: 'apply', repo: 'acme/creds', branch: 'main', dir: 'gated' } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const planCredential = await tf.credentialOf('plan', 'gated');
    const stateName = (await app.sql<{ state_name: string }>('SELECT state_name FROM runs WHERE id = :id', { id }))[0].state_name;

    // During the plan: reads and locks work, a write is refused with the reason.
    const write = await backend('POST', stateName, planCredential, stateDoc(1));
    expect(write.status).toBe(403);
    expect(JSON.parse(write.text)).toMatchObject({ code: 'forbidden', detail: expect.stringMatching(/plan's state credential may read and lock its state but not write it/) });
    const lockId = randomUUID();
    expect((await backend('LOCK', stateName, planCredential, JSON.stringify({ ID: lockId, Operation: 'OperationTypePlan' }))).status).toBe(200);
    expect((await backend('UNLOCK', stateName, planCredential, JSON.stringify({ ID: lockId }))).status).toBe(200);
    expect((await backend('GET', stateName, planCredential)).status).toBe(404); // nothing stored yet, and nothing was written
    expect((await backend('UNLOCK', stateName, planCredential)).status).toBe(403); // a force-unlock is a person's
    expect((await backend('GET', 'some-other-state', planCredential)).status).toBe(404); // its own state only
    await tf.release('plan');

    const planned = await waitForRun(app, id);
    expect(planned.status, planned.log).toBe('planned');
    // The plan phase is over: its credential is dead although the JWT has not expired.
    const afterPlan = await backend('GET', stateName, planCredential);
    expect(afterPlan.status).toBe(401);
    expect(JSON.parse(afterPlan.text)).toMatchObject({ code: 'run_credential_expired', detail: expect.stringContaining('is over (the run is planned)') });

    await tf.hold('apply');
    expect((await app.req('POST', `/api/v1/runs/${id}/approve`, { token: app.admin.token })).status).toBe(200);
    const applyCredential = await tf.credentialOf('apply', 'gated');
    expect(applyCredential).not.toBe(planCredential);
    expect((await backend('GET', stateName, planCredential)).status).toBe(401); // not revived by the apply
    expect((await backend('GET', stateName, applyCredential)).status).toBe(404);
    await tf.release('apply');

    const applied = await waitForRun(app, id);
    expect(applied.status, applied.log).toBe('applied');
    const state = await app.req('GET', `/api/v1/tfstate/${encodeURIComponent(stateName)}/default`, { token: app.admin.token });
    expect(JSON.parse(state.text)).toMatchObject({ serial: expect.any(Number), resources: [expect.objectContaining({ type: 'terraform_data' })] });
    for (const credential of [planCredential, applyCredential]) {
      const after = await backend('POST', stateName, credential, stateDoc(99));
      expect(after.status).toBe(401);
      expect(JSON.parse(after.text).detail).toContain('is over (the run is applied)');
    }
  });

  it('gives an auto-applied run an apply credential for its apply, after a plan credential for its plan', async () => {
    const project = await app.req('POST', '/api/v1/projects', {
      token: app.admin.token, body: { name: 'auto-creds', repository_url: 'https://github.com/acme/creds', terraform_path: 'auto', auto_apply: true },
    });
    expect(project.status, project.text).toBe(201);
    const run = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { project: 'auto-creds', command: 'apply' } });
    const done = await waitForRun(app, run.body.id, (s) => ['applied', 'errored', 'planned'].includes(s));
    expect(done.status, done.log).toBe('applied');
    const used = (await tf.entries()).filter((e) => e.cwd.endsWith('/auto'));
    expect(used.map((e) => e.command)).toEqual(['plan', 'apply']);
    expect(used[0].credential).not.toBe(used[1].credential);
    for (const { credential } of used) expect((await backend('GET', 'auto-creds', credential)).status).toBe(401);
  });
});
