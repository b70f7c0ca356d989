import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig, type TerraformDir } from '../harness/terraform.js';

/** Version rules, credentials and tenancy of the state backend, through terraform and raw requests. */
describe('state backend rules', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
  const json = { 'content-type': 'application/json' };
  const md5 = (s: string) => createHash('md5').update(s).digest('base64');
  const stateBody = (serial: number, lineage: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage, outputs: {}, resources: [], check_results: null, ...extra });

  async function workdir(name: string, token: string, username?: string): Promise<TerraformDir> {
    const wd = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', token, username));
    onTestFinished(() => wd.cleanup());
    await wd.write(stateConfig());
    return wd;
  }

  async function state(name: string): Promise<any> {
    const list = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    return list.body.find((s: any) => s.name === name);
  }

  async function versionsOf(id: string): Promise<any[]> {
    return (await app.req('GET', `/api/v1/states/${id}/versions`, { token: app.admin.token })).body;
  }

  it('refuses a stale write (lower serial) from a raw POST and from terraform state push -force', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('stale');
    const wd = await workdir(name, user.token);
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=one'])).code).toBe(0);
    const old = (await wd.run(['state', 'pull'])).stdout;
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=two'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=three'])).code).toBe(0);
    const before = await state(name);
    const currentBytes = (await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token })).text;

    const raw = await app.req('POST', `/api/v1/tfstate/${name}/default`, { token: user.token, rawBody: old, headers: json });
    expect(raw.status).toBe(409);
    expect(raw.body).toMatchObject({ code: 'state_serial_stale', detail: expect.stringContaining('older than the current serial') });

    // The stale laptop: terraform refuses locally without -force; with -force it reaches us and is refused.
    await wd.write({ 'old.tfstate': old });
    const push = await wd.run(['state', 'push', '-force', 'old.tfstate']);
    expect(push.code).not.toBe(0);
    expect(push.output).toMatch(/HTTP error: 409/);

    const after = await state(name);
    expect(after).toMatchObject({ serial: before.serial, md5: before.md5, version_count: before.version_count, is_locked: false });
    expect((await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token })).text).toBe(currentBytes);
  });

  it('treats a retried POST (same serial, same bytes) as success and refuses other bytes at that serial', async () => {
    const user = await app.factories.user({ role: 'member' });
    const path = `/api/v1/tfstate/${uniqueName('retry')}/default`;
    const body = stateBody(7, 'lineage-a');
    const first = await app.req('POST', path, { token: user.token, rawBody: body, headers: { ...json, 'content-md5': md5(body) } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, serial: 7, written: true });
    const retry = await app.req('POST', path, { token: user.token, rawBody: body, headers: { ...json, 'content-md5': md5(body) } });
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ version: 1, written: false });

    const other = stateBody(7, 'lineage-a', { outputs: { x: { value: 1, type: 'number' } } });
    const conflict = await app.req('POST', path, { token: user.token, rawBody: other, headers: json });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('state_serial_conflict');
    expect((await app.req('GET', path, { token: user.token })).text).toBe(body);
  });

  it('refuses another lineage unless an admin forces it, and keeps the replaced version', async () => {
    const member = await app.factories.user({ role: 'member' });
    const name = uniqueName('lineage');
    const path = `/api/v1/tfstate/${name}/default`;
    expect((await app.req('POST', path, { token: member.token, rawBody: stateBody(3, 'lineage-a'), headers: json })).status).toBe(200);
    const foreign = stateBody(1, 'lineage-b');
    const refused = await app.req('POST', path, { token: member.token, rawBody: foreign, headers: json });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'state_lineage_mismatch', detail: expect.stringContaining('?force=true') });
    expect((await app.req('POST', `${path}?force=true`, { token: member.token, rawBody: foreign, headers: json })).status).toBe(403);

    const forced = await app.req('POST', `${path}?force=true`, { token: app.admin.token, rawBody: foreign, headers: json });
    expect(forced.status).toBe(200);
    const s = await state(name);
    expect(s).toMatchObject({ serial: 1, lineage: 'lineage-b', version_count: 2 });
    const versions = await versionsOf(s.id);
    expect(versions.map((v: any) => [v.version, v.serial, v.lineage, v.forced])).toEqual([[2, 1, 'lineage-b', true], [1, 3, 'lineage-a', false]]);
  });

  it('lets an admin replace a state on purpose: terraform state push -force to the ?force=true address', async () => {
    const name = uniqueName('replace');
    const member = await app.factories.user({ role: 'member' });
    const wd = await workdir(name, member.token);
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=original'])).code).toBe(0);
    const before = await state(name);
    await wd.write({ 'other.tfstate': stateBody(1, 'another-lineage') });

    const address = `${app.url}/api/v1/tfstate/${name}/default?force=true`;
    const asMember = await wd.run(['state', 'push', '-force', 'other.tfstate'], { TF_HTTP_ADDRESS: address });
    expect(asMember.code).not.toBe(0);
    expect(asMember.output).toMatch(/HTTP error: 403/);
    const asAdmin = await wd.run(['state', 'push', '-force', 'other.tfstate'], { TF_HTTP_ADDRESS: address, TF_HTTP_PASSWORD: app.admin.token });
    expect(asAdmin.code, asAdmin.output).toBe(0);

    const after = await state(name);
    expect(after).toMatchObject({ lineage: 'another-lineage', version_count: before.version_count + 1, is_locked: false });
    const [newest, replaced] = await versionsOf(after.id);
    expect(newest).toMatchObject({ forced: true, lineage: 'another-lineage' });
    expect(replaced).toMatchObject({ forced: false, lineage: before.lineage, serial: before.serial });
  });

  it('checks Content-MD5 and the body shape, writing nothing on a bad request', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('md5');
    const path = `/api/v1/tfstate/${name}/default`;
    const body = stateBody(1, 'l');
    const mismatch = await app.req('POST', path, { token: user.token, rawBody: body, headers: { ...json, 'content-md5': md5('something else') } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.code).toBe('content_md5_mismatch');
    const garbage = await app.req('POST', path, { token: user.token, rawBody: body, headers: { ...json, 'content-md5': 'abc' } });
    expect(garbage.status).toBe(400);
    const notJson = await app.req('POST', path, { token: user.token, rawBody: '{"serial": 1, "lineage": ', headers: json });
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toMatch(/not valid JSON/);
    const noSerial = await app.req('POST', path, { token: user.token, rawBody: JSON.stringify({ lineage: 'l' }), headers: json });
    expect(noSerial.body.detail).toMatch(/"serial" must be a non-negative integer/);
    const badName = await app.req('GET', '/api/v1/tfstate/..%2Fetc/default', { token: user.token });
    expect(badName.status).toBe(400);
    expect(badName.body.detail).toMatch(/state name/);
    expect(await state(name)).toBeUndefined();
  });

  it('answers 401 to a wrong or missing credential (terraform says "requires auth") and changes nothing', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('auth');
    const good = await workdir(name, user.token);
    expect((await good.run(['init', '-input=false'])).code).toBe(0);
    expect((await good.run(['apply', '-auto-approve', '-var', 'marker=ok'])).code).toBe(0);
    const before = await state(name);

    const wrong = await workdir(name, 'atl_' + 'x'.repeat(43));
    expect((await wrong.run(['init', '-input=false'])).output).toMatch(/requires auth/);
    const apply = await wrong.run(['apply', '-auto-approve', '-var', 'marker=evil']);
    expect(apply.code).not.toBe(0);
    expect(apply.output).toMatch(/requires auth/);

    const path = `/api/v1/tfstate/${name}/default`;
    const body = stateBody(before.serial + 1, before.lineage);
    for (const method of ['GET', 'POST', 'LOCK', 'UNLOCK', 'DELETE']) {
      const anonymous = await app.req(method, path, { rawBody: method === 'GET' ? undefined : body, headers: json });
      expect(anonymous.status, method).toBe(401);
      const forged = await app.req(method, path, {
        rawBody: method === 'GET' ? undefined : body, headers: { ...json, authorization: `Basic ${Buffer.from('atlantas:atl_forged').toString('base64')}` },
      });
      expect(forged.status, method).toBe(401);
    }
    expect(await state(name)).toEqual(before);
  });

  it('accepts Basic auth with any username, and Bearer', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('basic');
    const wd = await workdir(name, user.token, user.email);
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=mail'])).code).toBe(0);
    expect((await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token })).status).toBe(200);
  });

  it('isolates tenants: another tenant sees 404 and its own, separate state of the same name', async () => {
    const user = await app.factories.user({ role: 'member' });
    const other = await app.factories.tenant();
    const name = uniqueName('shared-name');
    const path = `/api/v1/tfstate/${name}/default`;
    expect((await app.req('POST', path, { token: user.token, rawBody: stateBody(5, 'mine'), headers: json })).status).toBe(200);
    expect((await app.req('LOCK', path, { token: user.token, body: { ID: 'mine-lock' } })).status).toBe(200);
    const mine = await state(name);

    expect((await app.req('GET', path, { token: other.adminToken })).status).toBe(404);
    for (const [method, p] of [['GET', ''], ['GET', '/versions'], ['GET', '/versions/1'], ['POST', '/unlock'], ['DELETE', '']] as const) {
      expect((await app.req(method, `/api/v1/states/${mine.id}${p}`, { token: other.adminToken })).status, `${method} ${p}`).toBe(404);
    }
    // Their LOCK and POST act on their own state: no conflict with ours, nothing of ours changes.
    expect((await app.req('LOCK', path, { token: other.adminToken, body: { ID: 'theirs' } })).status).toBe(200);
    expect((await app.req('POST', `${path}?ID=theirs`, { token: other.adminToken, rawBody: stateBody(1, 'theirs'), headers: json })).status).toBe(200);
    const theirs = await app.req('GET', '/api/v1/states', { token: other.adminToken });
    expect(theirs.body.map((s: any) => [s.name, s.serial, s.lineage])).toEqual([[name, 1, 'theirs']]);
    expect(await state(name)).toEqual(mine);
  });
});

describe('state body limit', () => {
  it('refuses a state larger than ATLANTAS_STATE_BODY_LIMIT with 413 and stores nothing', async () => {
    const app = await startTestApp({ env: { ATLANTAS_STATE_BODY_LIMIT: '2kb' } });
    onTestFinished(() => app.close());
    const big = JSON.stringify({ version: 4, serial: 1, lineage: 'l', outputs: { pad: { value: 'x'.repeat(4096), type: 'string' } } });
    const res = await app.req('POST', '/api/v1/tfstate/big/default', { token: app.admin.token, rawBody: big, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(res.body.detail).toMatch(/too large/);
    expect((await app.req('GET', '/api/v1/states', { token: app.admin.token })).body).toEqual([]);
  });
});
