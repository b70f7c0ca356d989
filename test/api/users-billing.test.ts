import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, insteadOfEnv, type BareRepo } from '../harness/git-repo.js';
import { waitForRun } from '../harness/runs.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfData } from '../harness/tf-files.js';

const json = { 'content-type': 'application/json' };

/** A terraform state with managed resources of `instances` instances each, and one data source (not billed). */
function stateDoc(serial: number, instances: number[]): string {
  return JSON.stringify({
    version: 4, terraform_version: '1.11.0', serial, lineage: 'lin-billing', outputs: {},
    resources: [
      ...instances.map((n, i) => ({ mode: 'managed', type: 'terraform_data', name: `r${i}`, provider: 'provider["terraform.io/builtin/terraform"]', instances: Array.from({ length: n }, (_, k) => ({ index_key: k, schema_version: 0, attributes: { id: `${i}-${k}` } })) })),
      { mode: 'data', type: 'terraform_remote_state', name: 'net', provider: 'provider["terraform.io/builtin/terraform"]', instances: [{ schema_version: 0, attributes: {} }] },
    ],
  });
}

describe('users', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('lists the tenant\'s users a page at a time, filtered by role and active', async () => {
    const viewers = [];
    for (let i = 0; i < 3; i++) viewers.push(await app.factories.user({ role: 'viewer' }));
    await app.factories.user({ role: 'member' });
    await app.factories.tenant(); // another tenant's users are never listed
    const first = await app.req('GET', '/api/v1/users?role=viewer&per_page=2', { token: app.admin.token });
    expect(first.status, first.text).toBe(200);
    expect(first.body.map((u: any) => u.id)).toEqual(viewers.slice(0, 2).map((v) => v.id));
    expect(first.headers.get('x-total-count')).toBe('3');
    expect(first.headers.get('link')).toMatch(/page=2/);
    const second = await app.req('GET', '/api/v1/users?role=viewer&per_page=2&page=2', { token: app.admin.token });
    expect(second.body.map((u: any) => u.id)).toEqual([viewers[2]!.id]);
    expect(second.headers.get('link')).toBeNull();
    const all = await app.req('GET', '/api/v1/users', { token: app.admin.token });
    expect(all.body).toHaveLength(5);
    expect(all.body.every((u: any) => !('password_hash' in u))).toBe(true);

    await app.req('DELETE', `/api/v1/users/${viewers[1]!.id}`, { token: app.admin.token });
    const inactive = await app.req('GET', '/api/v1/users?active=false', { token: app.admin.token });
    expect(inactive.body.map((u: any) => u.id)).toEqual([viewers[1]!.id]);
    expect((await app.req('GET', '/api/v1/users?active=true&role=viewer', { token: app.admin.token })).body).toHaveLength(2);
    const bad = await app.req('GET', '/api/v1/users?role=owner&active=maybe', { token: app.admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/role: must be one of admin, member, viewer/);
    expect(bad.body.detail).toMatch(/active: must be true or false/);
  });

  it('refuses a deactivated user\'s session and API token on the very next request, and their login', async () => {
    const user = await app.factories.user({ role: 'member' });
    // the factories' password, for a login session besides the API tokens
    const email = user.email;
    const login = await app.req('POST', '/api/v1/auth/login', { body: { email, password: 'a-long-test-password' } });
    expect(login.status, login.text).toBe(200);
    const session = login.body.access_token as string;
    const token = (await app.req('POST', '/api/v1/users/tokens', { token: session, body: { name: 'ci' } })).body.raw_token as string;
    for (const credential of [session, token, user.token]) expect((await app.req('GET', '/api/v1/projects', { token: credential })).status).toBe(200);

    const res = await app.req('DELETE', `/api/v1/users/${user.id}`, { token: app.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    for (const credential of [session, token, user.token]) {
      const refused = await app.req('GET', '/api/v1/projects', { token: credential });
      expect(refused.status).toBe(401);
    }
    expect((await app.req('POST', '/api/v1/auth/login', { body: { email, password: 'a-long-test-password' } })).status).toBe(401);
    expect((await app.req('DELETE', `/api/v1/users/${user.id}`, { token: user.token })).status).toBe(401);
  });
});

describe('tenant usage and billing', () => {
  let app: TestApp;
  let repo: BareRepo;
  let team: Awaited<ReturnType<TestApp['factories']['tenant']>>;
  beforeAll(async () => {
    repo = await createBareRepo({ owner: 'acme', name: 'billed' });
    await repo.commitFiles({ 'app/main.tf': tfData(3) }, 'three resources');
    app = await startTestApp({
      childEnv: insteadOfEnv(repo.root),
      env: { ATLANTAS_BILLING_PRICE_RESOURCE: '50', ATLANTAS_BILLING_PRICE_CHANGE: '10', ATLANTAS_BILLING_PRICE_BASE: '1000' },
    });
    team = await app.factories.tenant();
    expect((await app.req('PATCH', `/api/v1/tenants/${team.id}`, { token: app.admin.token, body: { repo_allowlist: ['acme/*'] } })).status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await repo?.cleanup();
  });

  it('reports usage of every quota', async () => {
    await app.req('POST', '/api/v1/instances', { token: team.adminToken, body: { name: 'a', config_json: { cpu: '500m', memory: '1Gi', serverReplicas: 2 } } });
    await app.req('POST', '/api/v1/instances', { token: team.adminToken, body: { name: 'b', config_json: { cpu: 1, memory: '512Mi' } } });
    await app.req('POST', '/api/v1/environments', { token: team.adminToken, body: { name: 'prod', cloud_provider: 'aws' } });
    const usage = await app.req('GET', '/api/v1/tenant/usage', { token: team.adminToken });
    expect(usage.body).toEqual({
      instances_used: 2, instances_limit: 10, environments_used: 1, environments_limit: 20,
      cpu_used: '2000m', cpu_limit: '4000m', memory_used: '2560Mi', memory_limit: '8Gi',
      cpu_used_millicores: 2000, cpu_limit_millicores: 4000, memory_used_bytes: 2560 * 1024 ** 2, memory_limit_bytes: 8 * 1024 ** 3,
    });
  });

  it('bills each month from its states and applied runs, and exports the records as CSV', async () => {
    const push = async (name: string, serial: number, instances: number[]) => {
      const res = await app.req('POST', `/api/v1/tfstate/${name}/default`, { token: team.adminToken, rawBody: stateDoc(serial, instances), headers: json });
      expect(res.status, res.text).toBe(200);
    };
    await push('net', 1, [1, 1]); // 2 resources, written "last month" below
    await push('net', 2, [1, 2, 1]); // 4 now
    await push('dns', 1, [1]); // 1 now
    // The tenant began two months ago; net's first version was written in the middle of last month.
    await app.sql(`UPDATE tenants SET created_at = date_trunc('month', now()) - interval '45 days' WHERE id = :id`, { id: team.id });
    await app.sql(`UPDATE state_versions SET created_at = date_trunc('month', now()) - interval '15 days' WHERE tenant_id = :id AND version = 1 AND state_id = (SELECT id FROM states WHERE tenant_id = :id AND name = 'net')`, { id: team.id });

    const created = await app.req('POST', '/api/v1/runs', { token: team.adminToken, body: { command: 'apply', repo: 'acme/billed', branch: 'main', dir: 'app' } });
    expect(created.status, created.text).toBe(201);
    expect((await waitForRun(app, created.body.id, undefined, 90_000, team.adminToken)).status).toBe('planned');
    await app.req('POST', `/api/v1/runs/${created.body.id}/approve`, { token: team.adminToken });
    const applied = await waitForRun(app, created.body.id, (s) => s === 'applied' || s === 'errored', 90_000, team.adminToken);
    expect(applied.status, applied.log).toBe('applied');
    // the run's own state (3 resources) is a state of the tenant now too
    const resourcesNow = 4 + 1 + 3;

    const now = new Date();
    const month = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const lastDay = (offset: number) => day(new Date(month(offset + 1).getTime() - 86_400_000));

    const records = await app.req('GET', '/api/v1/billing', { token: team.adminToken });
    expect(records.status, records.text).toBe(200);
    expect(records.body).toEqual([
      { period_start: day(month(0)), period_end: lastDay(0), current: true, resources: resourcesNow, changes: 3, applies: 1, amount_cents: 1000 + resourcesNow * 50 + 3 * 10 },
      { period_start: day(month(-1)), period_end: lastDay(-1), current: false, resources: 2, changes: 0, applies: 0, amount_cents: 1000 + 2 * 50 },
      { period_start: day(month(-2)), period_end: lastDay(-2), current: false, resources: 0, changes: 0, applies: 0, amount_cents: 1000 },
    ]);
    const current = await app.req('GET', '/api/v1/billing/current', { token: team.adminToken });
    expect(current.body).toEqual({
      current_resources: resourcesNow, current_changes: 3, current_applies: 1, current_amount_cents: 1000 + resourcesNow * 50 + 30,
      period_start: day(month(0)), period_end: lastDay(0),
    });

    const exported = await app.req('GET', '/api/v1/billing/export', { token: team.adminToken });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="atlantas-billing-${team.slug}-${day(month(0)).slice(0, 7)}.csv"`);
    const rows = parse(exported.text, { columns: true, skip_empty_lines: true });
    expect(rows).toEqual(records.body.map((r: any) => ({
      period_start: r.period_start, period_end: r.period_end, resources: String(r.resources), changes: String(r.changes), applies: String(r.applies),
      amount_cents: String(r.amount_cents), current: String(r.current),
    })));

    // the default tenant's bill knows nothing of this tenant's states and runs
    const own = await app.req('GET', '/api/v1/billing/current', { token: app.admin.token });
    expect(own.body).toMatchObject({ current_resources: 0, current_changes: 0 });
    const member = await app.factories.user({ role: 'member', tenantId: team.id });
    expect((await app.req('GET', '/api/v1/billing', { token: member.token })).status).toBe(403);
  });
});
