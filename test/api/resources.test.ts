import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

describe('projects, environments, instances over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('creates, reads, updates and deletes a project as in the spec, with an audit entry for each change', async () => {
    const member = await app.factories.user({ role: 'member' });
    const created = await app.req('POST', '/api/v1/projects', {
      token: member.token,
      body: { name: 'vpc-core', repository_url: 'https://github.com/org/infra', terraform_path: 'modules/vpc', workspace: 'default', branch: 'main', state_backend: 'platform' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'vpc-core', terraform_path: 'modules/vpc', workspace: 'default', instance_id: null });
    const id = created.body.id;
    expect((await app.req('GET', `/api/v1/projects/${id}`, { token: member.token })).body.name).toBe('vpc-core');
    const patched = await app.req('PATCH', `/api/v1/projects/${id}`, { token: member.token, body: { branch: 'release', auto_apply: true } });
    expect(patched.body).toMatchObject({ branch: 'release', auto_apply: true, name: 'vpc-core' });
    expect((await app.req('DELETE', `/api/v1/projects/${id}`, { token: member.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v1/projects/${id}`, { token: member.token })).status).toBe(404);

    const audit = await app.req('GET', `/api/v1/audit?target_id=${id}`, { token: app.admin.token });
    expect(audit.body.map((e: any) => e.action)).toEqual(['project.delete', 'project.update', 'project.create']);
    expect(audit.body[0]).toMatchObject({ via: 'api', actor: { kind: 'token', name: expect.stringContaining(member.email) } });
  });

  it('refuses invalid input with every bad field named, and a duplicate name with 409', async () => {
    const bad = await app.req('POST', '/api/v1/projects', {
      token: app.admin.token, body: { name: '-bad name', terraform_path: '../../etc', workspace: 'a b', surprise: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_error');
    const paths = bad.body.errors.map((e: any) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'terraform_path', 'workspace']));
    expect(bad.body.detail).toMatch(/terraform_path: "..\/..\/etc" escapes the repository/);
    expect(bad.body.detail).toMatch(/Unrecognized key/i);

    await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'dup' } });
    const dup = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'dup' } });
    expect(dup.status).toBe(409);
    expect(dup.body.detail).toMatch(/project "dup" already exists/);
  });

  it('lets a viewer read but not create (403), and a member not register users (403)', async () => {
    const viewer = await app.factories.user({ role: 'viewer' });
    const member = await app.factories.user({ role: 'member' });
    expect((await app.req('GET', '/api/v1/projects', { token: viewer.token })).status).toBe(200);
    const denied = await app.req('POST', '/api/v1/projects', { token: viewer.token, body: { name: 'nope' } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'forbidden', detail: 'role "viewer" may not project write' });
    const register = await app.req('POST', '/api/v1/auth/register', {
      token: member.token, body: { email: 'new@example.com', password: 'a-long-enough-pass', role: 'member' },
    });
    expect(register.status).toBe(403);
    expect((await app.req('GET', '/api/v1/projects', { token: viewer.token })).body.map((p: any) => p.name)).not.toContain('nope');
  });

  it('lets an admin register users and change roles, but never remove the last admin', async () => {
    const reg = await app.req('POST', '/api/v1/auth/register', {
      token: app.admin.token, body: { email: 'New.User@Example.com', password: 'a-long-enough-pass', name: 'New User', role: 'viewer' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body).toMatchObject({ email: 'new.user@example.com', role: 'viewer' });
    const login = await app.req('POST', '/api/v1/auth/login', { body: { email: 'new.user@example.com', password: 'a-long-enough-pass' } });
    expect(login.status).toBe(200);
    const promoted = await app.req('PATCH', `/api/v1/users/${reg.body.id}/role`, { token: app.admin.token, body: { role: 'member' } });
    expect(promoted.body.role).toBe('member');
    // A role change ends the user's sessions; the next login carries the new role.
    expect((await app.req('GET', '/api/v1/auth/me', { token: login.body.access_token })).body.code).toBe('session_revoked');
    const again = await app.req('POST', '/api/v1/auth/login', { body: { email: 'new.user@example.com', password: 'a-long-enough-pass' } });
    expect((await app.req('GET', '/api/v1/auth/me', { token: again.body.access_token })).body.role).toBe('member');

    const me = await app.req('GET', '/api/v1/auth/me', { token: app.admin.token });
    const selfDemote = await app.req('PATCH', `/api/v1/users/${me.body.id}/role`, { token: app.admin.token, body: { role: 'viewer' } });
    expect(selfDemote.status).toBe(409);
    expect(selfDemote.body.code).toBe('last_admin');
    const badRole = await app.req('PATCH', `/api/v1/users/${reg.body.id}/role`, { token: app.admin.token, body: { role: 'owner' } });
    expect(badRole.status).toBe(400);
    expect(badRole.body.detail).toMatch(/role: must be one of admin, member, viewer/);
  });

  it('keeps tenants apart: neither sees, reads, edits nor deletes the other\'s projects', async () => {
    const a = await app.factories.tenant();
    const b = await app.factories.tenant();
    const pa = await app.req('POST', '/api/v1/projects', { token: a.adminToken, body: { name: 'shared-name' } });
    const pb = await app.req('POST', '/api/v1/projects', { token: b.adminToken, body: { name: 'shared-name' } });
    expect([pa.status, pb.status]).toEqual([201, 201]); // names are per tenant
    const listA = await app.req('GET', '/api/v1/projects', { token: a.adminToken });
    expect(listA.body.map((p: any) => p.id)).toEqual([pa.body.id]);
    for (const [method, body] of [['GET', undefined], ['PATCH', { branch: 'x' }], ['DELETE', undefined]] as const) {
      const res = await app.req(method, `/api/v1/projects/${pb.body.id}`, { token: a.adminToken, body });
      expect(res.status).toBe(404);
      expect(res.body.detail).toBe(`project ${pb.body.id} not found`);
    }
    expect((await app.req('GET', `/api/v1/projects/${pb.body.id}`, { token: b.adminToken })).body.branch).toBe('main');
    const users = await app.req('GET', '/api/v1/users', { token: a.adminToken });
    expect(users.body.every((u: any) => u.tenant_id === a.id)).toBe(true);
    const audit = await app.req('GET', '/api/v1/audit', { token: a.adminToken });
    expect(audit.body.map((e: any) => e.target.id)).not.toContain(pb.body.id);
  });

  it('enforces quotas: creating past max_instances or max_environments fails with a clear error', async () => {
    const t = await app.factories.tenant();
    const platform = app.admin.token; // the first admin is the platform admin
    const setQuota = await app.req('PATCH', '/api/v1/tenant/quotas', { token: t.adminToken, body: { max_instances: 100 } });
    expect(setQuota.status).toBe(403); // a tenant admin cannot lift their own limits
    await app.core.tenants.updateQuotas({ ...t.adminActor, isPlatformAdmin: true }, { max_instances: 2, max_environments: 1 });

    for (const name of ['i1', 'i2']) expect((await app.req('POST', '/api/v1/instances', { token: t.adminToken, body: { name } })).status).toBe(201);
    const over = await app.req('POST', '/api/v1/instances', { token: t.adminToken, body: { name: 'i3' } });
    expect(over.status).toBe(403);
    expect(over.body).toMatchObject({ code: 'quota_exceeded', detail: expect.stringMatching(/at most 2 instances and has 2/) });

    const env1 = await app.req('POST', '/api/v1/environments', { token: t.adminToken, body: { name: 'production', cloud_provider: 'aws', region: 'eu-west-1', terraform_workspace: 'prod' } });
    expect(env1.status).toBe(201);
    const env2 = await app.req('POST', '/api/v1/environments', { token: t.adminToken, body: { name: 'staging', cloud_provider: 'gcp' } });
    expect(env2.status).toBe(403);
    expect(env2.body.detail).toMatch(/max_environments/);

    const usage = await app.req('GET', '/api/v1/tenant/usage', { token: t.adminToken });
    expect(usage.body).toEqual({
      instances_used: 2, instances_limit: 2, environments_used: 1, environments_limit: 1,
      cpu_used: '0m', cpu_limit: '4000m', memory_used: '0', memory_limit: '8Gi',
      cpu_used_millicores: 0, cpu_limit_millicores: 4000, memory_used_bytes: 0, memory_limit_bytes: 8 * 1024 ** 3,
    });
    const raised = await app.req('PATCH', '/api/v1/tenant/quotas', { token: platform, body: { max_instances: 20, cpu_quota: '8000m' } });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ max_instances: 20, cpu_quota: '8000m' });
  });

  it('validates environments and instances', async () => {
    const env = await app.req('POST', '/api/v1/environments', { token: app.admin.token, body: { name: 'x', cloud_provider: 'oracle' } });
    expect(env.status).toBe(400);
    expect(env.body.detail).toMatch(/cloud_provider: must be one of aws, gcp, azure, hetzner, digitalocean/);
    const inst = await app.req('POST', '/api/v1/instances', { token: app.admin.token, body: { name: 'infra-prod', version: 'v0.28.5', config_json: { uiReplicas: 1, serverReplicas: 1 } } });
    expect(inst.status).toBe(201);
    expect(inst.body).toMatchObject({ name: 'infra-prod', status: 'pending', version: 'v0.28.5', config_json: { uiReplicas: 1 } });
    const upd = await app.req('PATCH', `/api/v1/instances/${inst.body.id}`, { token: app.admin.token, body: { status: 'running', version: 'v0.29.0' } });
    expect(upd.body).toMatchObject({ status: 'running', version: 'v0.29.0' });
    const badStatus = await app.req('PATCH', `/api/v1/instances/${inst.body.id}`, { token: app.admin.token, body: { status: 'exploded' } });
    expect(badStatus.status).toBe(400);
  });

  it('assigns projects to instances, links dependencies without cycles, and serves the graph with saved layout', async () => {
    const t = await app.factories.tenant();
    const mk = async (name: string) => (await app.req('POST', '/api/v1/projects', { token: t.adminToken, body: { name } })).body;
    const [vpc, eks] = [await mk('vpc'), await mk('eks')];
    const inst = (await app.req('POST', '/api/v1/instances', { token: t.adminToken, body: { name: 'infra' } })).body;
    expect((await app.req('POST', `/api/v1/projects/${vpc.id}/assign/${inst.id}`, { token: t.adminToken })).body.instance_id).toBe(inst.id);
    const dep = await app.req('POST', `/api/v1/projects/${eks.id}/dependencies`, {
      token: t.adminToken, body: { depends_on_project_id: vpc.id, output_mapping: { vpc_id: 'vpc_id' } },
    });
    expect(dep.status).toBe(201);
    const cycle = await app.req('POST', `/api/v1/projects/${vpc.id}/dependencies`, { token: t.adminToken, body: { depends_on_project_id: eks.id } });
    expect(cycle.status).toBe(409);
    expect(cycle.body.code).toBe('dependency_cycle');

    const layout = await app.req('PUT', '/api/v1/projects/graph/layout', {
      token: t.adminToken, body: [{ id: vpc.id, position_x: 100, position_y: 200 }, { id: inst.id, position_x: 500, position_y: 50 }],
    });
    expect(layout.body).toEqual({ updated: 2 });
    const graph = (await app.req('GET', '/api/v1/projects/graph', { token: t.adminToken })).body;
    expect(graph.nodes).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: vpc.id, type: 'project', position: { x: 100, y: 200 } }),
      expect.objectContaining({ id: inst.id, type: 'instance', position: { x: 500, y: 50 } }),
    ]));
    expect(graph.edges).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: vpc.id, target: inst.id, type: 'assignment' }),
      expect.objectContaining({ source: vpc.id, target: eks.id, type: 'dependency', data: { output_mapping: { vpc_id: 'vpc_id' } } }),
    ]));
    const foreign = await app.req('PUT', '/api/v1/projects/graph/layout', { token: t.adminToken, body: [{ id: vpc.id, position_x: 1, position_y: 1 }, { id: '00000000-0000-4000-8000-000000000000', position_x: 1, position_y: 1 }] });
    expect(foreign.status).toBe(404);
    const graphAfter = (await app.req('GET', '/api/v1/projects/graph', { token: t.adminToken })).body;
    expect(graphAfter.nodes.find((n: any) => n.id === vpc.id).position).toEqual({ x: 100, y: 200 }); // all or nothing

    expect((await app.req('DELETE', `/api/v1/projects/${eks.id}/dependencies/${dep.body.id}`, { token: t.adminToken })).status).toBe(204);
    expect((await app.req('DELETE', `/api/v1/projects/${vpc.id}/assign`, { token: t.adminToken })).body.instance_id).toBeNull();
  });

  it('reports tenant info and dashboard statistics', async () => {
    const t = await app.factories.tenant('acme');
    const tenant = await app.req('GET', '/api/v1/tenant', { token: t.adminToken });
    expect(tenant.body).toMatchObject({ slug: 'acme', max_instances: 10, max_environments: 20, cpu_quota: '4000m', memory_quota: '8Gi' });
    await app.req('POST', '/api/v1/instances', { token: t.adminToken, body: { name: 'a' } }).then((r) =>
      app.req('PATCH', `/api/v1/instances/${r.body.id}`, { token: t.adminToken, body: { status: 'running' } }));
    await app.req('POST', '/api/v1/environments', { token: t.adminToken, body: { name: 'prod', cloud_provider: 'hetzner' } });
    const stats = await app.req('GET', '/api/v1/dashboard/stats', { token: t.adminToken });
    expect(stats.body).toEqual({ total_runs: 0, applied_runs: 0, errored_runs: 0, pending_runs: 0, active_instances: 1, total_environments: 1, success_rate: 0 });
  });

  it('creates tenants only for a platform admin, through the API', async () => {
    const t = await app.factories.tenant();
    const denied = await app.req('POST', '/api/v1/tenants', { token: t.adminToken, body: { slug: 'sneaky', admin_email: 'x@y.co', admin_password: 'a-long-enough-pass' } });
    expect(denied.status).toBe(403);
    const created = await app.req('POST', '/api/v1/tenants', { token: app.admin.token, body: { slug: 'globex', admin_email: 'boss@globex.com', admin_password: 'a-long-enough-pass' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'globex', admin: { email: 'boss@globex.com', role: 'admin', is_platform_admin: false } });
    const login = await app.req('POST', '/api/v1/auth/login', { body: { email: 'boss@globex.com', password: 'a-long-enough-pass' } });
    expect((await app.req('GET', '/api/v1/tenant', { token: login.body.access_token })).body.slug).toBe('globex');
    const again = await app.req('POST', '/api/v1/tenants', { token: app.admin.token, body: { slug: 'globex', admin_email: 'b2@globex.com', admin_password: 'a-long-enough-pass' } });
    expect(again.status).toBe(409);
  });
});
