import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** The v1 state management API: browse, download, roll back, force-unlock, delete. */
describe('/api/v1/states', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const json = { 'content-type': 'application/json' };
  const doc = (serial: number, lineage: string, value: string) =>
    JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage, outputs: { id: { value, type: 'string' } }, resources: [] });

  async function push(token: string, name: string, body: string, query = '') {
    const res = await app.req('POST', `/api/v1/tfstate/${name}/default${query}`, { token, rawBody: body, headers: json });
    expect(res.status, res.text).toBe(200);
    return res;
  }

  async function stateNamed(name: string, token = app.admin.token): Promise<any> {
    return (await app.req('GET', '/api/v1/states', { token })).body.find((s: any) => s.name === name);
  }

  it('lists states with the spec fields, linking a state to the registered project of that name', async () => {
    const member = await app.factories.user({ role: 'member' });
    const projectName = uniqueName('vpc-core');
    const project = await app.req('POST', '/api/v1/projects', { token: member.token, body: { name: projectName } });
    expect(project.status).toBe(201);
    const loose = uniqueName('scratch');
    await push(member.token, projectName, doc(4, 'lin-p', 'a'));
    await push(member.token, loose, doc(1, 'lin-l', 'b'));

    const viewer = await app.factories.user({ role: 'viewer' });
    const linked = await stateNamed(projectName, viewer.token);
    expect(linked).toMatchObject({
      id: expect.any(String), project_id: project.body.id, project_name: projectName, workspace: 'default',
      serial: 4, is_locked: false, lineage: 'lin-p', version_count: 1,
    });
    expect(await stateNamed(loose, viewer.token)).toMatchObject({ project_id: null, project_name: loose, serial: 1 });
    expect((await app.req('GET', `/api/v1/states/${linked.id}`, { token: viewer.token })).body).toEqual(linked);
    expect((await app.req('GET', '/api/v1/states/00000000-0000-4000-8000-000000000000', { token: viewer.token })).status).toBe(404);
    expect((await app.req('GET', '/api/v1/states/not-an-id', { token: viewer.token })).status).toBe(404);
    // Reading is not writing.
    const refused = await app.req('POST', `/api/v1/tfstate/${loose}/default`, { token: viewer.token, rawBody: doc(2, 'lin-l', 'c'), headers: json });
    expect(refused.status).toBe(403);
  });

  it('downloads an old version and rolls back by posting it with the next serial', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('rollback');
    await push(member.token, name, doc(1, 'lin', 'good'));
    await push(member.token, name, doc(2, 'lin', 'bad'));
    const state = await stateNamed(name);

    const byNumber = await app.req('GET', `/api/v1/states/${state.id}/versions/1`, { token: member.token });
    expect(byNumber.status).toBe(200);
    expect(byNumber.text).toBe(doc(1, 'lin', 'good'));
    expect(byNumber.headers.get('content-type')).toMatch(/application\/json/);
    const versions = (await app.req('GET', `/api/v1/states/${state.id}/versions`, { token: member.token })).body;
    const byId = await app.req('GET', `/api/v1/states/${state.id}/versions/${versions[1].id}`, { token: member.token });
    expect(byId.text).toBe(byNumber.text);
    expect((await app.req('GET', `/api/v1/states/${state.id}/versions/9`, { token: member.token })).status).toBe(404);

    const old = JSON.parse(byNumber.text);
    await push(member.token, name, JSON.stringify({ ...old, serial: state.serial + 1 }));
    const current = await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: member.token });
    expect(JSON.parse(current.text)).toMatchObject({ serial: 3, outputs: { id: { value: 'good' } } });
    expect((await app.req('GET', `/api/v1/states/${state.id}/versions`, { token: member.token })).body.map((v: any) => v.version)).toEqual([3, 2, 1]);
  });

  it('force-unlocks for admins only, with an audit entry', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('stuck');
    await push(member.token, name, doc(1, 'lin', 'x'));
    const holder = { ID: 'stuck-lock', Who: 'dave@crashed-laptop', Operation: 'OperationTypeApply' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: member.token, body: holder })).status).toBe(200);
    const state = await stateNamed(name);
    expect(state).toMatchObject({ is_locked: true, lock: holder, locked_by: expect.stringContaining(member.email), serial: 1 });

    const denied = await app.req('POST', `/api/v1/states/${state.id}/unlock`, { token: member.token });
    expect(denied.status).toBe(403);
    const unlocked = await app.req('POST', `/api/v1/states/${state.id}/unlock`, { token: app.admin.token });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ id: state.id, is_locked: false, lock: null });
    expect((await stateNamed(name)).is_locked).toBe(false);
    const audit = await app.req('GET', `/api/v1/audit?action=state.force_unlock&target_id=${state.id}`, { token: app.admin.token });
    expect(audit.body).toHaveLength(1);
    expect(audit.body[0]).toMatchObject({ via: 'api', detail: { lock_id: 'stuck-lock', holder: 'dave@crashed-laptop' } });
  });

  it('deletes a state and its versions (admin), refusing while it is locked', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('doomed');
    await push(member.token, name, doc(1, 'lin', 'x'));
    await push(member.token, name, doc(2, 'lin', 'y'));
    const state = await stateNamed(name);
    expect((await app.req('DELETE', `/api/v1/states/${state.id}`, { token: member.token })).status).toBe(403);

    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: member.token, body: { ID: 'busy' } })).status).toBe(200);
    const locked = await app.req('DELETE', `/api/v1/states/${state.id}`, { token: app.admin.token });
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: 'state_locked', holder: { ID: 'busy' } });
    expect(await app.sql('SELECT count(*)::int AS n FROM state_versions WHERE state_id = :id', { id: state.id })).toEqual([{ n: 2 }]);

    expect((await app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token: member.token, body: { ID: 'busy' } })).status).toBe(200);
    expect((await app.req('DELETE', `/api/v1/states/${state.id}`, { token: app.admin.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v1/states/${state.id}`, { token: app.admin.token })).status).toBe(404);
    expect((await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: member.token })).status).toBe(404);
    expect(await app.sql('SELECT count(*)::int AS n FROM state_versions WHERE state_id = :id', { id: state.id })).toEqual([{ n: 0 }]);
    const audit = await app.req('GET', `/api/v1/audit?action=state.delete&target_id=${state.id}`, { token: app.admin.token });
    expect(audit.body[0]).toMatchObject({ detail: { name, workspace: 'default', versions: 2, serial: 2 } });
  });

  it('deletes through the backend address too (workspace delete), for admins', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('ws-delete');
    await push(member.token, name, doc(1, 'lin', 'x'));
    expect((await app.req('DELETE', `/api/v1/tfstate/${name}/default`, { token: member.token })).status).toBe(403);
    expect((await app.req('DELETE', `/api/v1/tfstate/${name}/default`, { token: app.admin.token })).status).toBe(204);
    expect(await stateNamed(name)).toBeUndefined();
    expect((await app.req('DELETE', `/api/v1/tfstate/${name}/default`, { token: app.admin.token })).status).toBe(404);
  });
});
