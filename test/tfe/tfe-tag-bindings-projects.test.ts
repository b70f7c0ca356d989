import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeTerraformDir } from '../harness/terraform.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { TEST_HOST, hostBlock, tfeRequest, uniqueName } from './tfe-harness.js';

/** Key-value tags (tag-bindings) over the one tag list, and TFE projects as Atlantas projects. */
describe('TFE V2 API: tag bindings and projects', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const unique = uniqueName;
  const api = (method: string, p: string, token: string, body?: unknown) => tfeRequest(app, method, p, token, body);
  const bindings = (list: Array<[string, string]>) => ({ data: list.map(([key, value]) => ({ type: 'tag-bindings', attributes: { key, value } })) });
  const names = (res: { body: any }) => res.body.data.map((w: any) => w.attributes.name).sort();

  it('tag bindings: key-value tags are the workspace\'s tags (key:value), found by search[tags] and filter[tagged]; the legacy tags relationship agrees', async () => {
    const user = await app.factories.user({ role: 'member' });
    const prefix = unique('tb');
    const a = await api('POST', '/organizations/default/workspaces', user.token, {
      data: { type: 'workspaces', attributes: { name: `${prefix}-a`, 'tag-names': ['app'] }, relationships: { 'tag-bindings': bindings([['env', 'prod']]) } },
    });
    expect(a.status, a.text).toBe(201);
    expect(a.body.data.attributes['tag-names'].sort()).toEqual(['app', 'env:prod']);
    const b = await api('POST', '/organizations/default/workspaces', user.token, { data: { type: 'workspaces', attributes: { name: `${prefix}-b` } } });
    const id = a.body.data.id;

    const read = await api('GET', `/workspaces/${id}/tag-bindings`, user.token);
    expect(read.status).toBe(200);
    expect(read.body.data.map((t: any) => [t.type, t.attributes.key, t.attributes.value]).sort()).toEqual([['tag-bindings', 'app', ''], ['tag-bindings', 'env', 'prod']]);

    // PATCH adds, and replaces the value of a key already bound
    const patched = await api('PATCH', `/workspaces/${id}/tag-bindings`, user.token, bindings([['env', 'staging'], ['team', 'core']]));
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.data.map((t: any) => `${t.attributes.key}=${t.attributes.value}`).sort()).toEqual(['app=', 'env=staging', 'team=core']);
    expect((await api('PATCH', `/workspaces/${b.body.data.id}/tag-bindings`, user.token, bindings([['env', 'prod']]))).status).toBe(200);

    const search = (q: string) => api('GET', `/organizations/default/workspaces?search[name]=${prefix}&${q}`, user.token);
    expect(names(await search('search[tags]=env:staging'))).toEqual([`${prefix}-a`]);
    expect(names(await search('filter[tagged][0][key]=env&filter[tagged][0][value]=prod'))).toEqual([`${prefix}-b`]);
    expect(names(await search('filter[tagged][0][key]=env'))).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(names(await search('filter[tagged][0][key]=env&filter[tagged][1][key]=team&filter[tagged][1][value]=core'))).toEqual([`${prefix}-a`]);

    // the legacy relationship sees and changes the same tags
    expect((await api('DELETE', `/workspaces/${id}/relationships/tags`, user.token, { data: [{ type: 'tags', attributes: { name: 'team:core' } }] })).status).toBe(204);
    expect((await api('GET', `/workspaces/${id}/tag-bindings`, user.token)).body.data.map((t: any) => t.attributes.key).sort()).toEqual(['app', 'env']);
    // PATCH workspace with an empty tag-bindings relationship (go-tfe DeleteAllTagBindings)
    const cleared = await api('PATCH', `/workspaces/${id}`, user.token, { data: { type: 'workspaces', relationships: { 'tag-bindings': { data: [] } } } });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.data.attributes['tag-names']).toEqual([]);

    const bad = await api('PATCH', `/workspaces/${id}/tag-bindings`, user.token, bindings([['bad key', 'x']]));
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].detail).toContain('tag keys are');
    const other = await app.factories.tenant(unique('tbo'));
    expect((await api('GET', `/workspaces/${id}/tag-bindings`, other.adminToken)).status).toBe(404);
    expect((await api('PATCH', `/workspaces/${id}/tag-bindings`, other.adminToken, bindings([['x', 'y']]))).status).toBe(404);
  });

  it('projects: create, list, show, rename, delete (refused while it holds workspaces); filter[project][id]; another organization is 404', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = unique('proj');
    const created = await api('POST', '/organizations/default/projects', user.token, { data: { type: 'projects', attributes: { name } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'projects', attributes: { name, 'workspace-count': 0 }, relationships: { organization: { data: { id: 'default' } } } });
    const id = created.body.data.id;
    // the same project through the Atlantas API
    expect((await app.req('GET', `/api/v1/projects/${id}`, { token: user.token })).body).toMatchObject({ name });

    const ws = await api('POST', '/organizations/default/workspaces', user.token, {
      data: { type: 'workspaces', attributes: { name: unique('in-proj') }, relationships: { project: { data: { id, type: 'projects' } } } },
    });
    expect(ws.status, ws.text).toBe(201);
    expect(ws.body.data.relationships.project.data).toEqual({ id, type: 'projects' });
    await api('POST', '/organizations/default/workspaces', user.token, { data: { type: 'workspaces', attributes: { name: unique('outside') } } });
    const inProject = await api('GET', `/organizations/default/workspaces?filter[project][id]=${id}`, user.token);
    expect(inProject.body.data.map((w: any) => w.id)).toEqual([ws.body.data.id]);

    const listed = await api('GET', `/organizations/default/projects?q=${name}`, user.token);
    expect(listed.body.data.map((p: any) => [p.id, p.attributes['workspace-count']])).toEqual([[id, 1]]);
    expect((await api('GET', `/projects/${id}`, user.token)).body.data.attributes.name).toBe(name);
    const renamed = await api('PATCH', `/projects/${id}`, user.token, { data: { type: 'projects', attributes: { name: `${name}-x` } } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.data.attributes.name).toBe(`${name}-x`);
    const badName = await api('POST', '/organizations/default/projects', user.token, { data: { type: 'projects', attributes: { name: 'has spaces' } } });
    expect(badName.status).toBe(400);
    expect(badName.body.errors[0].detail).toContain('data.attributes.name');

    const other = await app.factories.tenant(unique('po'));
    expect((await api('GET', `/projects/${id}`, other.adminToken)).status).toBe(404);
    expect((await api('DELETE', `/projects/${id}`, other.adminToken)).status).toBe(404);
    expect((await api('GET', '/organizations/default/projects', other.adminToken)).status).toBe(404);

    const busy = await api('DELETE', `/projects/${id}`, user.token);
    expect(busy.status).toBe(409);
    expect(busy.body.errors[0].detail).toMatch(/still has 1 workspace/);
    expect((await api('DELETE', `/workspaces/${ws.body.data.id}`, app.admin.token)).status).toBe(204);
    expect((await api('DELETE', `/projects/${id}`, user.token)).status).toBe(204);
    expect((await api('GET', `/projects/${id}`, user.token)).status).toBe(404);
  });

  it('the real CLI with `workspaces { tags = [...] }`: workspace new creates a tagged workspace and reads its tag bindings; list shows the tagged ones', { timeout: 120_000 }, async () => {
    const tag = unique('cli');
    const first = await api('POST', '/organizations/default/workspaces', app.admin.token, { data: { type: 'workspaces', attributes: { name: `${tag}-one`, 'tag-names': [tag] } } });
    expect(first.status).toBe(201);
    const wd = await makeTerraformDir();
    onTestFinished(() => wd.cleanup());
    await writeFile(wd.env.TF_CLI_CONFIG_FILE!, hostBlock(app.url, app.admin.token));
    await wd.write({
      'main.tf': `terraform {\n  cloud {\n    hostname     = "${TEST_HOST}"\n    organization = "default"\n    workspaces {\n      tags = ["${tag}"]\n    }\n  }\n}\n\nresource "terraform_data" "this" {\n  input = "x"\n}\n`,
    });
    const init = await wd.run(['init', '-input=false'], { TF_WORKSPACE: `${tag}-one` });
    expect(init.code, init.output).toBe(0);
    const created = await wd.run(['workspace', 'new', `${tag}-two`]);
    expect(created.code, created.output).toBe(0);
    const two = await api('GET', `/organizations/default/workspaces/${tag}-two`, app.admin.token);
    expect(two.body.data.attributes['tag-names']).toEqual([tag]);
    // the CLI read the new workspace's bindings, found its tag there and changed nothing
    const calls = app.logs.lines.filter((l) => l.msg === 'request' && String(l.path).startsWith(`/api/v2/workspaces/${two.body.data.id}/`)).map((l) => `${l.method} ${String(l.path).split('/').slice(5).join('/')} ${l.status}`);
    expect(calls).toContain('GET tag-bindings 200');
    expect(calls.filter((c) => /^(PATCH tag-bindings|POST relationships\/tags)/.test(c))).toEqual([]);
    const list = await wd.run(['workspace', 'list']);
    expect(list.code, list.output).toBe(0);
    expect(list.stdout).toContain(`${tag}-one`);
    expect(list.stdout).toContain(`${tag}-two`);
  });
});
