import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp } from '../harness/start-app.js';

/**
 * Embedded PGlite: one process, one session, no election. The scheduler leads without taking the
 * database's only connection, so requests keep being answered while agents run on their schedule.
 */
describe('the scheduler on the embedded database', () => {
  it('runs a due agent and leaves the one connection to requests', async () => {
    let now = Date.now();
    const app = await startTestApp({ embedded: true, agentClock: { now: () => new Date(now) }, env: { ATLANTAS_SCHEDULER_TICK: '1h' } });
    onTestFinished(() => app.close());
    const agent = await app.req('POST', '/api/v1/agents', { token: app.admin.token, body: { name: 'watch', agent_type: 'state_watcher', schedule: '*/5 * * * *' } });
    expect(agent.status).toBe(201);

    now += 5 * 60_000;
    await app.scheduler.tick();
    // a request while the execution may still be running is answered (nothing holds the session)
    expect((await app.req('GET', '/api/v1/agents', { token: app.admin.token })).status).toBe(200);
    await app.scheduler.idle();
    const executions = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(executions).toEqual([expect.objectContaining({ trigger: 'schedule', status: 'succeeded' })]);
    expect(app.logs.text()).not.toMatch(/leader election connection failed|this replica leads/);
  });
});
