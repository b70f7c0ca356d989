import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../src/core/runs/job.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

describe('runner pools', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('keeps a pool to its tenant: tenant B can neither see, list runners of, make tokens for nor delete tenant A\'s pool', async () => {
    const a = await app.factories.tenant();
    const b = await app.factories.tenant();
    const pool = await app.req('POST', '/api/v1/runner-pools', { token: a.adminToken, body: { name: 'a-pool' } });
    expect(pool.status, pool.text).toBe(201);
    expect(pool.body).toMatchObject({ name: 'a-pool', shared: false, tenant_id: a.id });
    expect((await app.req('GET', '/api/v1/runner-pools', { token: b.adminToken })).body.map((p: any) => p.id)).not.toContain(pool.body.id);
    for (const [method, path, body] of [
      ['GET', `/api/v1/runner-pools/${pool.body.id}/runners`, undefined],
      ['POST', `/api/v1/runner-pools/${pool.body.id}/tokens`, { name: 'steal' }],
      ['DELETE', `/api/v1/runner-pools/${pool.body.id}`, undefined],
    ] as const) {
      expect((await app.req(method, path, { token: b.adminToken, body })).status, `${method} ${path}`).toBe(404);
    }
    expect((await app.req('GET', '/api/v1/runner-pools', { token: a.adminToken })).body.map((p: any) => p.id)).toContain(pool.body.id);
  });

  it('lets only admins manage pools, and only a platform admin make a shared one', async () => {
    const member = await app.factories.user({ role: 'member' });
    expect((await app.req('POST', '/api/v1/runner-pools', { token: member.token, body: { name: 'nope' } })).status).toBe(403);
    const other = await app.factories.tenant();
    expect((await app.req('POST', '/api/v1/runner-pools', { token: other.adminToken, body: { name: 'everyone', shared: true } })).status).toBe(403);
  });

  it('shows a runner token once, and the token opens nothing but the runner protocol', async () => {
    const t = await app.factories.tenant();
    const pool = (await app.req('POST', '/api/v1/runner-pools', { token: t.adminToken, body: { name: 'p' } })).body;
    const issued = await app.req('POST', `/api/v1/runner-pools/${pool.id}/tokens`, { token: t.adminToken, body: { name: 'r1' } });
    expect(issued.body.token).toMatch(/^atr_/);
    expect(JSON.stringify((await app.req('GET', `/api/v1/runner-pools/${pool.id}/runners`, { token: t.adminToken })).body)).not.toContain(issued.body.token);
    for (const path of ['/api/v1/runs', '/api/v1/projects', '/api/v1/states', '/api/v1/runner-pools']) {
      expect((await app.req('GET', path, { token: issued.body.token })).status, path).toBe(401);
    }
    const reg = await app.req('POST', '/api/v1/runner/register', { token: issued.body.token, body: { name: 'r1', version: '1' } });
    expect(reg.status).toBe(201);
    const claim = await app.req('POST', '/api/v1/runner/claim?wait=0', { token: issued.body.token, headers: { 'x-atlantas-runner': reg.body.id } });
    expect(claim.status).toBe(204);
    expect((await app.req('POST', '/api/v1/runner/claim?wait=0', { token: 'atr_' + 'x'.repeat(40), headers: { 'x-atlantas-runner': reg.body.id } })).status).toBe(401);
  });

  it('refuses a malformed job', () => {
    expect(Job.safeParse({ runId: 'nope', phase: 'plan' }).success).toBe(false);
    expect(Job.safeParse({
      runId: '00000000-0000-4000-8000-000000000000', phase: 'destroy', repo: {}, dir: '.', workspace: 'default', extraArgs: [],
      steps: { init: [], plan: [], show: [], apply: [] }, backend: null, env: {}, timeoutMs: 1,
    }).success).toBe(false);
  });
});
