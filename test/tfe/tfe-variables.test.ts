import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';
import { tfeRequest, uniqueName } from './tfe-harness.js';

/** TFE workspace variables and variable sets through the V2 API, on real PostgreSQL. */
describe('TFE V2 API: variables and variable sets', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const unique = uniqueName;
  const api = (method: string, path: string, token: string, body?: unknown) => tfeRequest(app, method, path, token, body);
  const varDoc = (attributes: Record<string, unknown>) => ({ data: { type: 'vars', attributes } });
  const workspace = async (token: string, org = 'default') => {
    const res = await api('POST', `/organizations/${org}/workspaces`, token, { data: { type: 'workspaces', attributes: { name: unique('vars') } } });
    expect(res.status, res.text).toBe(201);
    return res.body.data as { id: string; attributes: { name: string } };
  };
  /** Every place a value could surface in storage and logs, as text. */
  const storedEverywhere = async () => {
    const audit = await app.sql<{ j: string }>('SELECT row_to_json(a)::text AS j FROM audit_log a');
    const vars = await app.sql<{ j: string }>(`SELECT row_to_json(v)::text || encode(v.value_sealed, 'escape') AS j FROM tfe_variables v`);
    return { audit: audit.map((r) => r.j).join('\n'), vars: vars.map((r) => r.j).join('\n'), logs: app.logs.text() };
  };

  it('creates, lists, updates and deletes workspace variables of both categories; readers read, writers write', async () => {
    const member = await app.factories.user({ role: 'member' });
    const viewer = await app.factories.user({ role: 'viewer' });
    const ws = await workspace(member.token);
    const tf = await api('POST', `/workspaces/${ws.id}/vars`, member.token, varDoc({ key: 'region', value: 'eu-west-1', category: 'terraform', description: 'where' }));
    expect(tf.status, tf.text).toBe(201);
    expect(tf.body.data).toMatchObject({
      type: 'vars', attributes: { key: 'region', value: 'eu-west-1', category: 'terraform', hcl: false, sensitive: false, description: 'where' },
      relationships: { configurable: { data: { id: ws.id, type: 'workspaces' } } },
    });
    const hcl = await api('POST', `/workspaces/${ws.id}/vars`, member.token, varDoc({ key: 'zones', value: '["a", "b"]', category: 'terraform', hcl: true }));
    expect(hcl.body.data.attributes).toMatchObject({ hcl: true, value: '["a", "b"]' });
    const env = await api('POST', `/workspaces/${ws.id}/vars`, member.token, varDoc({ key: 'AWS_REGION', value: 'eu-west-1', category: 'env' }));
    expect(env.status, env.text).toBe(201);

    const listed = await api('GET', `/workspaces/${ws.id}/vars`, viewer.token);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((v: any) => [v.attributes.category, v.attributes.key])).toEqual([['env', 'AWS_REGION'], ['terraform', 'region'], ['terraform', 'zones']]);
    expect((await api('POST', `/workspaces/${ws.id}/vars`, viewer.token, varDoc({ key: 'x', value: '1', category: 'terraform' }))).status).toBe(403);
    expect((await api('DELETE', `/workspaces/${ws.id}/vars/${tf.body.data.id}`, viewer.token)).status).toBe(403);

    const patched = await api('PATCH', `/workspaces/${ws.id}/vars/${tf.body.data.id}`, member.token, varDoc({ value: 'us-east-1' }));
    expect(patched.body.data.attributes).toMatchObject({ key: 'region', value: 'us-east-1', description: 'where' });
    const byId = await api('PATCH', `/vars/${env.body.data.id}`, member.token, varDoc({ value: 'us-east-2', description: 'go-tfe path' }));
    expect(byId.status, byId.text).toBe(200);
    expect(byId.body.data.attributes).toMatchObject({ key: 'AWS_REGION', value: 'us-east-2', description: 'go-tfe path' });
    expect((await api('DELETE', `/vars/${hcl.body.data.id}`, member.token)).status).toBe(204);
    expect((await api('DELETE', `/workspaces/${ws.id}/vars/${tf.body.data.id}`, member.token)).status).toBe(204);
    expect((await api('GET', `/workspaces/${ws.id}/vars`, member.token)).body.data.map((v: any) => v.attributes.key)).toEqual(['AWS_REGION']);
    expect((await api('PATCH', `/workspaces/${ws.id}/vars/${tf.body.data.id}`, member.token, varDoc({ value: 'gone' }))).status).toBe(404);
    // DELETE bodies are read (TFE sends relationship lists to remove in them): the legacy tags removal works too
    expect((await api('POST', `/workspaces/${ws.id}/relationships/tags`, member.token, { data: [{ type: 'tags', attributes: { name: 'a' } }, { type: 'tags', attributes: { name: 'b' } }] })).status).toBe(204);
    expect((await api('DELETE', `/workspaces/${ws.id}/relationships/tags`, member.token, { data: [{ type: 'tags', attributes: { name: 'a' } }] })).status).toBe(204);
    expect((await api('GET', `/workspaces/${ws.id}`, member.token)).body.data.attributes['tag-names']).toEqual(['b']);
  });

  it('refuses bad keys, taken keys and reserved environment names with a 422 that says what to fix', async () => {
    const member = await app.factories.user({ role: 'member' });
    const ws = await workspace(member.token);
    const post = (attributes: Record<string, unknown>) => api('POST', `/workspaces/${ws.id}/vars`, member.token, varDoc(attributes));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ key: '1bad', value: 'x', category: 'terraform' }, /"1bad" is not a valid terraform variable name/],
      [{ key: 'has-dash', value: 'x', category: 'env' }, /"has-dash" is not a valid environment variable name/],
      [{ key: 'x', value: 'x', category: 'shell' }, /category: must be terraform or env/],
      [{ value: 'x', category: 'env' }, /key: is required/],
      [{ key: 'x', value: 'x' }, /category: is required/],
    ];
    for (const name of ['PATH', 'HOME', 'TF_CLI_ARGS', 'TF_CLI_ARGS_plan', 'TF_DATA_DIR', 'TF_PLUGIN_CACHE_DIR', 'LD_PRELOAD', 'ATLANTAS_ENCRYPTION_KEY', 'TF_HTTP_PASSWORD', 'TF_LOG', 'DATABASE_URL', 'GIT_SSH_COMMAND', 'TF_WORKSPACE']) {
      cases.push([{ key: name, value: 'x', category: 'env' }, new RegExp(`"${name}" is reserved`)]);
    }
    for (const [attributes, message] of cases) {
      const res = await post(attributes);
      expect(res.status, JSON.stringify(attributes)).toBe(422);
      expect(res.body.errors[0]).toMatchObject({ status: '422', title: 'unprocessable entity' });
      expect(res.body.errors[0].detail).toMatch(message);
    }
    // the same name as a terraform variable is TF_VAR_PATH, harmless
    expect((await post({ key: 'PATH', value: 'x', category: 'terraform' })).status).toBe(201);
    expect((await post({ key: 'region', value: 'a', category: 'terraform' })).status).toBe(201);
    const taken = await post({ key: 'region', value: 'b', category: 'terraform' });
    expect(taken.status).toBe(422);
    expect(taken.body.errors[0].detail).toContain(`workspace "${ws.attributes.name}" already has a terraform variable region`);
    expect((await post({ key: 'region', value: 'b', category: 'env' })).status).toBe(201); // unique per category
    const env = (await api('GET', `/workspaces/${ws.id}/vars`, member.token)).body.data.find((v: any) => v.attributes.category === 'env');
    const renamed = await api('PATCH', `/workspaces/${ws.id}/vars/${env.id}`, member.token, varDoc({ key: 'LD_LIBRARY_PATH' }));
    expect(renamed.status).toBe(422);
    expect(renamed.body.errors[0].detail).toMatch(/"LD_LIBRARY_PATH" is reserved/);
  });

  it('never returns a sensitive value: not on create, list, update, by id, in a variable set, the audit log or the logs; the column is sealed', async () => {
    const member = await app.factories.user({ role: 'member' });
    const ws = await workspace(member.token);
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const secondSecret = `rotated-${randomBytes(8).toString('hex')}`;
    const created = await api('POST', `/workspaces/${ws.id}/vars`, member.token, varDoc({ key: 'db_password', value: secret, category: 'terraform', sensitive: true }));
    expect(created.status, created.text).toBe(201);
    expect(created.body.data.attributes).toMatchObject({ key: 'db_password', value: null, sensitive: true });
    const id = created.body.data.id;
    const seen: string[] = [created.text];
    for (const token of [member.token, app.admin.token]) {
      const list = await api('GET', `/workspaces/${ws.id}/vars`, token);
      expect(list.body.data[0].attributes.value).toBeNull();
      seen.push(list.text);
    }
    const updated = await api('PATCH', `/workspaces/${ws.id}/vars/${id}`, member.token, varDoc({ value: secondSecret, description: 'new' }));
    expect(updated.body.data.attributes).toMatchObject({ value: null, sensitive: true, description: 'new' });
    seen.push(updated.text);
    const plain = await api('PATCH', `/vars/${id}`, app.admin.token, varDoc({ sensitive: false }));
    expect(plain.status).toBe(422);
    expect(plain.body.errors[0].detail).toContain('is sensitive and stays so');
    seen.push(plain.text);

    const set = await api('POST', '/organizations/default/varsets', app.admin.token, {
      data: { type: 'varsets', attributes: { name: unique('secret-set'), global: false }, relationships: {
        workspaces: { data: [{ id: ws.id, type: 'workspaces' }] },
        vars: { data: [{ type: 'vars', attributes: { key: 'API_TOKEN', value: secret, category: 'env', sensitive: true } }] },
      } },
    });
    expect(set.status, set.text).toBe(201);
    seen.push(set.text);
    seen.push((await api('GET', `/varsets/${set.body.data.id}`, app.admin.token)).text);
    seen.push((await api('GET', `/varsets/${set.body.data.id}/relationships/vars`, app.admin.token)).text);
    seen.push((await api('GET', '/organizations/default/varsets', app.admin.token)).text);
    seen.push((await api('GET', `/workspaces/${ws.id}/varsets`, member.token)).text);
    const setVars = await api('GET', `/varsets/${set.body.data.id}/relationships/vars`, app.admin.token);
    expect(setVars.body.data[0].attributes).toMatchObject({ key: 'API_TOKEN', value: null, sensitive: true });
    seen.push((await app.req('GET', '/api/v1/audit?target_type=tfe_variable', { token: app.admin.token })).text);

    for (const text of seen) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secondSecret);
    }
    const stored = await storedEverywhere();
    for (const where of [stored.audit, stored.vars, stored.logs]) {
      expect(where).not.toContain(secret);
      expect(where).not.toContain(secondSecret);
    }
    expect(stored.audit).toContain('tfe.variable.update'); // the audit has the event, not the value
  });

  it('variable sets: admins manage them, readers list them, attach and detach workspaces; a bad document is a 422', async () => {
    const member = await app.factories.user({ role: 'member' });
    const ws1 = await workspace(member.token);
    const ws2 = await workspace(member.token);
    const name = unique('aws');
    const doc = (attributes: Record<string, unknown>, relationships?: Record<string, unknown>) => ({ data: { type: 'varsets', attributes, ...(relationships ? { relationships } : {}) } });
    expect((await api('POST', '/organizations/default/varsets', member.token, doc({ name }))).status).toBe(403);
    const created = await api('POST', '/organizations/default/varsets', app.admin.token, doc({ name, description: 'creds', priority: true }, { workspaces: { data: [{ id: ws1.id, type: 'workspaces' }] } }));
    expect(created.status, created.text).toBe(201);
    const id = created.body.data.id;
    expect(id).toMatch(/^varset-/);
    expect(created.body.data).toMatchObject({
      type: 'varsets', attributes: { name, description: 'creds', global: false, priority: true, 'var-count': 0, 'workspace-count': 1 },
      relationships: { organization: { data: { id: 'default', type: 'organizations' } }, workspaces: { data: [{ id: ws1.id, type: 'workspaces' }] } },
    });
    expect((await api('POST', '/organizations/default/varsets', app.admin.token, doc({ name }))).status).toBe(422);
    const noName = await api('POST', '/organizations/default/varsets', app.admin.token, doc({ description: 'x' }));
    expect(noName.status).toBe(422);
    expect(noName.body.errors[0].detail).toContain('name: is required');
    // a bad variable in the create document leaves no set behind
    const half = await api('POST', '/organizations/default/varsets', app.admin.token, doc({ name: `${name}-half` }, { vars: { data: [{ attributes: { key: 'PATH', value: '/x', category: 'env' } }] } }));
    expect(half.status).toBe(422);
    expect((await api('GET', '/organizations/default/varsets', member.token)).body.data.map((s: any) => s.attributes.name)).not.toContain(`${name}-half`);
    expect(await app.sql('SELECT id FROM audit_log WHERE detail::text LIKE :n', { n: `%${name}-half%` })).toEqual([]);

    expect((await api('POST', `/varsets/${id}/relationships/vars`, member.token, varDoc({ key: 'k', value: 'v', category: 'env' }))).status).toBe(403);
    const v = await api('POST', `/varsets/${id}/relationships/vars`, app.admin.token, varDoc({ key: 'AWS_REGION', value: 'eu-west-1', category: 'env' }));
    expect(v.status, v.text).toBe(201);
    expect(v.body.data.relationships).toEqual({ varset: { data: { id, type: 'varsets' } } });
    const pv = await api('PATCH', `/varsets/${id}/relationships/vars/${v.body.data.id}`, app.admin.token, varDoc({ value: 'us-west-2' }));
    expect(pv.body.data.attributes.value).toBe('us-west-2');
    // a set's variable is not a workspace's: the workspace paths do not reach it
    expect((await api('PATCH', `/vars/${v.body.data.id}`, app.admin.token, varDoc({ value: 'x' }))).status).toBe(404);

    expect((await api('POST', `/varsets/${id}/relationships/workspaces`, app.admin.token, { data: [{ type: 'workspaces', id: ws2.id }] })).status).toBe(204);
    expect((await api('GET', `/varsets/${id}`, member.token)).body.data.relationships.workspaces.data.map((w: any) => w.id).sort()).toEqual([ws1.id, ws2.id].sort());
    expect((await api('GET', `/workspaces/${ws2.id}/varsets`, member.token)).body.data.map((s: any) => s.id)).toContain(id);
    expect((await api('DELETE', `/varsets/${id}/relationships/workspaces`, app.admin.token, { data: [{ type: 'workspaces', id: ws1.id }] })).status).toBe(204);
    expect((await api('GET', `/workspaces/${ws1.id}/varsets`, member.token)).body.data.map((s: any) => s.id)).not.toContain(id);
    // PATCH with a workspaces relationship replaces the attached list
    const replaced = await api('PATCH', `/varsets/${id}`, app.admin.token, doc({}, { workspaces: { data: [{ id: ws1.id, type: 'workspaces' }] } }));
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.data.relationships.workspaces.data).toEqual([{ id: ws1.id, type: 'workspaces' }]);
    expect((await api('PATCH', `/varsets/${id}`, app.admin.token, doc({}, { workspaces: { data: [] } }))).body.data.attributes['workspace-count']).toBe(0);
    const patched = await api('PATCH', `/varsets/${id}`, app.admin.token, doc({ global: true, priority: false }));
    expect(patched.body.data.attributes).toMatchObject({ global: true, priority: false, 'var-count': 1 });
    expect((await api('GET', `/workspaces/${ws1.id}/varsets`, member.token)).body.data.map((s: any) => s.id)).toContain(id); // global: every workspace
    expect((await api('DELETE', `/varsets/${id}/relationships/vars/${v.body.data.id}`, app.admin.token)).status).toBe(204);
    expect((await api('DELETE', `/varsets/${id}`, member.token)).status).toBe(403);
    expect((await api('DELETE', `/varsets/${id}`, app.admin.token)).status).toBe(204);
    expect((await api('GET', `/varsets/${id}`, app.admin.token)).status).toBe(404);
  });

  it('keeps tenants apart: another organization\'s workspaces, variables and sets are 404', async () => {
    const other = await app.factories.tenant();
    const mine = await workspace(app.admin.token);
    const myVar = await api('POST', `/workspaces/${mine.id}/vars`, app.admin.token, varDoc({ key: 'k', value: 'mine', category: 'terraform' }));
    const mySet = await api('POST', '/organizations/default/varsets', app.admin.token, { data: { type: 'varsets', attributes: { name: unique('mine') } } });
    const setVar = await api('POST', `/varsets/${mySet.body.data.id}/relationships/vars`, app.admin.token, varDoc({ key: 'k', value: 'mine', category: 'env' }));
    const theirs = await workspace(other.adminToken, other.slug);
    const theirSet = await api('POST', `/organizations/${other.slug}/varsets`, other.adminToken, { data: { type: 'varsets', attributes: { name: 'theirs', global: true } } });
    expect(theirSet.status, theirSet.text).toBe(201);
    await api('POST', `/varsets/${theirSet.body.data.id}/relationships/vars`, other.adminToken, varDoc({ key: 'k', value: 'theirs', category: 'terraform' }));

    const t = other.adminToken;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/workspaces/${mine.id}/vars`], ['POST', `/workspaces/${mine.id}/vars`, varDoc({ key: 'x', value: 'y', category: 'env' })],
      ['PATCH', `/workspaces/${mine.id}/vars/${myVar.body.data.id}`, varDoc({ value: 'y' })], ['DELETE', `/workspaces/${mine.id}/vars/${myVar.body.data.id}`],
      ['PATCH', `/vars/${myVar.body.data.id}`, varDoc({ value: 'y' })], ['DELETE', `/vars/${myVar.body.data.id}`],
      ['GET', '/organizations/default/varsets'], ['POST', '/organizations/default/varsets', { data: { attributes: { name: 'x' } } }],
      ['GET', `/varsets/${mySet.body.data.id}`], ['PATCH', `/varsets/${mySet.body.data.id}`, { data: { attributes: { name: 'x' } } }], ['DELETE', `/varsets/${mySet.body.data.id}`],
      ['GET', `/varsets/${mySet.body.data.id}/relationships/vars`], ['POST', `/varsets/${mySet.body.data.id}/relationships/vars`, varDoc({ key: 'x', value: 'y', category: 'env' })],
      ['PATCH', `/varsets/${mySet.body.data.id}/relationships/vars/${setVar.body.data.id}`, varDoc({ value: 'y' })],
      ['DELETE', `/varsets/${mySet.body.data.id}/relationships/vars/${setVar.body.data.id}`],
      ['POST', `/varsets/${mySet.body.data.id}/relationships/workspaces`, { data: [{ type: 'workspaces', id: theirs.id }] }],
      // their own set, my workspace: attaching it would feed their variables to my runs
      ['POST', `/varsets/${theirSet.body.data.id}/relationships/workspaces`, { data: [{ type: 'workspaces', id: mine.id }] }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, t, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain('mine');
    }
    expect((await api('GET', `/workspaces/${mine.id}/vars`, app.admin.token)).body.data[0].attributes.value).toBe('mine');
    // their global set does not reach my workspace's runs
    const resolved = await app.core.tfe.runVariables.resolve({ tenantId: await app.factories.defaultTenantId(), stateName: mine.attributes.name, workspace: 'default', projectId: null });
    expect(resolved.get('TF_VAR_k')).toEqual({ value: 'mine', sensitive: false });
  });

  it('resolves precedence as TFC documents it: priority set > workspace > attached set > global set; within a level by set name', async () => {
    const tenant = await app.factories.tenant();
    const t = tenant.adminToken;
    const ws = await workspace(t, tenant.slug);
    const run = { tenantId: tenant.id, stateName: ws.attributes.name, workspace: 'default', projectId: null };
    const resolve = async () => Object.fromEntries([...(await app.core.tfe.runVariables.resolve(run))].map(([k, v]) => [k, v.value]));
    const makeSet = async (name: string, attributes: Record<string, unknown>, attach: boolean) => {
      const res = await api('POST', `/organizations/${tenant.slug}/varsets`, t, { data: { type: 'varsets', attributes: { name, ...attributes }, relationships: attach ? { workspaces: { data: [{ id: ws.id, type: 'workspaces' }] } } : undefined } });
      expect(res.status, res.text).toBe(201);
      return res.body.data.id as string;
    };
    const setVar = async (setId: string, key: string, value: string, category = 'terraform') => {
      const res = await api('POST', `/varsets/${setId}/relationships/vars`, t, varDoc({ key, value, category }));
      expect(res.status, res.text).toBe(201);
      return res.body.data.id as string;
    };
    const global = await makeSet('g-global', { global: true }, false);
    const attachedB = await makeSet('b-attached', {}, true);
    const attachedA = await makeSet('a-attached', {}, true);
    const priority = await makeSet('p-priority', { priority: true }, true);
    for (const key of ['level', 'only_global']) await setVar(global, key, `global-${key}`);
    await setVar(global, 'MODE', 'global', 'env');
    await setVar(attachedB, 'level', 'attached-b');
    await setVar(attachedB, 'by_name', 'attached-b');
    const aBy = await setVar(attachedA, 'by_name', 'attached-a');
    const aLevel = await setVar(attachedA, 'level', 'attached-a');
    const pLevel = await setVar(priority, 'level', 'priority');
    const wsLevel = await api('POST', `/workspaces/${ws.id}/vars`, t, varDoc({ key: 'level', value: 'workspace', category: 'terraform' }));
    await api('POST', `/workspaces/${ws.id}/vars`, t, varDoc({ key: 'MODE', value: 'workspace-env', category: 'env' }));

    expect(await resolve()).toEqual({
      TF_VAR_level: 'priority', TF_VAR_only_global: 'global-only_global', TF_VAR_by_name: 'attached-a', MODE: 'workspace-env',
    });
    await api('DELETE', `/varsets/${priority}/relationships/vars/${pLevel}`, t);
    expect((await resolve()).TF_VAR_level).toBe('workspace');
    await api('DELETE', `/workspaces/${ws.id}/vars/${wsLevel.body.data.id}`, t);
    expect((await resolve()).TF_VAR_level).toBe('attached-a');
    await api('DELETE', `/varsets/${attachedA}/relationships/vars/${aLevel}`, t);
    await api('DELETE', `/varsets/${attachedA}/relationships/vars/${aBy}`, t);
    expect(await resolve()).toMatchObject({ TF_VAR_level: 'attached-b', TF_VAR_by_name: 'attached-b' });
    await api('DELETE', `/varsets/${attachedB}/relationships/workspaces`, t, { data: [{ type: 'workspaces', id: ws.id }] });
    expect((await resolve()).TF_VAR_level).toBe('global-level');
    // a global priority set beats everything, an attached priority set included
    const gp = await makeSet('z-global-priority', { global: true, priority: true }, false);
    await setVar(gp, 'level', 'global-priority');
    await setVar(priority, 'level', 'priority-again');
    expect((await resolve()).TF_VAR_level).toBe('global-priority');
  });
});

describe('TFE variables and atlantas rotate-key', () => {
  it('re-seals every variable value, a workspace\'s and a set\'s, sensitive or not; runs resolve them with only the new key', async () => {
    const oldKey = randomBytes(32).toString('base64');
    let app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => { await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)); });
    const api = (method: string, path: string, body?: unknown) => tfeRequest(app, method, path, app.admin.token, body);
    const ws = await api('POST', '/organizations/default/workspaces', { data: { type: 'workspaces', attributes: { name: 'rotated' } } });
    expect(ws.status, ws.text).toBe(201);
    const secret = `rot-${randomBytes(8).toString('hex')}`;
    expect((await api('POST', `/workspaces/${ws.body.data.id}/vars`, { data: { attributes: { key: 'pw', value: secret, category: 'terraform', sensitive: true } } })).status).toBe(201);
    expect((await api('POST', `/workspaces/${ws.body.data.id}/vars`, { data: { attributes: { key: 'MODE', value: 'plain', category: 'env' } } })).status).toBe(201);
    const set = await api('POST', '/organizations/default/varsets', { data: { attributes: { name: 'g', global: true }, relationships: { vars: { data: [{ attributes: { key: 'region', value: 'eu', category: 'terraform' } }] } } } });
    expect(set.status, set.text).toBe(201);
    await app.close({ keepData: true });

    const key = randomBytes(32).toString('base64');
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('tfe variables: 3 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT DISTINCT value_key_id FROM tfe_variables'), { schema });
    expect(rows).toEqual([{ value_key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    const resolved = await app.core.tfe.runVariables.resolve({ tenantId: await app.factories.defaultTenantId(), stateName: 'rotated', workspace: 'default', projectId: null });
    expect(Object.fromEntries(resolved)).toEqual({
      TF_VAR_pw: { value: secret, sensitive: true }, MODE: { value: 'plain', sensitive: false }, TF_VAR_region: { value: 'eu', sensitive: false },
    });
    expect((await app.req('GET', `/api/v2/workspaces/${ws.body.data.id}/vars`, { token: app.admin.token })).body.data.map((v: any) => v.attributes.value)).toEqual(['plain', null]);
  });
});

describe('TFE variables on the embedded database', () => {
  it('stores, lists and resolves workspace and set variables on PGlite as on PostgreSQL', async () => {
    const app = await startTestApp({ embedded: true });
    onTestFinished(() => app.close());
    const api = (method: string, path: string, body?: unknown) => tfeRequest(app, method, path, app.admin.token, body);
    const ws = await api('POST', '/organizations/default/workspaces', { data: { attributes: { name: 'embedded' } } });
    expect(ws.status, ws.text).toBe(201);
    expect((await api('POST', `/workspaces/${ws.body.data.id}/vars`, { data: { attributes: { key: 'pw', value: 'hidden', category: 'terraform', sensitive: true } } })).status).toBe(201);
    const set = await api('POST', '/organizations/default/varsets', { data: { attributes: { name: 'attached' }, relationships: {
      workspaces: { data: [{ id: ws.body.data.id, type: 'workspaces' }] }, vars: { data: [{ attributes: { key: 'MODE', value: 'green', category: 'env' } }] },
    } } });
    expect(set.status, set.text).toBe(201);
    expect(set.body.data.relationships.workspaces.data).toEqual([{ id: ws.body.data.id, type: 'workspaces' }]);
    expect((await api('GET', '/organizations/default/varsets')).body.data[0].attributes).toMatchObject({ name: 'attached', 'var-count': 1, 'workspace-count': 1 });
    expect((await api('GET', `/workspaces/${ws.body.data.id}/vars`)).body.data[0].attributes.value).toBeNull();
    const resolved = await app.core.tfe.runVariables.resolve({ tenantId: await app.factories.defaultTenantId(), stateName: 'embedded', workspace: 'default', projectId: null });
    expect(Object.fromEntries(resolved)).toEqual({ TF_VAR_pw: { value: 'hidden', sensitive: true }, MODE: { value: 'green', sensitive: false } });
  });
});
