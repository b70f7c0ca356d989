import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig, type TerraformDir } from '../harness/terraform.js';
import { httpCloudDir, uniqueName } from './tfe-harness.js';

/**
 * The real terraform CLI's `cloud {}` block against the running server over plain HTTP (a
 * CLI-config `host` block), local execution mode: the workspace is created on init, state goes
 * through the TFE state-version API into the one state store, and its lock is the state lock.
 */
describe('terraform cloud block, local execution mode', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());


  async function cloudDir(token: string, workspace: string, organization = 'default'): Promise<TerraformDir> {
    const wd = await httpCloudDir(app.url, token, workspace, organization);
    onTestFinished(() => wd.cleanup());
    const init = await wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return wd;
  }

  async function stateNamed(name: string): Promise<any> {
    const list = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    return list.body.find((s: any) => s.name === name && s.workspace === 'default');
  }

  it('inits, plans, applies, pulls state and reads outputs; the versions are the state backend\'s own', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('demo');
    const wd = await cloudDir(user.token, name);

    const ws = await app.req('GET', `/api/v2/organizations/default/workspaces/${name}`, { token: user.token });
    expect(ws.status).toBe(200);
    expect(ws.headers.get('content-type')).toMatch(/^application\/vnd\.api\+json/);
    expect(ws.body.data).toMatchObject({ type: 'workspaces', attributes: { name, 'execution-mode': 'local', 'terraform-version': '1.11.4', locked: false } });
    expect(ws.body.data.attributes.permissions).toMatchObject({ 'can-queue-run': true, 'can-lock': true, 'can-force-unlock': false, 'can-destroy': false });

    const plan = await wd.run(['plan', '-input=false', '-var', 'marker=one']);
    expect(plan.code, plan.output).toBe(0);
    expect(plan.output).toContain('1 to add');
    expect(await stateNamed(name)).toBeUndefined(); // a plan writes nothing and leaves no lock behind

    for (const marker of ['one', 'two']) {
      const apply = await wd.run(['apply', '-auto-approve', '-input=false', '-var', `marker=${marker}`]);
      expect(apply.code, apply.output).toBe(0);
    }
    const pulled = await wd.run(['state', 'pull']);
    expect(pulled.code, pulled.output).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ serial: 2, outputs: { marker: { value: 'two' } } });
    const output = await wd.run(['output', '-raw', 'marker']);
    expect(output.stdout).toBe('two');
    const hidden = await wd.run(['output', '-raw', 'hidden']);
    expect(hidden.stdout).toBe('hidden-two');

    // One store: the v1 state API lists both versions, written through TFE.
    const state = await stateNamed(name);
    expect(state).toMatchObject({ serial: 2, is_locked: false });
    const versions = await app.req('GET', `/api/v1/states/${state.id}/versions`, { token: user.token });
    expect(versions.body.map((v: any) => [v.serial, v.via])).toEqual([[2, 'tfe'], [1, 'tfe']]);

    // The TFE listing of the same versions, and the outputs with the sensitive value left out.
    const tfeVersions = await app.req('GET', `/api/v2/workspaces/${ws.body.data.id}/state-versions`, { token: user.token });
    expect(tfeVersions.body.data.map((v: any) => v.attributes.serial)).toEqual([2, 1]);
    expect(tfeVersions.body.meta.pagination).toMatchObject({ 'current-page': 1, 'total-count': 2 });
    const outputs = await app.req('GET', `/api/v2/workspaces/${ws.body.data.id}/current-state-version-outputs`, { token: user.token });
    expect(outputs.body.data.map((o: any) => o.attributes)).toEqual([
      { name: 'hidden', sensitive: true, type: 'string', value: null, 'detailed-type': 'string' },
      { name: 'marker', sensitive: false, type: 'string', value: 'two', 'detailed-type': 'string' },
    ]);
    expect(outputs.text).not.toContain('hidden-two');
  });

  it('refuses a second apply while the workspace is locked through the API; an admin\'s force-unlock frees it', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('locked');
    const wd = await cloudDir(member.token, name);
    expect((await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=base'])).code).toBe(0);
    const id = (await app.req('GET', `/api/v2/organizations/default/workspaces/${name}`, { token: member.token })).body.data.id;

    const other = await app.factories.user({ role: 'member' });
    const lock = await app.req('POST', `/api/v2/workspaces/${id}/actions/lock`, {
      token: other.token, body: { data: { attributes: { reason: 'maintenance' } } }, headers: { 'content-type': 'application/vnd.api+json' },
    });
    expect(lock.status).toBe(200);
    expect(lock.body.data.attributes.locked).toBe(true);
    const again = await app.req('POST', `/api/v2/workspaces/${id}/actions/lock`, { token: member.token });
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ status: '409', title: 'conflict', detail: expect.stringContaining('locked by') });

    const refused = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=during']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('Error acquiring the state lock');
    expect(refused.output).toContain(`workspace already locked (lock ID: "default/${name}")`);
    expect((await stateNamed(name)).serial).toBe(1);

    // Only the holder unlocks; the member who is locked out cannot force it either.
    const notTheirs = await app.req('POST', `/api/v2/workspaces/${id}/actions/unlock`, { token: member.token });
    expect(notTheirs.status).toBe(409);
    const byMember = await wd.run(['force-unlock', '-force', `default/${name}`]);
    expect(byMember.code).not.toBe(0);
    expect((await stateNamed(name)).is_locked).toBe(true);

    const admin = await app.factories.user({ role: 'admin' });
    const adminDir = await httpCloudDir(app.url, admin.token, name);
    onTestFinished(() => adminDir.cleanup());
    expect((await adminDir.run(['init', '-input=false'])).code).toBe(0);
    const unlocked = await adminDir.run(['force-unlock', '-force', `default/${name}`]);
    expect(unlocked.code, unlocked.output).toBe(0);
    expect(unlocked.output).toMatch(/successfully unlocked/i);
    const audit = await app.req('GET', `/api/v1/audit?action=state.force_unlock`, { token: app.admin.token });
    expect(audit.body.some((e: any) => e.via === 'tfe' && e.detail?.name === name && e.actor?.name.startsWith(admin.email))).toBe(true);

    const after = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=after']);
    expect(after.code, after.output).toBe(0);
    expect((await stateNamed(name)).serial).toBe(2);
  });

  it('shares one lock with the http backend: a TFE lock blocks an http-backend apply, and the other way round', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('shared');
    const wd = await cloudDir(user.token, name);
    expect((await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=tfe'])).code).toBe(0);
    const id = (await app.req('GET', `/api/v2/organizations/default/workspaces/${name}`, { token: user.token })).body.data.id;

    const http = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', user.token));
    onTestFinished(() => http.cleanup());
    await http.write(stateConfig());
    expect((await http.run(['init', '-input=false'])).code).toBe(0);

    expect((await app.req('POST', `/api/v2/workspaces/${id}/actions/lock`, { token: user.token })).status).toBe(200);
    const blocked = await http.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', 'marker=http']);
    expect(blocked.code).not.toBe(0);
    expect(blocked.output).toContain('Error acquiring the state lock');
    expect(blocked.output).toMatch(/already locked:\s+ID=tfe-/); // the holder is the TFE workspace lock
    expect((await app.req('POST', `/api/v2/workspaces/${id}/actions/unlock`, { token: user.token })).status).toBe(200);

    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Who: 'carol@laptop', Info: '', Version: '1.11.4', Created: new Date().toISOString(), Path: '' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: user.token, body: holder })).status).toBe(200);
    const shown = await app.req('GET', `/api/v2/workspaces/${id}`, { token: user.token });
    expect(shown.body.data.attributes.locked).toBe(true);
    const refused = await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=tfe2']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('workspace already locked');
    expect((await app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token: user.token, body: holder })).status).toBe(200);

    const ok = await http.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', 'marker=http']);
    expect(ok.code, ok.output).toBe(0);
    const pulled = await wd.run(['state', 'pull']);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ serial: 2, outputs: { marker: { value: 'http' } } });
  });

  it('keeps organizations apart: another tenant cannot see or use the first one\'s workspaces (404)', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('private');
    const wd = await cloudDir(user.token, name);
    expect((await wd.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=mine'])).code).toBe(0);
    const ws = (await app.req('GET', `/api/v2/organizations/default/workspaces/${name}`, { token: user.token })).body.data;
    const sv = (await app.req('GET', `/api/v2/workspaces/${ws.id}/current-state-version`, { token: user.token })).body.data;

    const other = await app.factories.tenant();
    const token = other.adminToken;
    for (const [method, path] of [
      ['GET', `/api/v2/organizations/default`],
      ['GET', `/api/v2/organizations/default/workspaces`],
      ['GET', `/api/v2/organizations/default/workspaces/${name}`],
      ['GET', `/api/v2/workspaces/${ws.id}`],
      ['POST', `/api/v2/workspaces/${ws.id}/actions/lock`],
      ['POST', `/api/v2/workspaces/${ws.id}/actions/force-unlock`],
      ['DELETE', `/api/v2/workspaces/${ws.id}`],
      ['GET', `/api/v2/workspaces/${ws.id}/current-state-version`],
      ['GET', `/api/v2/workspaces/${ws.id}/current-state-version-outputs`],
      ['GET', `/api/v2/state-versions/${sv.id}`],
      ['GET', `/api/v2/state-versions/${sv.id}/download`],
    ]) {
      const res = await app.req(method, path, { token });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.errors[0]).toMatchObject({ status: '404', title: 'not found' });
    }

    // Its own organization is its slug; a workspace of the same name there is a different state.
    const theirs = await cloudDir(token, name, other.slug);
    expect((await theirs.run(['apply', '-auto-approve', '-input=false', '-var', 'marker=theirs'])).code).toBe(0);
    expect(JSON.parse((await wd.run(['state', 'pull'])).stdout).outputs.marker.value).toBe('mine');
    expect(JSON.parse((await theirs.run(['state', 'pull'])).stdout).outputs.marker.value).toBe('theirs');

    const wrongOrg = await httpCloudDir(app.url, token, name, 'default');
    onTestFinished(() => wrongOrg.cleanup());
    const init = await wrongOrg.run(['init', '-input=false']);
    expect(init.code).not.toBe(0);
    expect(init.output).toMatch(/organization "default" (at host \S+ )?not found/);
  });
});
