import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, type TerraformDir } from '../harness/terraform.js';

/** A database with dependents, and a sensitive password that terraform_data also echoes in `output`. */
const config = `terraform {
  backend "http" {}
}

variable "secret" {
  type      = string
  sensitive = true
}

variable "marker" {
  type    = string
  default = "v1"
}

resource "terraform_data" "db" {
  input = { name = "db-\${var.marker}", password = var.secret }
}

resource "terraform_data" "app" {
  count = 2
  input = terraform_data.db.output.name
}

resource "terraform_data" "edge" {
  input = terraform_data.app[0].output
}

resource "terraform_data" "lonely" {
  input = "alone"
}

variable "key" {
  type    = string
  default = "k"
}

resource "terraform_data" "keyed" {
  for_each = toset([var.key])
  input    = each.key
}
`;

/** AtlasAI's CMDB over state written by the real terraform CLI through the http backend. */
describe('CMDB from Terraform state', () => {
  let app: TestApp;
  let member: Awaited<ReturnType<TestApp['factories']['user']>>;
  const secret = `pw-${randomBytes(8).toString('hex')}`;
  beforeAll(async () => {
    app = await startTestApp();
    member = await app.factories.user({ role: 'member' });
  });
  afterAll(() => app?.close());

  async function workdir(name: string): Promise<TerraformDir> {
    const wd = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', member.token));
    onTestFinished(() => wd.cleanup());
    await wd.write({ 'main.tf': config });
    const init = await wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return wd;
  }

  const apply = async (wd: TerraformDir, ...args: string[]) => {
    const result = await wd.run(['apply', '-auto-approve', '-var', `secret=${secret}`, ...args]);
    expect(result.code, result.output).toBe(0);
  };

  const items = async (query: string, token = member.token) => {
    const res = await app.req('GET', `/api/cmdb/items?${query}`, { token });
    expect(res.status, res.text).toBe(200);
    return res.body.data;
  };

  const ofState = async (stateName: string) => {
    const page = await items('source=terraform&limit=500');
    return page.items.filter((i: any) => i.name.startsWith(`${stateName}:`));
  };

  it('turns every managed resource instance of an apply into a CI, without the sensitive value', async () => {
    const name = `cmdb-${randomBytes(3).toString('hex')}`;
    const marker = `attr-${randomBytes(8).toString('hex')}`; // not sensitive, but a resource attribute: sealed at rest
    const key = `key-${randomBytes(8).toString('hex')}`; // a for_each key: part of an address, sealed too
    await apply(await workdir(name), '-var', `marker=${marker}`, '-var', `key=${key}`);

    const cis = await ofState(name);
    expect(cis.map((c: any) => c.address).sort()).toEqual([
      'terraform_data.app[0]', 'terraform_data.app[1]', 'terraform_data.db', 'terraform_data.edge', `terraform_data.keyed["${key}"]`, 'terraform_data.lonely',
    ]);
    const db = cis.find((c: any) => c.address === 'terraform_data.db');
    expect(db).toMatchObject({
      class: 'terraform.data', resource_type: 'terraform_data', provider: 'terraform.io/builtin/terraform', source: 'terraform',
      state_id: expect.any(String), name: `${name}:terraform_data.db`,
    });
    // The marked path and the unmarked output that echoes it are both redacted; the rest stays.
    expect(db.attributes.input.value).toEqual({ name: `db-${marker}`, password: '(sensitive)' });
    expect(db.attributes.output.value).toEqual({ name: `db-${marker}`, password: '(sensitive)' });
    const edge = cis.find((c: any) => c.address === 'terraform_data.edge');
    expect(edge.depends_on).toEqual(expect.arrayContaining(['terraform_data.app', 'terraform_data.db']));

    const one = await app.req('GET', `/api/cmdb/items/${db.id}`, { token: member.token });
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ id: db.id, address: 'terraform_data.db' });

    const everything = (await items('limit=500')).items;
    expect(JSON.stringify(everything)).not.toContain(secret);
    expect(leakedMarkers(await dumpSchema(app.config.database.schema ?? 'public'), [secret, marker, key])).toEqual([]);
  });

  it('keeps the CIs current: a change updates them in place, a destroy removes them', async () => {
    const name = `cmdb-${randomBytes(3).toString('hex')}`;
    const wd = await workdir(name);
    await apply(wd);
    const before = await ofState(name);
    const dbBefore = before.find((c: any) => c.address === 'terraform_data.db');

    await apply(wd, '-var', 'marker=v2');
    const after = await ofState(name);
    const dbAfter = after.find((c: any) => c.address === 'terraform_data.db');
    expect(dbAfter.id).toBe(dbBefore.id); // links to a CI survive a re-apply
    expect(dbAfter.attributes.input.value.name).toBe('db-v2');

    const destroy = await wd.run(['destroy', '-auto-approve', '-var', `secret=${secret}`]);
    expect(destroy.code, destroy.output).toBe(0);
    expect(await ofState(name)).toEqual([]);
    const gone = await app.req('GET', `/api/cmdb/items/${dbBefore.id}`, { token: member.token });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error: expect.stringContaining('not found'), code: 'NOT_FOUND', trace_id: expect.any(String) });
  });

  it('gives the blast radius of a resource: its dependents in the state, then the dependent projects\' CIs', async () => {
    const suffix = randomBytes(3).toString('hex');
    const base = await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: `base-${suffix}` } });
    const downstream = await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: `svc-${suffix}` } });
    expect([base.status, downstream.status]).toEqual([201, 201]);
    const edge = await app.req('POST', `/api/v1/projects/${downstream.body.id}/dependencies`, { token: member.token, body: { depends_on_project_id: base.body.id } });
    expect(edge.status, edge.text).toBe(201);
    await apply(await workdir(`base-${suffix}`));
    await apply(await workdir(`svc-${suffix}`));

    const db = (await ofState(`base-${suffix}`)).find((c: any) => c.address === 'terraform_data.db');
    expect(db.project_id).toBe(base.body.id);
    const res = await app.req('GET', `/api/cmdb/impact?ci_id=${db.id}`, { token: member.token });
    expect(res.status, res.text).toBe(200);
    const impact = res.body.data;
    expect(impact.ci.id).toBe(db.id);
    const inState = impact.impacted.filter((i: any) => i.relation === 'depends_on').map((i: any) => i.address).sort();
    expect(inState).toEqual(['terraform_data.app[0]', 'terraform_data.app[1]', 'terraform_data.edge']);
    const viaProject = impact.impacted.filter((i: any) => i.relation === 'project_dependency');
    expect(viaProject).toHaveLength(6);
    expect(viaProject.every((i: any) => i.project_id === downstream.body.id && i.through === base.body.id)).toBe(true);
    expect(impact.project_ids).toEqual([downstream.body.id]);

    // A leaf has no blast radius inside its state; the dependent project's CIs still count.
    const lonely = (await ofState(`base-${suffix}`)).find((c: any) => c.address === 'terraform_data.lonely');
    const leaf = (await app.req('GET', `/api/cmdb/impact?ci_id=${lonely.id}`, { token: member.token })).body.data;
    expect(leaf.impacted.filter((i: any) => i.relation === 'depends_on')).toEqual([]);

    const missing = await app.req('GET', '/api/cmdb/impact', { token: member.token });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringContaining('ci_id') });
  });

  it('registers CIs by hand, filters by class, and says what to fix in a bad one', async () => {
    const created = await app.req('POST', '/api/cmdb/items', {
      token: member.token, body: { name: 'web-server-01', class: 'server', environment: 'production', attributes: { ip: '10.0.0.1', os: 'Ubuntu 22.04' } },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'web-server-01', class: 'server', environment: 'production', source: 'manual', attributes: { ip: '10.0.0.1' } });
    const servers = await items('class=server');
    expect(servers.items.map((i: any) => i.id)).toContain(created.body.data.id);
    expect(servers.items.every((i: any) => i.class === 'server')).toBe(true);
    expect(servers).toMatchObject({ total: servers.items.length, limit: 100, offset: 0 });

    const bad = await app.req('POST', '/api/cmdb/items', { token: member.token, body: { class: 'no spaces allowed' } });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('VALIDATION_ERROR');
    expect(bad.body.error).toMatch(/name/);
    expect(bad.body.error).toMatch(/class may contain/);
    expect((await app.req('GET', '/api/cmdb/items?limit=0', { token: member.token })).status).toBe(422);

    const viewer = await app.factories.user({ role: 'viewer' });
    const refused = await app.req('POST', '/api/cmdb/items', { token: viewer.token, body: { name: 'x', class: 'server' } });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await items('class=server', viewer.token)).items.length).toBeGreaterThan(0);
    expect((await app.req('GET', '/api/cmdb/items')).status).toBe(401);
  });

  it('keeps each tenant to its own CIs', async () => {
    const other = await app.factories.tenant();
    const mine = await app.req('POST', '/api/cmdb/items', { token: member.token, body: { name: 'private-box', class: 'server' } });
    const theirs = await app.req('GET', '/api/cmdb/items?limit=500', { token: other.adminToken });
    expect(theirs.status).toBe(200);
    expect(theirs.body.data.items.map((i: any) => i.id)).not.toContain(mine.body.data.id);
    expect((await app.req('GET', `/api/cmdb/items/${mine.body.data.id}`, { token: other.adminToken })).status).toBe(404);
    expect((await app.req('GET', `/api/cmdb/impact?ci_id=${mine.body.data.id}`, { token: other.adminToken })).status).toBe(404);
    const named = await app.req('GET', '/api/cmdb/items', { token: member.token, headers: { 'x-tenant-id': other.id } });
    expect(named.status).toBe(403);
    expect(named.body.code).toBe('FORBIDDEN');
  });
});
