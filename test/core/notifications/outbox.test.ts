import { rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryLater, type DeliveryResult } from '../../../src/core/notifications/notification-channel.js';
import type { NotificationEvent } from '../../../src/core/notifications/notification.js';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../../harness/git-repo.js';
import { waitForRun } from '../../harness/runs.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';
import { tfData } from '../../harness/tf-files.js';
import { RecordingChannel } from './recording-channel.js';

const DAY = 24 * 60 * 60_000;
/** an apply that fails: the provisioner runs at apply time only */
const failingApply = `resource "terraform_data" "boom" {
  input = "v1"
  provisioner "local-exec" {
    command = "echo no such luck >&2; exit 3"
  }
}
`;

/**
 * The notifications outbox with two server processes on one database (two replicas), each with
 * its own registered channel: one event is one message, whichever replica delivers it.
 */
describe('notifications outbox', () => {
  let a: TestApp;
  let b: TestApp;
  let repo: BareRepo;
  const script: DeliveryResult[] = [];
  const chanA = new RecordingChannel('test', script);
  const chanB = new RecordingChannel('test', script);
  const both = () => [...chanA.attempts, ...chanB.attempts];
  const deliveredOf = (pred: (e: NotificationEvent) => boolean) => [...chanA.delivered(pred), ...chanB.delivered(pred)];
  /** the fallback poll: only a NOTIFY explains a delivery well before it */
  const env = { ATLANTAS_SLACK_CHANNEL: '#ops-default', ATLANTAS_PLAN_TTL: '7d', ATLANTAS_NOTIFY_POLL_INTERVAL: '10m' };

  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'notify' });
    await repo.commitFiles({ 'boom/main.tf': failingApply, 'fine/main.tf': tfData(1), 'held/main.tf': tfData(1) }, 'projects');
    a = await startTestApp({ env, childEnv: insteadOfEnv(repo.root) });
    b = await startTestApp({ env, childEnv: insteadOfEnv(repo.root), reuse: { schema: a.reuse.schema, encryptionKey: a.reuse.encryptionKey } });
    a.internals.notifications.register(chanA);
    b.internals.notifications.register(chanB);
  });
  afterAll(async () => {
    await b?.close({ keepData: true }); // the schema is a's: it drops it
    if (b?.reuse.dataDir) await rm(b.reuse.dataDir, { recursive: true, force: true });
    await a?.close();
    await repo?.cleanup();
  });

  const outboxRow = async (predicate: string, replacements: Record<string, unknown>) =>
    (await a.sql(`SELECT * FROM notification_outbox WHERE ${predicate}`, replacements))[0];
  /** the row once its delivery settled (a replica's own loop may be delivering it when a test's drain returns) */
  const settledRow = async (runId: string) => {
    await expect.poll(async () => (await outboxRow("event->>'runId' = :runId", { runId }))?.status, { timeout: 20_000 }).toMatch(/^(delivered|skipped|failed)$/);
    return outboxRow("event->>'runId' = :runId", { runId });
  };

  it('tells an errored apply exactly once, and its approval request once, with two replicas delivering', async () => {
    const member = await a.factories.user();
    const created = await a.req('POST', '/api/v1/runs', { token: member.token, body: { repo: 'acme/notify', dir: 'boom', keep_plan: true } });
    expect(created.status, created.text).toBe(201);
    const runId = created.body.id;
    await waitForRun(a, runId, undefined, 90_000, member.token);
    const apply = await b.req('POST', `/api/v1/runs/${runId}/apply`, { token: member.token });
    expect(apply.status, apply.text).toBe(200);
    const ended = await waitForRun(a, runId, (s) => ['applied', 'errored'].includes(s), 90_000, member.token);
    expect(ended.status).toBe('errored');

    const ofRun = (kind: string) => (e: NotificationEvent) => e.kind === kind && 'runId' in e && e.runId === runId;
    await expect.poll(() => deliveredOf(ofRun('run.errored')).length, { timeout: 20_000 }).toBe(1);
    expect(deliveredOf(ofRun('run.needs_approval'))).toHaveLength(1);
    // Both replicas drain again: nothing is told twice.
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain(), a.internals.notifications.drain()]);
    expect(both().filter((d) => ofRun('run.errored')(d.event))).toHaveLength(1);
    expect(deliveredOf(ofRun('run.errored'))[0]).toMatchObject({
      event: { kind: 'run.errored', tenantId: member.tenantId, runId },
      target: { tenantId: member.tenantId, destination: '#ops-default' },
    });
    expect(deliveredOf(ofRun('run.applied'))).toHaveLength(0);
  });

  it('delivers a burst of events published on both replicas once each, whichever replica claims them', async () => {
    const tenantId = await a.factories.defaultTenantId();
    const ids: string[] = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(ids.map((runId, i) => (i % 2 ? a : b).core.notifications.publish({ kind: 'run.applied', tenantId, projectId: null, runId })));
    const ofBurst = (e: NotificationEvent) => e.kind === 'run.applied' && ids.includes(e.runId);
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain(), a.internals.notifications.drain(), b.internals.notifications.drain()]);
    await expect.poll(() => deliveredOf(ofBurst).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(40);
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain()]);
    const told = deliveredOf(ofBurst);
    expect(told).toHaveLength(40);
    expect(new Set(told.map((d) => (d.event as { runId: string }).runId)).size).toBe(40);
    expect(both().filter((d) => ofBurst(d.event))).toHaveLength(40); // no attempt beyond the one delivery each
  });

  it('a publish wakes the other replica through LISTEN/NOTIFY: with the publisher\'s dispatcher stopped, the other delivers at once', async () => {
    const tenantId = await a.factories.defaultTenantId();
    await a.internals.notifications.stop();
    try {
      const runId = randomUUID();
      await a.core.notifications.publish({ kind: 'run.applied', tenantId, projectId: null, runId });
      // Both replicas poll every 10 minutes: only b's wake by NOTIFY delivers within the poll's timeout.
      await expect.poll(() => chanB.delivered((e) => e.kind === 'run.applied' && e.runId === runId).length, { timeout: 10_000 }).toBe(1);
      expect(chanA.attempts.filter((d) => d.event.kind === 'run.applied' && d.event.runId === runId)).toHaveLength(0);
    } finally {
      a.internals.notifications.start();
    }
  });

  it('tells nothing about work that rolled back: a publish inside a failed transaction leaves no row', async () => {
    const tenantId = await a.factories.defaultTenantId();
    const runId = randomUUID();
    await expect(a.internals.db.sequelize.transaction(async (transaction) => {
      await a.core.notifications.publish({ kind: 'run.errored', tenantId, projectId: null, runId }, { transaction });
      throw new Error('the work failed');
    })).rejects.toThrow('the work failed');
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain()]);
    expect(await outboxRow("event->>'runId' = :runId", { runId })).toBeUndefined();
    expect(both().filter((d) => d.event.kind === 'run.errored' && d.event.runId === runId)).toHaveLength(0);
  });

  it('publishing the same dedupe key twice tells once', async () => {
    const tenantId = await a.factories.defaultTenantId();
    const event = { kind: 'state.alert' as const, tenantId, projectId: null, stateId: randomUUID(), reason: 'serial went backwards' };
    await a.core.notifications.publish(event, { dedupeKey: `state:${event.stateId}` });
    await b.core.notifications.publish(event, { dedupeKey: `state:${event.stateId}` });
    await expect.poll(() => deliveredOf((e) => e.kind === 'state.alert' && e.stateId === event.stateId).length, { timeout: 20_000 }).toBe(1);
    expect((await a.sql('SELECT count(*)::int AS n FROM notification_outbox WHERE dedupe_key = :k', { k: `state:${event.stateId}` }))[0].n).toBe(1);
  });

  it('waits for Slack\'s Retry-After after a 429, and backs off exponentially after 5xx', async () => {
    const tenantId = await a.factories.defaultTenantId();
    chanA.answer(retryLater('429 rate_limited', 30_000));
    const runId = randomUUID();
    await a.core.notifications.publish({ kind: 'run.needs_approval', tenantId, projectId: null, runId });
    const mine = (e: NotificationEvent) => e.kind === 'run.needs_approval' && e.runId === runId;
    await expect.poll(() => both().filter((d) => mine(d.event)).length, { timeout: 20_000 }).toBe(1);
    const first = both().find((d) => mine(d.event))!;
    let row = await outboxRow("event->>'runId' = :runId", { runId });
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: '429 rate_limited' });
    const wait = new Date(row.next_attempt_at).getTime() - first.at.getTime();
    expect(wait).toBeGreaterThanOrEqual(29_000);
    expect(wait).toBeLessThanOrEqual(31_000);

    // Not before Retry-After (the clock is moved, nothing sleeps) …
    const t0 = new Date(row.next_attempt_at).getTime();
    await a.internals.notifications.drain(new Date(t0 - 5_000));
    expect(both().filter((d) => mine(d.event))).toHaveLength(1);
    // … then a 5xx: retried after the base backoff doubled per attempt (1 s, 2 s, …).
    chanA.answer(retryLater('503 service unavailable'));
    await a.internals.notifications.drain(new Date(t0 + 1));
    row = await outboxRow("event->>'runId' = :runId", { runId });
    expect(row).toMatchObject({ status: 'pending', attempts: 2, last_error: '503 service unavailable' });
    expect(new Date(row.next_attempt_at).getTime() - (t0 + 1)).toBe(2_000);
    await b.internals.notifications.drain(new Date(t0 + 2_002));
    row = await outboxRow("event->>'runId' = :runId", { runId });
    expect(row).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(deliveredOf(mine)).toHaveLength(1);
  });

  it('routes to the project\'s channel, else the tenant\'s default, else ATLANTAS_SLACK_CHANNEL (default tenant only); a project may mute kinds', async () => {
    const tenantId = await a.factories.defaultTenantId();
    const admin = a.admin.token;
    const mk = async (name: string, body: Record<string, unknown> = {}) => {
      const res = await a.req('POST', '/api/v1/projects', { token: admin, body: { name, repository_url: 'acme/notify', ...body } });
      expect(res.status, res.text).toBe(201);
      return res.body;
    };
    const withChannel = await mk(`routed-${randomUUID().slice(0, 6)}`, { slack_channel: '#payments' });
    expect(withChannel).toMatchObject({ slack_channel: '#payments', notify_events: null });
    const plain = await mk(`plain-${randomUUID().slice(0, 6)}`);
    const muted = await mk(`muted-${randomUUID().slice(0, 6)}`);
    const patched = await a.req('PATCH', `/api/v1/projects/${muted.id}`, { token: admin, body: { slack_channel: 'C0MUTED1', notify_events: ['run.errored'] } });
    expect(patched.body).toMatchObject({ slack_channel: 'C0MUTED1', notify_events: ['run.errored'] });
    expect((await a.req('PATCH', `/api/v1/projects/${muted.id}`, { token: admin, body: { notify_events: ['run.exploded'] } })).status).toBe(400);
    expect((await a.req('PATCH', `/api/v1/projects/${muted.id}`, { token: admin, body: { slack_channel: 'not a channel!' } })).status).toBe(400);

    const send = async (projectId: string | null, kind: 'run.applied' | 'run.errored' = 'run.applied', tenant = tenantId) => {
      const runId = randomUUID();
      await a.core.notifications.publish({ kind, tenantId: tenant, projectId, runId });
      await b.internals.notifications.drain();
      return settledRow(runId);
    };
    expect(await send(withChannel.id)).toMatchObject({ status: 'delivered', destination: '#payments' });
    expect(await send(plain.id)).toMatchObject({ status: 'delivered', destination: '#ops-default' });
    expect(await send(muted.id)).toMatchObject({ status: 'skipped', last_error: expect.stringContaining('does not notify run.applied') });
    expect(await send(muted.id, 'run.errored')).toMatchObject({ status: 'delivered', destination: 'C0MUTED1' });

    const viewer = await a.factories.user({ role: 'viewer' });
    expect((await a.req('PUT', '/api/v1/notifications/settings', { token: viewer.token, body: { default_channel: '#infra' } })).status).toBe(403);
    const set = await a.req('PUT', '/api/v1/notifications/settings', { token: admin, body: { default_channel: '#infra' } });
    expect(set.body).toEqual({ default_channel: '#infra' });
    expect(await send(plain.id)).toMatchObject({ destination: '#infra' });
    expect(await send(withChannel.id)).toMatchObject({ destination: '#payments' });
    expect(await send(null)).toMatchObject({ destination: '#infra' });
    await a.req('PUT', '/api/v1/notifications/settings', { token: admin, body: { default_channel: null } });
    expect(await send(null)).toMatchObject({ destination: '#ops-default' });

    // Another tenant never falls back to the operator's channel; its own default works.
    const other = await a.factories.tenant();
    expect(await send(null, 'run.applied', other.id)).toMatchObject({ status: 'skipped', destination: null });
    await a.core.notifications.setDefaultChannel(other.adminActor, 'C0THEIRS1');
    expect(await send(null, 'run.applied', other.id)).toMatchObject({ status: 'delivered', destination: 'C0THEIRS1' });
    // Its project ids do not route through this tenant's projects.
    expect(await send(withChannel.id, 'run.applied', other.id)).toMatchObject({ destination: 'C0THEIRS1' });
    expect((await a.req('GET', '/api/v1/notifications', { token: other.adminToken })).body.every((n: any) => n.destination !== '#payments')).toBe(true);
  });

  it('warns once about a lock held longer than ATLANTAS_LOCK_WARN_AFTER, whatever the replicas sweep', async () => {
    const member = await a.factories.user();
    const created = await a.req('POST', '/api/v1/runs', { token: member.token, body: { repo: 'acme/notify', dir: 'held', keep_plan: true } });
    const runId = created.body.id;
    await waitForRun(a, runId, undefined, 90_000, member.token);
    const [lock] = (await a.req('GET', '/api/v1/locks', { token: member.token })).body.filter((l: any) => l.run_id === runId);
    const warned = (e: NotificationEvent) => e.kind === 'lock.held_long' && e.lockId === lock.id;

    await a.internals.housekeeping.tick(new Date(Date.now() + DAY - 60_000));
    await a.internals.notifications.drain();
    expect(both().filter((d) => warned(d.event))).toHaveLength(0);

    const later = new Date(Date.now() + DAY + 60_000);
    await Promise.all([a.internals.housekeeping.tick(later), b.internals.housekeeping.tick(later)]);
    await a.internals.housekeeping.tick(new Date(later.getTime() + DAY));
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain()]);
    await expect.poll(() => deliveredOf(warned).length, { timeout: 20_000 }).toBe(1);
    await Promise.all([a.internals.notifications.drain(), b.internals.notifications.drain()]);
    expect(both().filter((d) => warned(d.event))).toHaveLength(1);
    expect(deliveredOf(warned)[0]!.event).toMatchObject({ kind: 'lock.held_long', tenantId: member.tenantId, lockId: lock.id });
    await a.core.runs.discard(member.actor, runId);
  });
});
