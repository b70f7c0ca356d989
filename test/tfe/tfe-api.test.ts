import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { tfeRequest, uniqueName } from './tfe-harness.js';

/** The TFE V2 workspace and state-version API as go-tfe clients use it, beyond what the CLI's own sequences cover. */
describe('TFE V2 API: workspaces and state versions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const unique = uniqueName;
  const api = (method: string, path: string, token: string, body?: unknown) => tfeRequest(app, method, path, token, body);
  const create = (token: string, attributes: Record<string, unknown>, relationships?: Record<string, unknown>) =>
    api('POST', '/organizations/default/workspaces', token, { data: { type: 'workspaces', attributes, ...(relationships ? { relationships } : {}) } });

  function stateBody(serial: number, lineage: string, marker: string): string {
    return JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage, outputs: { marker: { value: marker, type: 'string' }, secret: { value: `s-${marker}`, type: 'string', sensitive: true } }, resources: [], check_results: null });
  }
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');

  it('lists with search[name], search[tags] and the paging meta go-tfe reads; updates settings; answers errors as JSON:API', async () => {
    const user = await app.factories.user({ role: 'member' });
    const prefix = unique('app');
    for (const [suffix, tags] of [['a', ['web', 'prod']], ['b', ['web']], ['c', []]] as const) {
      const res = await create(user.token, { name: `${prefix}-${suffix}` }, { tags: { data: tags.map((name) => ({ type: 'tags', attributes: { name } })) } });
      expect(res.status, res.text).toBe(201);
    }
    const page1 = await api('GET', `/organizations/default/workspaces?search[name]=${prefix}&page[size]=2`, user.token);
    expect(page1.body.data.map((w: any) => w.attributes.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(page1.body.meta.pagination).toEqual({ 'current-page': 1, 'prev-page': null, 'next-page': 2, 'total-pages': 2, 'total-count': 3 });
    const page2 = await api('GET', `/organizations/default/workspaces?search[name]=${prefix}&page[size]=2&page[number]=2`, user.token);
    expect(page2.body.data.map((w: any) => w.attributes.name)).toEqual([`${prefix}-c`]);
    const tagged = await api('GET', `/organizations/default/workspaces?search[name]=${prefix}&search[tags]=web,prod`, user.token);
    expect(tagged.body.data.map((w: any) => w.attributes.name)).toEqual([`${prefix}-a`]);

    const b = page1.body.data[1];
    const patched = await api('PATCH', `/workspaces/${b.id}`, user.token, { data: { type: 'workspaces', attributes: {
      'execution-mode': 'remote', 'auto-apply': true, 'terraform-version': '1.11.4', 'working-directory': 'infra/./app/', 'tag-names': ['web', 'blue'],
      labels: { team: 'platform' }, 'vcs-repo': { identifier: 'acme/infra', branch: 'main', 'oauth-token-id': 'ot-1' }, 'allow-destroy-plan': true,
    } } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.data.attributes).toMatchObject({
      'execution-mode': 'remote', operations: true, 'auto-apply': true, 'terraform-version': '1.11.4', 'working-directory': 'infra/app',
      'tag-names': ['web', 'blue'], labels: { team: 'platform' }, 'vcs-repo': { identifier: 'acme/infra', branch: 'main' },
    });
    expect((await api('POST', `/workspaces/${b.id}/relationships/tags`, user.token, { data: [{ type: 'tags', attributes: { name: 'green' } }] })).status).toBe(204);
    expect((await api('GET', `/workspaces/${b.id}`, user.token)).body.data.attributes['tag-names']).toEqual(['web', 'blue', 'green']);

    const bad = await api('PATCH', `/workspaces/${b.id}`, user.token, { data: { attributes: { 'execution-mode': 'cloud', 'working-directory': '../out' } } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/^application\/vnd\.api\+json/);
    expect(bad.body.errors[0].status).toBe('400');
    expect(bad.body.errors[0].detail).toContain('data.attributes.execution-mode: must be local, remote or agent');
    expect(bad.body.errors[0].detail).toContain('data.attributes.working-directory: "../out" escapes the configuration');
    const agent = await api('PATCH', `/workspaces/${b.id}`, user.token, { data: { attributes: { 'execution-mode': 'agent' } } });
    expect(agent.status).toBe(400);
    expect(agent.body.errors[0].detail).toMatch(/needs an agent pool/);
    const duplicate = await create(user.token, { name: `${prefix}-a` });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors[0].detail).toContain('already exists');

    const anonymous = await app.req('GET', '/api/v2/organizations/default/workspaces');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0]).toMatchObject({ status: '401', title: 'unauthorized' });
    expect(anonymous.headers.get('tfp-api-version')).toBe('2.6');
  });

  it('computes the permissions block from the caller\'s role and refuses what the role may not do', async () => {
    const member = await app.factories.user({ role: 'member' });
    const viewer = await app.factories.user({ role: 'viewer' });
    const name = unique('perm');
    const id = (await create(member.token, { name })).body.data.id;
    const seen = await api('GET', `/workspaces/${id}`, viewer.token);
    expect(seen.body.data.attributes.permissions).toMatchObject({
      'can-read-settings': true, 'can-read-state-versions': true, 'can-update': false, 'can-queue-run': false, 'can-lock': false,
      'can-create-state-versions': false, 'can-force-unlock': false, 'can-destroy': false,
    });
    expect((await api('POST', `/workspaces/${id}/actions/lock`, viewer.token)).status).toBe(403);
    expect((await api('PATCH', `/workspaces/${id}`, viewer.token, { data: { attributes: { 'auto-apply': true } } })).status).toBe(403);
    expect((await create(viewer.token, { name: unique('nope') })).status).toBe(403);
    expect((await api('DELETE', `/workspaces/${id}`, member.token)).status).toBe(403);
  });

  it('maps a workspace onto a registered project\'s state', async () => {
    const project = await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: unique('network'), workspace: 'prod' } });
    expect(project.status, project.text).toBe(201);
    const same = await create(app.admin.token, { name: project.body.name });
    expect(same.body.data.attributes['atlantas-state']).toEqual({ name: project.body.name, workspace: 'prod' });
    expect(same.body.data.relationships.project.data).toEqual({ id: project.body.id, type: 'projects' });
    const linked = await create(app.admin.token, { name: unique('staging') }, { project: { data: { id: project.body.name, type: 'projects' } } });
    expect(linked.body.data.attributes['atlantas-state']).toEqual({ name: project.body.name, workspace: linked.body.data.attributes.name });
    const again = await create(app.admin.token, { name: unique('other') }, { project: { data: { id: 'no-such-project' } } });
    expect(again.status).toBe(404);
  });

  it('writes state only under the caller\'s own lock, through upload URLs that work once, or the base64 form', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = unique('sv');
    const id = (await create(user.token, { name })).body.data.id;
    const lineage = `lineage-${name}`;
    const announce = (serial: number, body: string, extra: Record<string, unknown> = {}) =>
      api('POST', `/workspaces/${id}/state-versions`, user.token, { data: { type: 'state-versions', attributes: { serial, md5: md5(body), lineage, ...extra } } });

    const unlocked = await announce(1, stateBody(1, lineage, 'one'));
    expect(unlocked.status).toBe(409);
    expect(unlocked.body.errors[0].detail).toContain('must be locked by you');
    expect((await api('POST', `/workspaces/${id}/actions/lock`, user.token)).status).toBe(200);

    const first = stateBody(1, lineage, 'one');
    const sv = await announce(1, first);
    expect(sv.status, sv.text).toBe(201);
    expect(sv.body.data).toMatchObject({ type: 'state-versions', attributes: { status: 'pending', serial: 1 } });
    const upload = new URL(sv.body.data.attributes['hosted-state-upload-url']);
    const jsonUpload = new URL(sv.body.data.attributes['hosted-json-state-upload-url']);
    const put = (url: URL, body: string) => app.req('PUT', url.pathname + url.search, { rawBody: body, headers: { 'content-type': 'application/octet-stream' } });
    expect((await put(new URL(upload.pathname, app.url), first)).status).toBe(400); // no token, no write
    const wrong = await put(upload, stateBody(1, lineage, 'tampered'));
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].detail).toContain('not the announced');
    expect((await put(upload, first)).status).toBe(404); // the failed attempt used the URL up

    const sv2 = await announce(1, first);
    const upload2 = new URL(sv2.body.data.attributes['hosted-state-upload-url']);
    expect((await put(new URL(sv2.body.data.attributes['hosted-json-state-upload-url']), '{}')).status).toBe(200);
    expect((await put(upload2, first)).status).toBe(200);
    expect((await put(upload2, first)).status).toBe(404); // once
    expect((await put(jsonUpload, '{}')).status).toBe(404); // a refused announcement takes nothing more
    const shown = await api('GET', `/state-versions/${sv2.body.data.id}`, user.token);
    expect(shown.body.data.attributes).toMatchObject({ status: 'finalized', serial: 1 });
    const download = await app.req('GET', new URL(shown.body.data.attributes['hosted-state-download-url']).pathname, { token: user.token });
    expect(download.text).toBe(first);

    // An older serial is refused at the announcement; the base64 form stores at once.
    const stale = await announce(0, stateBody(0, lineage, 'old'));
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0].detail).toContain('older than the current serial 1');
    const second = stateBody(2, lineage, 'two');
    const direct = await announce(2, second, { state: Buffer.from(second).toString('base64') });
    expect(direct.status, direct.text).toBe(201);
    expect(direct.body.data.attributes.status).toBe('finalized');
    const current = await api('GET', `/workspaces/${id}/current-state-version`, user.token);
    expect(current.body.data.attributes.serial).toBe(2);

    // Sensitive values only through the output's own id, never in listings.
    const outputs = await api('GET', `/workspaces/${id}/current-state-version-outputs`, user.token);
    const secret = outputs.body.data.find((o: any) => o.attributes.name === 'secret');
    expect(secret.attributes).toMatchObject({ sensitive: true, value: null });
    expect(outputs.text).not.toContain('s-two');
    expect((await api('GET', `/state-version-outputs/${secret.id}`, user.token)).body.data.attributes.value).toBe('s-two');

    // Safe delete refuses while locked, deletes once unlocked (an empty state: no resources).
    const admin = await app.factories.user({ role: 'admin' });
    expect((await api('POST', `/organizations/default/workspaces/${name}/actions/safe-delete`, admin.token)).status).toBe(409);
    expect((await api('POST', `/workspaces/${id}/actions/unlock`, user.token)).status).toBe(200);
    expect((await api('POST', `/workspaces/${id}/actions/unlock`, user.token)).status).toBe(409);
    expect((await api('POST', `/organizations/default/workspaces/${name}/actions/safe-delete`, admin.token)).status).toBe(204);
    expect((await api('GET', `/workspaces/${id}`, user.token)).status).toBe(404);
    const states = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    expect(states.body.find((s: any) => s.name === name)).toBeUndefined();
  });

  it('creates an authentication token for the caller, and for nobody else', async () => {
    const user = await app.factories.user({ role: 'member' });
    const other = await app.factories.user({ role: 'member' });
    const me = await api('GET', '/account/details', user.token);
    expect(me.body.data).toMatchObject({ id: `user-${user.id}`, type: 'users', attributes: { username: user.email } });
    const created = await api('POST', `/users/${me.body.data.id}/authentication-tokens`, user.token, { data: { type: 'authentication-tokens', attributes: { description: 'ci' } } });
    expect(created.status, created.text).toBe(201);
    expect(created.body.data).toMatchObject({ type: 'authentication-tokens', attributes: { description: 'ci', token: expect.stringMatching(/^atl_/) } });
    expect((await api('GET', '/account/details', created.body.data.attributes.token)).body.data.attributes.username).toBe(user.email);
    expect((await api('POST', `/users/user-${other.id}/authentication-tokens`, user.token, { data: { attributes: {} } })).status).toBe(404);
    const org = await api('GET', '/organizations/default', user.token);
    expect(org.body.data).toMatchObject({ id: 'default', type: 'organizations', attributes: { name: 'default' } });
    const ent = await api('GET', '/organizations/default/entitlement-set', user.token);
    expect(ent.body.data).toMatchObject({ type: 'entitlement-sets', attributes: { operations: true, 'state-storage': true } });
  });
});
