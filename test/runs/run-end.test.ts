import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/core/actor.js';
import type { Run } from '../../src/core/runs/run.model.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * A run's end is one statement (RunRepository.end): the update is the claim, and only the update
 * that took the row releases what the run held (its actor lock, its saved plan) with it.
 */
describe("a run's end (real PostgreSQL)", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ATLANTAS_WORKERS: 'false' } }); // nothing claims the runs queued here
  });
  afterAll(() => app?.close());

  async function queued(actor: Actor, dir: string, prNumber: number | null = null): Promise<Run> {
    const holder = prNumber
      ? { kind: 'pull_request' as const, prNumber, prUrl: null, lockedBy: actor.name, vcsLogin: null }
      : { kind: 'actor' as const, name: actor.name, lockedBy: actor.name, vcsLogin: null };
    const { results } = await app.core.runs.enqueue(actor, {
      operation: 'plan', source: 'api', extraArgs: [], autoApply: false, holder,
      targets: [{ repoFullName: 'acme/infra', repoUrl: 'https://github.com/acme/infra.git', dir, workspace: 'default', projectName: '', ref: 'main', commitSha: 'a'.repeat(40), prNumber }],
    });
    const run = results[0].run!;
    // a saved plan, as a planned run has (its bytes do not matter here)
    await app.sql(`INSERT INTO run_plans (run_id, tenant_id, key_id, data, sha256, size) VALUES (:id, :t, 'k', '\\x00', 'x', 1)`, { id: run.id, t: run.tenantId });
    return run;
  }

  const held = async (runId: string) => {
    const [{ locks, plans }] = await app.sql<{ locks: number; plans: number }>(
      'SELECT (SELECT count(*)::int FROM project_locks WHERE run_id = :id) AS locks, (SELECT count(*)::int FROM run_plans WHERE run_id = :id) AS plans', { id: runId },
    );
    return { locks, plans };
  };

  it('ends only from the statuses asked, and then releases the actor lock and the saved plan with it', async () => {
    const t = await app.factories.tenant();
    const run = await queued(t.adminActor, 'a');
    expect(await held(run.id)).toEqual({ locks: 1, plans: 1 });
    // another replica (or the run itself) ended it first: nothing happens
    expect(await app.core.runs.finish(run, 'canceled', { statusReason: 'too late' }, { onlyIfStatus: ['planning'] })).toBe(false);
    expect((await app.core.runs.get(t.adminActor, run.id)).status).toBe('pending');
    expect(await held(run.id)).toEqual({ locks: 1, plans: 1 });

    expect(await app.core.runs.finish(run, 'canceled', { statusReason: 'canceled by someone' }, { onlyIfStatus: ['pending'] })).toBe(true);
    const ended = await app.core.runs.get(t.adminActor, run.id);
    expect(ended).toMatchObject({ status: 'canceled', statusReason: 'canceled by someone' });
    expect(ended.finishedAt).toBeInstanceOf(Date);
    expect(ended.updatedAt.getTime()).toBeGreaterThanOrEqual(run.updatedAt.getTime());
    expect(await held(run.id)).toEqual({ locks: 0, plans: 0 });
    // the project is free for the next plan
    expect((await queued(t.adminActor, 'a')).status).toBe('pending');
  });

  it('keeps a pull request lock, stores the error sealed, and ends a run once', async () => {
    const t = await app.factories.tenant();
    const run = await queued(t.adminActor, 'b', 7);
    expect(await app.core.runs.finish(run, 'errored', { error: 'terraform said no: s3cr3t-marker', statusReason: 'run failed' })).toBe(true);
    expect(await app.core.runs.get(t.adminActor, run.id)).toMatchObject({ status: 'errored', error: 'terraform said no: s3cr3t-marker', statusReason: 'run failed' });
    expect(await held(run.id)).toEqual({ locks: 1, plans: 0 }); // the pull request holds its lock until it closes
    const [{ sealed }] = await app.sql<{ sealed: number }>("SELECT count(*)::int AS sealed FROM runs WHERE id = :id AND error_sealed IS NOT NULL AND position('s3cr3t-marker' in encode(error_sealed, 'escape')) = 0", { id: run.id });
    expect(sealed).toBe(1);
    // a second end of the same run (from the statuses it had) takes nothing
    expect(await app.core.runs.finish(run, 'errored', { error: 'again', statusReason: 'run failed' }, { onlyIfStatus: ['pending'] })).toBe(false);
    expect((await app.core.runs.get(t.adminActor, run.id)).error).toBe('terraform said no: s3cr3t-marker');
  });
});
