import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';
import { tfData } from '../harness/tf-files.js';

const SECRET = 'replica-notify-secret';
/** the fallback poll of the replica that runs the work: only a NOTIFY explains a claim well before it */
const POLL = '10m';

describe('runs queued on one replica are claimed by another through LISTEN/NOTIFY', () => {
  let front: TestApp; // serves the request, runs no worker
  let back: TestApp; // the worker, polling only every 10 minutes
  let repo: BareRepo;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'replicas' });
    await repo.commitFiles({ 'small/main.tf': tfData(1) }, 'one project');
    front = await startTestApp({ env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_WORKERS: 'false', ATLANTAS_QUEUE_POLL_INTERVAL: POLL }, childEnv: insteadOfEnv(repo.root) });
    back = await startTestApp({
      env: { ATLANTAS_API_SECRET: SECRET, ATLANTAS_QUEUE_POLL_INTERVAL: POLL },
      childEnv: insteadOfEnv(repo.root),
      reuse: { schema: front.reuse.schema, encryptionKey: front.reuse.encryptionKey },
    });
  });
  afterAll(async () => {
    await back?.close({ keepData: true }); // the schema is the front's: it drops it
    if (back?.reuse.dataDir) await rm(back.reuse.dataDir, { recursive: true, force: true });
    await front?.close();
    await repo?.cleanup();
  });

  async function planThroughFront(): Promise<{ waitMs: number; totalMs: number }> {
    const started = Date.now();
    const res = await front.req('POST', '/api/plan', {
      headers: { 'x-atlantis-token': SECRET },
      body: { Repository: 'acme/replicas', Ref: 'main', Type: 'Github', Paths: [{ Directory: 'small', Workspace: 'default' }] },
    });
    const totalMs = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ total_projects: 1, success_count: 1 });
    const [run] = await front.sql<{ queued_at: Date; started_at: Date; worker_id: string }>(
      'SELECT queued_at, started_at, worker_id FROM runs ORDER BY queued_at DESC LIMIT 1',
    );
    expect(run.worker_id).toBe(back.internals.worker.workerId);
    return { waitMs: run.started_at.getTime() - run.queued_at.getTime(), totalMs };
  }

  it('claims at once, and the waiting request on the other replica hears the result at once', async () => {
    const { waitMs, totalMs } = await planThroughFront();
    // Both replicas poll every 10 minutes (the front's waiter every second): NOTIFY did both.
    expect(waitMs).toBeLessThan(5_000);
    expect(totalMs).toBeLessThan(30_000);
  });

  it('listens again after its connection is killed', async () => {
    const notifier = back.internals.notifier!;
    const sessions = notifier.sessions;
    const pid = notifier.pid;
    expect(pid).toBeTypeOf('number');
    await withClient((c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    await expect.poll(() => notifier.sessions, { timeout: 10_000, interval: 50 }).toBe(sessions + 1);
    expect(notifier.pid).not.toBe(pid);
    const { waitMs } = await planThroughFront();
    expect(waitMs).toBeLessThan(5_000);
  });
});
