import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { request } from '../harness/http.js';
import { cleanEnv, spawnAtlantas, type ServerProcess } from '../harness/spawn-server.js';
import { createTestSchema, testDatabaseUrl, withClient } from '../harness/test-db.js';

/**
 * Two real server processes on one PostgreSQL schema: one leads the scheduler, the agent runs
 * once per tick (never once per replica), and when the leader is SIGKILLed the other replica
 * takes over at its next tick. The schedule is per second (which the operator allows with
 * ATLANTAS_AGENT_SECOND_SCHEDULES) and the tick 1 s, so nothing waits for a real minute.
 */
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
const TICK_MS = 1000;

interface ExecutionRow { replica: string; scheduled_for: Date }

describe('scheduler leader election across replicas', () => {
  it('runs a scheduled agent exactly once per tick with two replicas, and the survivor takes over from a SIGKILLed leader', { timeout: 120_000 }, async () => {
    const { schema, drop } = await createTestSchema('lead');
    const dataDirs = [await mkdtemp(path.join(os.tmpdir(), 'atlantas-lead-a-')), await mkdtemp(path.join(os.tmpdir(), 'atlantas-lead-b-'))];
    const servers: ServerProcess[] = [];
    onTestFinished(async () => {
      for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop('SIGKILL');
      await drop();
      for (const d of dataDirs) await rm(d, { recursive: true, force: true });
    });
    const key = randomBytes(32).toString('base64');
    const envFor = (dataDir: string) => cleanEnv({
      ATLANTAS_PORT: '0', ATLANTAS_HOST: '127.0.0.1', DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_DATA_DIR: dataDir,
      ATLANTAS_ENCRYPTION_KEY: key, ATLANTAS_ADMIN_EMAIL: ADMIN.email, ATLANTAS_ADMIN_PASSWORD: ADMIN.password,
      ATLANTAS_SCHEDULER_TICK: `${TICK_MS}ms`, ATLANTAS_AGENT_SECOND_SCHEDULES: 'true', ATLANTAS_WORKERS: 'false', ATLANTAS_SANDBOX: 'off',
    });
    servers.push(await spawnAtlantas(['server'], { env: envFor(dataDirs[0]) }));
    servers.push(await spawnAtlantas(['server'], { env: envFor(dataDirs[1]) }));
    const replicaOf = (s: ServerProcess) => `${os.hostname()}/${s.proc.pid}`;

    const login = await request(servers[0].url, 'POST', '/api/v1/auth/login', { body: ADMIN });
    const agent = await request(servers[0].url, 'POST', '/api/v1/agents', {
      token: login.body.access_token, body: { name: 'every-second', agent_type: 'state_watcher', schedule: '* * * * * *' },
    });
    expect(agent.status).toBe(201);
    const executions = () => withClient((c) => c.query<ExecutionRow>(
      'SELECT replica, scheduled_for FROM agent_executions WHERE agent_id = $1 ORDER BY scheduled_for', [agent.body.id],
    ).then((r) => r.rows), { schema });

    await expect.poll(async () => (await executions()).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(5);
    const before = await executions();
    const replicas = new Set(before.map((e) => e.replica));
    expect(replicas.size, 'one replica ran every slot').toBe(1);
    const leader = servers.find((s) => replicas.has(replicaOf(s)))!;
    const follower = servers.find((s) => s !== leader)!;
    expect(leader, `executions by ${[...replicas]}`).toBeDefined();
    // once per tick: each slot one execution, slots one second apart or more, never two for a slot
    const slots = before.map((e) => e.scheduled_for.getTime());
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBeGreaterThanOrEqual(1000);
    expect(leader.stdout()).toContain('scheduler: this replica leads');
    expect(follower.stdout()).not.toContain('scheduler: this replica leads');

    leader.proc.kill('SIGKILL');
    await leader.exited;
    const lastByLeader = Math.max(...(await executions()).filter((e) => e.replica === replicaOf(leader)).map((e) => e.scheduled_for.getTime()));
    await expect.poll(async () => (await executions()).some((e) => e.replica === replicaOf(follower)), { timeout: 30_000, interval: 200 }).toBe(true);
    const after = await executions();
    const firstByFollower = Math.min(...after.filter((e) => e.replica === replicaOf(follower)).map((e) => e.scheduled_for.getTime()));
    expect(follower.stdout()).toContain('scheduler: this replica leads');
    // within one tick of the leader's last slot (plus the second the kill landed in)
    expect(firstByFollower - lastByLeader).toBeLessThanOrEqual(2 * TICK_MS + 2000);
    // and the slots the dead leader missed are not run one by one afterwards
    await expect.poll(async () => (await executions()).filter((e) => e.replica === replicaOf(follower)).length, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(3);
    // nothing the dead leader was running is left "running" forever: the new leader ended it
    const stuck = await withClient((c) => c.query(`SELECT id FROM agent_executions WHERE status = 'running' AND replica = $1`, [replicaOf(leader)]).then((r) => r.rows), { schema });
    expect(stuck).toEqual([]);
    const followerSlots = (await executions()).filter((e) => e.replica === replicaOf(follower)).map((e) => e.scheduled_for.getTime());
    expect(followerSlots.every((t) => t >= firstByFollower)).toBe(true);
  });
});
