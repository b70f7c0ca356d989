import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig } from '../harness/terraform.js';

describe('state backend across a restart', () => {
  it('keeps every version and every held lock', async () => {
    let app: TestApp = await startTestApp();
    onTestFinished(() => app.close());
    const user = await app.factories.user({ role: 'member' });
    const name = `restart-${randomBytes(4).toString('hex')}`;
    const wd = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', user.token));
    onTestFinished(() => wd.cleanup());
    await wd.write(stateConfig());
    expect((await wd.run(['init', '-input=false'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=one'])).code).toBe(0);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=two'])).code).toBe(0);
    const held = { ID: 'held-across-restart', Operation: 'OperationTypeApply', Who: 'carol@laptop' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: user.token, body: held })).status).toBe(200);

    const list = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    const before = list.body.find((s: any) => s.name === name);
    const versionsBefore = (await app.req('GET', `/api/v1/states/${before.id}/versions`, { token: app.admin.token })).body;
    const bytesBefore = (await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token })).text;

    app = await app.restart();
    // The server is new (new port); point terraform at it.
    const env = httpBackendEnv(app.url, name, 'default', user.token);

    const after = await app.req('GET', `/api/v1/states/${before.id}`, { token: app.admin.token });
    expect(after.body).toMatchObject({ serial: before.serial, version_count: 2, is_locked: true, lock: held });
    expect((await app.req('GET', `/api/v1/states/${before.id}/versions`, { token: app.admin.token })).body).toEqual(versionsBefore);
    expect((await app.req('GET', `/api/v1/tfstate/${name}/default`, { token: user.token })).text).toBe(bytesBefore);

    const refused = await wd.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', 'marker=three'], env);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain(held.ID);
    const pull = await wd.run(['state', 'pull'], env);
    expect(JSON.parse(pull.stdout).outputs.marker.value).toBe('two');
  });
});
