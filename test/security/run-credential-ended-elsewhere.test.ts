import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { gatedTerraform } from '../harness/gated-terraform.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

const basic = (credential: string) => `Basic ${Buffer.from(`atlantas-run:${credential}`).toString('base64')}`;

/**
 * The replica executing a run checks that run's credential without a query (it knows the run's
 * status). Another replica can still end the run — recovery, when it takes the executing one
 * for dead — and from then on the credential must be refused there too, terraform still running.
 */
describe('a run credential, checked where its run executes, dies when another replica ends the run', () => {
  let worker: TestApp; // executes the run
  let other: TestApp; // same database, no worker: it recovers the run it takes for orphaned
  let repo: BareRepo;
  let tf: Awaited<ReturnType<typeof gatedTerraform>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'ended-elsewhere' });
    await repo.commitFiles({ 'gated/main.tf': 'resource "terraform_data" "this" {\n  input = "one"\n}\n' }, 'one project');
    tf = await gatedTerraform();
    worker = await startTestApp({ childEnv: insteadOfEnv(repo.root), env: { ATLANTAS_TF_BINARY: tf.binary, ATLANTAS_SANDBOX: 'off' } });
    other = await startTestApp({
      env: { ATLANTAS_WORKERS: 'false' }, childEnv: insteadOfEnv(repo.root),
      reuse: { schema: worker.reuse.schema, encryptionKey: worker.reuse.encryptionKey },
    });
  });
  afterAll(async () => {
    await tf?.release('plan');
    await other?.close({ keepData: true }); // the schema is the worker's: it drops it
    if (other?.reuse.dataDir) await rm(other.reuse.dataDir, { recursive: true, force: true });
    await worker?.close();
    await repo?.cleanup();
    await tf?.cleanup();
  });

  const backendGet = (app: TestApp, stateName: string, credential: string) =>
    fetch(`${app.url}/api/v1/tfstate/${encodeURIComponent(stateName)}/default`, { headers: { authorization: basic(credential) } })
      .then(async (r) => ({ status: r.status, text: await r.text() }));

  it('is refused on the executing replica once the other replica errored the run', async () => {
    await tf.hold('plan');
    const created = await worker.req('POST', '/api/v1/runs', { token: worker.admin.token, body: { command: 'plan', repo: 'acme/ended-elsewhere', branch: 'main', dir: 'gated' } });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    const credential = await tf.credentialOf('plan', 'gated');
    const stateName = (await worker.sql<{ state_name: string }>('SELECT state_name FROM runs WHERE id = :id', { id }))[0].state_name;
    expect((await backendGet(worker, stateName, credential)).status).toBe(404); // live: no state yet

    // The executing replica looks dead to the other one: its heartbeat is old, and it is on
    // another host (so recovery leaves its terraform running, as it must with a process it cannot
    // see). It may beat in between, so age it again until recovery took the run.
    await expect.poll(async () => {
      await other.sql('UPDATE runs SET heartbeat_at = now() - interval \'10 minutes\', worker_id = \'another-host:1:w\' WHERE id = :id RETURNING id', { id });
      return (await other.internals.recover()).map((r) => r.id);
    }, { timeout: 15_000 }).toContain(id);

    await expect.poll(async () => (await backendGet(worker, stateName, credential)).status, { timeout: 10_000 }).toBe(401);
    const refused = await backendGet(worker, stateName, credential);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'run_credential_expired', detail: expect.stringContaining('is over (the run is errored)') });
    await tf.release('plan');
    expect((await waitForRun(worker, id)).status).toBe('errored');
  });
});
