import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../harness/fake-github.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * upgrade_bot's registry_url and releases_url are a tenant admin's choice, so they pass the
 * outbound guard: with ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=false a loopback registry is refused when
 * the agent is created or changed (a 400 naming the key and the fix), and at run time for an
 * agent saved while the operator allowed it, before anything is asked of it.
 */
describe('upgrade_bot and the outbound guard', () => {
  let gh: FakeGitHub;
  let app: TestApp;
  let asked = 0;
  let registry: http.Server;
  let registryUrl: string;

  beforeAll(async () => {
    registry = http.createServer((_req, res) => {
      asked++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"versions":[]}');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}`;
    gh = await startFakeGitHub();
    app = await startTestApp({ env: { ATLANTAS_GH_API_URL: gh.url, ATLANTAS_GH_TOKEN: gh.pat, ATLANTAS_SCHEDULER_TICK: '1h', ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: 'false' } });
  });
  afterAll(async () => {
    await app?.close();
    await gh?.close();
    await new Promise<void>((resolve) => registry?.close(() => resolve()));
  });

  const create = (config: Record<string, unknown>, name = 'upgrades') =>
    app.req('POST', '/api/v1/agents', { token: app.admin.token, body: { name, agent_type: 'upgrade_bot', schedule: '0 * * * *', config } });

  it('refuses a loopback registry_url or releases_url at create and update with a 400 naming the key', async () => {
    const loopback = await create({ registry_url: registryUrl });
    expect(loopback.status, loopback.text).toBe(400);
    expect(loopback.body.detail).toMatch(/^config\.registry_url: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback, private or link-local address/);
    expect(loopback.body.detail).toContain('ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true');

    const byName = await create({ releases_url: 'http://localhost:9/v1/releases/terraform' });
    expect(byName.status, byName.text).toBe(400);
    expect(byName.body.detail).toMatch(/^config\.releases_url: localhost resolves to /);
    const metadata = await create({ registry_url: 'http://169.254.169.254/latest/' });
    expect(metadata.status).toBe(400);
    expect((await app.req('GET', '/api/v1/agents', { token: app.admin.token })).body).toEqual([]);

    const agent = await create({}); // the public defaults
    expect(agent.status, agent.text).toBe(201);
    const patched = await app.req('PATCH', `/api/v1/agents/${agent.body.id}`, { token: app.admin.token, body: { config: { registry_url: `${registryUrl}/` } } });
    expect(patched.status, patched.text).toBe(400);
    expect(patched.body.detail).toContain('config.registry_url: 127.0.0.1 resolves to 127.0.0.1');
    expect((await app.req('GET', `/api/v1/agents/${agent.body.id}`, { token: app.admin.token })).body.config).toEqual({});
    expect(asked).toBe(0);
  });

  it('refuses it at run time too, for an agent saved while private addresses were allowed', async () => {
    const agent = await create({}, 'saved-earlier');
    expect(agent.status, agent.text).toBe(201);
    // as if the operator had ATLANTAS_ALLOW_PRIVATE_WEBHOOKS=true when it was saved, and turned it off since
    await app.sql('UPDATE agents SET config = CAST(:config AS jsonb) WHERE id = :id', {
      id: agent.body.id, config: JSON.stringify({ registry_url: registryUrl, releases_url: `${registryUrl}/v1/releases/terraform` }),
    });
    expect((await app.req('POST', `/api/v1/agents/${agent.body.id}/trigger`, { token: app.admin.token })).status).toBe(202);
    await app.scheduler.idle();
    await app.internals.agentExecutor.idle();
    const [execution] = (await app.req('GET', `/api/v1/agents/${agent.body.id}/executions`, { token: app.admin.token })).body;
    expect(execution).toMatchObject({ status: 'failed' });
    expect(execution.error).toMatch(/^config\.registry_url: 127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback, private or link-local address/);
    expect(asked).toBe(0);
  });
});
