import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationEvent } from '../../src/core/notifications/notification.js';
import { RecordingChannel } from '../core/notifications/recording-channel.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

/**
 * The embedded database has one connection: a kept plan's decisions and the notifications they
 * publish (all inside one transaction each) must not wait on a query outside it.
 */
describe('kept plans and notifications on the embedded database', () => {
  let app: TestApp;
  let repo: BareRepo;
  const channel = new RecordingChannel();
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'solo' });
    await repo.commitFiles({ 'app/main.tf': tfData(1), 'old/main.tf': tfData(1) }, 'two projects');
    app = await startTestApp({ embedded: true, env: { ATLANTAS_SLACK_CHANNEL: 'C0SOLO001' }, childEnv: insteadOfEnv(repo.root) });
    app.internals.notifications.register(channel);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('plans, applies once, tells needs-approval and applied once each; expiry releases a lock', async () => {
    const created = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/solo', dir: 'app', keep_plan: true } });
    expect(created.status, created.text).toBe(201);
    const run = await waitForRun(app, created.body.id);
    expect(run.status).toBe('planned');
    const answers = await Promise.all([1, 2].map(() => app.req('POST', `/api/v1/runs/${run.id}/apply`, { token: app.admin.token })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect((await waitForRun(app, run.id, (s) => ['applied', 'errored'].includes(s))).status).toBe('applied');
    const of = (kind: string) => (e: NotificationEvent) => e.kind === kind && 'runId' in e && e.runId === run.id;
    await expect.poll(() => channel.delivered(of('run.applied')).length, { timeout: 20_000 }).toBe(1);
    expect(channel.delivered(of('run.needs_approval'))).toEqual([expect.objectContaining({ target: expect.objectContaining({ destination: 'C0SOLO001' }) })]);

    const other = await app.req('POST', '/api/v1/runs', { token: app.admin.token, body: { repo: 'acme/solo', dir: 'old', keep_plan: true } });
    await waitForRun(app, other.body.id);
    const { expired } = await app.internals.housekeeping.tick(new Date(Date.now() + 25 * 60 * 60_000));
    expect(expired).toEqual([other.body.id]);
    expect((await app.req('GET', '/api/v1/locks', { token: app.admin.token })).body).toEqual([]);
    await expect.poll(() => channel.delivered((e) => e.kind === 'run.plan_expired' && e.runId === other.body.id).length, { timeout: 20_000 }).toBe(1);
  });
});
