import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingChannel } from '../core/notifications/recording-channel.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** A clock the test moves: schedules are checked without waiting for real minutes. */
class TestClock {
  #now = Date.now();
  now = () => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
  /** back to real time: rows stamped by the database (lock times) are compared with it */
  reset(): void {
    this.#now = Date.now();
  }
}

const MINUTE = 60_000;

describe('/api/v1/agents and the schedule', () => {
  let app: TestApp;
  const clock = new TestClock();
  /** Slack's place: what the outbox delivers */
  const channel = new RecordingChannel();

  beforeAll(async () => {
    // A tick interval no test reaches: ticks happen when the test calls tick().
    app = await startTestApp({ agentClock: clock, env: { ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_SLACK_CHANNEL: '#ops', ATLANTAS_NOTIFY_POLL_INTERVAL: '10m' } });
    app.internals.notifications.register(channel);
  });
  afterAll(async () => {
    await app?.close();
  });

  const create = (body: Record<string, unknown>, token = app.admin.token) => app.req('POST', '/api/v1/agents', { token, body });
  const executions = async (id: string) => (await app.req('GET', `/api/v1/agents/${id}/executions`, { token: app.admin.token })).body as any[];
  const tick = async () => {
    await app.scheduler.tick();
    await app.scheduler.idle();
    await app.internals.notifications.drain();
  };
  /** the kinds delivered to the channel since `from`, sorted (poll it: the dispatcher's own loop may still be delivering when drain returns) */
  const told = (from = 0) => channel.delivered().slice(from).map((d) => d.event.kind).sort();

  it('refuses an invalid cron expression with a message naming it, and an unknown time zone', async () => {
    const res = await create({ name: 'bad-cron', agent_type: 'state_watcher', schedule: '61 * * * *' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_error');
    expect(res.body.detail).toContain('"61 * * * *" is not a valid cron expression');
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'schedule' })]);

    const fields = await create({ name: 'bad-cron', agent_type: 'state_watcher', schedule: '* * *' });
    expect(fields.status).toBe(400);
    expect(fields.body.detail).toContain('"* * *"');
    expect(fields.body.detail).toContain('expected 5 or 6 fields');

    // node-cron takes per-second expressions; an agent runs at most once a minute
    const tooOften = await create({ name: 'every-second', agent_type: 'state_watcher', schedule: '*/10 * * * * *' });
    expect(tooOften.status).toBe(400);
    expect(tooOften.body.detail).toContain('"*/10 * * * * *" runs 6 times a minute; agents run at most once a minute');
    expect(tooOften.body.errors).toEqual([expect.objectContaining({ path: 'schedule' })]);
    const oncePerSlot = await create({ name: 'second-thirty', agent_type: 'state_watcher', schedule: '30 */5 * * * *' });
    expect(oncePerSlot.status, oncePerSlot.text).toBe(201);
    expect((await app.req('DELETE', `/api/v1/agents/${oncePerSlot.body.id}`, { token: app.admin.token })).status).toBe(204);

    const zone = await create({ name: 'bad-zone', agent_type: 'state_watcher', schedule: '0 * * * *', timezone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
    expect(zone.body.detail).toContain('"Mars/Olympus" is not an IANA time zone');

    const config = await create({ name: 'bad-config', agent_type: 'state_watcher', schedule: '0 * * * *', config: { max_lock_age: 'soon' } });
    expect(config.status).toBe(400);
    expect(config.body.detail).toContain('config.max_lock_age');
    expect((await app.req('GET', '/api/v1/agents', { token: app.admin.token })).body).toEqual([]);
  });

  it('creates, lists, changes, pauses and deletes an agent, admins only, within the tenant', async () => {
    const res = await create({ name: 'watcher', agent_type: 'state_watcher', schedule: '*/15 * * * *', config: { max_lock_age: '2h' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'watcher', agent_type: 'state_watcher', schedule: '*/15 * * * *', timezone: 'UTC', is_active: true, config: { max_lock_age: '2h' } });
    const id = res.body.id;
    expect((await create({ name: 'watcher', agent_type: 'state_watcher', schedule: '0 * * * *' })).status).toBe(409);

    const member = await app.factories.user({ role: 'member' });
    expect((await create({ name: 'mine', agent_type: 'state_watcher', schedule: '0 * * * *' }, member.token)).status).toBe(403);
    expect((await app.req('GET', `/api/v1/agents/${id}`, { token: member.token })).body.id).toBe(id);

    const other = await app.factories.tenant();
    expect((await app.req('GET', `/api/v1/agents/${id}`, { token: other.adminToken })).status).toBe(404);
    expect((await app.req('GET', '/api/v1/agents', { token: other.adminToken })).body).toEqual([]);
    expect((await app.req('POST', `/api/v1/agents/${id}/trigger`, { token: other.adminToken })).status).toBe(404);

    const patched = await app.req('PATCH', `/api/v1/agents/${id}`, { token: app.admin.token, body: { schedule: '0 9 * * 1-5', timezone: 'Europe/Paris' } });
    expect(patched.body).toMatchObject({ schedule: '0 9 * * 1-5', timezone: 'Europe/Paris' });
    const badPatch = await app.req('PATCH', `/api/v1/agents/${id}`, { token: app.admin.token, body: { schedule: 'every day' } });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.detail).toContain('"every day"');

    expect((await app.req('POST', `/api/v1/agents/${id}/deactivate`, { token: app.admin.token })).body.is_active).toBe(false);
    expect((await app.req('POST', `/api/v1/agents/${id}/activate`, { token: app.admin.token })).body.is_active).toBe(true);
    expect((await app.req('DELETE', `/api/v1/agents/${id}`, { token: member.token })).status).toBe(403);
    expect((await app.req('DELETE', `/api/v1/agents/${id}`, { token: app.admin.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v1/agents/${id}`, { token: app.admin.token })).status).toBe(404);

    const audit = await app.sql<{ action: string }>(`SELECT action FROM audit_log WHERE target_id = :id ORDER BY id`, { id });
    expect(audit.map((a) => a.action)).toEqual(['agent.create', 'agent.update', 'agent.deactivate', 'agent.activate', 'agent.delete']);
  });

  it('runs a due slot once, and a slot missed for an hour once, not once per missed slot', async () => {
    const res = await create({ name: 'every-5', agent_type: 'state_watcher', schedule: '*/5 * * * *' });
    const id = res.body.id;
    await tick();
    expect(await executions(id)).toEqual([]); // created after the last slot: nothing is due yet

    clock.advance(5 * MINUTE);
    await tick();
    await tick();
    const first = await executions(id);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ trigger: 'schedule', status: 'succeeded', summary: 'nothing to report' });
    expect(new Date(first[0].scheduled_for).getUTCMinutes() % 5).toBe(0);

    clock.advance(60 * MINUTE); // twelve slots pass with nobody ticking
    await tick();
    const after = await executions(id);
    expect(after).toHaveLength(2);
    const latestSlot = Math.floor(clock.now().getTime() / (5 * MINUTE)) * 5 * MINUTE;
    expect(new Date(after[0].scheduled_for).getTime()).toBe(latestSlot);

    // Paused: no slot runs; activated again: slots passed while paused are not run late.
    await app.req('POST', `/api/v1/agents/${id}/deactivate`, { token: app.admin.token });
    clock.advance(10 * MINUTE);
    await tick();
    await app.req('POST', `/api/v1/agents/${id}/activate`, { token: app.admin.token });
    await tick();
    expect(await executions(id)).toHaveLength(2);
    await app.req('DELETE', `/api/v1/agents/${id}`, { token: app.admin.token });
  });

  it('reads the schedule in the agent\'s time zone', async () => {
    // 09:00 in Tokyo is 00:00 UTC: an agent at "0 9 * * *" Asia/Tokyo is due at a UTC midnight.
    const res = await create({ name: 'tokyo', agent_type: 'state_watcher', schedule: '0 9 * * *', timezone: 'Asia/Tokyo' });
    clock.advance(24 * 60 * MINUTE);
    await tick();
    const [execution] = await executions(res.body.id);
    expect(new Date(execution.scheduled_for).toISOString()).toMatch(/T00:00:00\.000Z$/);
    await app.req('DELETE', `/api/v1/agents/${res.body.id}`, { token: app.admin.token });
  });

  it('state_watcher reports a lock held past its limit once, and a new lock again', async () => {
    clock.reset();
    const name = `watched-${randomUUID().slice(0, 8)}`;
    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Info: '', Who: 'alice@laptop', Version: '1.11.4', Created: new Date().toISOString(), Path: '' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, body: holder })).status).toBe(200);
    const tenantId = await app.factories.defaultTenantId();
    const prLock = await app.internals.db.sequelize.transaction((t) => app.core.locks.acquire(
      tenantId, { repoFullName: 'acme/infra', dir: 'network', workspace: 'default', projectName: '' },
      { kind: 'pull_request', prNumber: 7, prUrl: 'https://github.com/acme/infra/pull/7', lockedBy: 'alice' }, null, t,
    ));

    const res = await create({ name: 'locks', agent_type: 'state_watcher', schedule: '*/10 * * * *', config: { max_lock_age: '2h' } });
    const id = res.body.id;
    clock.advance(10 * MINUTE);
    await tick();
    const [young] = await executions(id);
    expect(young.findings).toEqual([]); // held for minutes: under the limit

    const before = channel.delivered().length;
    clock.advance(3 * 60 * MINUTE);
    await tick();
    clock.advance(10 * MINUTE);
    await tick();
    const [second, first] = await executions(id);
    const kinds = (e: any) => e.findings.map((f: any) => [f.kind, f.notified]).sort();
    expect(kinds(first)).toEqual([['lock.held_long', true], ['state.lock_held_long', true]]);
    expect(kinds(second)).toEqual([['lock.held_long', false], ['state.lock_held_long', false]]);
    expect(first.findings.find((f: any) => f.kind === 'lock.held_long').message).toContain('acme/infra/network (default) locked by pull request #7');

    // One message each through the outbox, for the exact lock; the lock's shares the housekeeping warning's dedupe key.
    await expect.poll(() => told(before)).toEqual(['lock.held_long', 'state.alert']);
    expect(channel.delivered().slice(before).find((d) => d.event.kind === 'lock.held_long')!.event).toMatchObject({ tenantId, lockId: prLock.id });
    const keys = await app.sql<{ dedupe_key: string }>(`SELECT dedupe_key FROM notification_outbox WHERE dedupe_key IN (:keys)`, { keys: [`lock-warn:${prLock.id}`] });
    expect(keys).toHaveLength(1);

    // Released and taken again: a new lock is a new finding, told again.
    await app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, body: holder });
    const again = { ...holder, ID: randomUUID() };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, body: again })).status).toBe(200);
    clock.advance(3 * 60 * MINUTE);
    await tick();
    await expect.poll(() => told(before)).toEqual(['lock.held_long', 'state.alert', 'state.alert']);
    await app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token: app.admin.token, body: again });
    expect((await app.req('DELETE', `/api/v1/locks/${prLock.id}`, { token: app.admin.token })).status).toBe(200);
    await app.req('DELETE', `/api/v1/agents/${id}`, { token: app.admin.token });
  });

  it('state_watcher reports a serial that went backwards, a lineage that changed and a stale state, each once', async () => {
    clock.reset();
    const name = `history-${randomUUID().slice(0, 8)}`;
    const push = (serial: number, lineage: string, force = false) => app.req('POST', `/api/v1/tfstate/${name}/default${force ? '?force=true' : ''}`, {
      token: app.admin.token, body: { version: 4, terraform_version: '1.11.4', serial, lineage, outputs: {}, resources: [], check_results: null },
    });
    const lineage = randomUUID();
    expect((await push(5, lineage)).status).toBe(200);
    const res = await create({ name: 'history', agent_type: 'state_watcher', schedule: '*/10 * * * *', config: { stale_after_days: 1 } });
    const id = res.body.id;
    const run = async () => {
      clock.advance(10 * MINUTE);
      await tick();
      return (await executions(id))[0].findings.map((f: any) => [f.kind, f.notified]);
    };
    expect(await run()).toEqual([]);

    expect((await push(2, lineage, true)).status).toBe(200); // an admin's forced write of an older serial
    expect(await run()).toEqual([['state.serial_backwards', true]]);
    expect(await run()).toEqual([['state.serial_backwards', false]]);

    expect((await push(3, randomUUID(), true)).status).toBe(200);
    expect(await run()).toEqual([['state.lineage_changed', true]]);

    clock.advance(2 * 24 * 60 * MINUTE);
    expect((await run()).sort()).toEqual([['state.lineage_changed', false], ['state.stale', true]]);
    await app.req('DELETE', `/api/v1/agents/${id}`, { token: app.admin.token });
  });

  it('triggers an agent now and lists the execution with its outcome; types whose core is missing say so', async () => {
    // this server has no GitHub host: the upgrade bot cannot open pull requests here
    const res = await create({ name: 'upgrades', agent_type: 'upgrade_bot', schedule: '0 * * * *' });
    const started = await app.req('POST', `/api/v1/agents/${res.body.id}/trigger`, { token: app.admin.token });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ trigger: 'manual', status: 'running', scheduled_for: null });
    await app.scheduler.idle();
    const [done] = await executions(res.body.id);
    expect(done).toMatchObject({ id: started.body.id, status: 'unavailable', runs: [], run_ids: [] });
    expect(done.summary).toContain('not available yet: the upgrade bot needs a GitHub host');
    expect(done.finished_at).not.toBeNull();
  });
});
