import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { httpBackendEnv, makeTerraformDir, stateConfig, type TerraformDir } from '../harness/terraform.js';

/** State locks as the real terraform CLI meets them. */
describe('terraform state locks', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

  async function workdir(name: string, token: string, options: { slowSeconds?: number } = {}): Promise<TerraformDir> {
    const wd = await makeTerraformDir(httpBackendEnv(app.url, name, 'default', token));
    onTestFinished(() => wd.cleanup());
    await wd.write(stateConfig(options));
    const init = await wd.run(['init', '-input=false']);
    expect(init.code, init.output).toBe(0);
    return wd;
  }

  async function state(name: string): Promise<any> {
    const list = await app.req('GET', '/api/v1/states', { token: app.admin.token });
    return list.body.find((s: any) => s.name === name);
  }

  it('refuses an apply while another holds the lock, shows the holder, and an admin\'s force-unlock releases it', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('locked');
    const wd = await workdir(name, user.token);
    expect((await wd.run(['apply', '-auto-approve', '-var', 'marker=before'])).code).toBe(0);
    const before = await state(name);

    const holder = { ID: randomUUID(), Operation: 'OperationTypeApply', Info: '', Who: 'alice@laptop', Version: '1.11.4', Created: new Date().toISOString(), Path: '' };
    const lock = await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: user.token, body: holder });
    expect(lock.status).toBe(200);

    const refused = await wd.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', 'marker=during']);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('Error acquiring the state lock');
    expect(refused.output).toContain(holder.ID);
    expect((await state(name)).serial).toBe(before.serial);

    // Force-unlock is an admin's (and a person's): the member who is locked out cannot break the lock.
    const byMember = await wd.run(['force-unlock', '-force', holder.ID]);
    expect(byMember.code).not.toBe(0);
    expect(byMember.output).toContain('403');
    expect((await state(name)).is_locked).toBe(true);

    const admin = await app.factories.user({ role: 'admin' });
    const unlock = await wd.run(['force-unlock', '-force', holder.ID], { TF_HTTP_PASSWORD: admin.token });
    expect(unlock.code, unlock.output).toBe(0);
    expect(unlock.output).toMatch(/successfully unlocked/i);
    expect((await state(name)).is_locked).toBe(false);
    const audit = await app.req('GET', `/api/v1/audit?action=state.force_unlock&target_id=${before.id}`, { token: app.admin.token });
    expect(audit.body.find((e: any) => e.target?.id === before.id)).toMatchObject({ via: 'tfstate', detail: { lock_id: holder.ID, holder: 'alice@laptop' } });

    const after = await wd.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', 'marker=after']);
    expect(after.code, after.output).toBe(0);
    expect((await state(name)).serial).toBe(before.serial + 1);
  });

  it('lets exactly one of two simultaneous applies through; the other fails on the lock', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('race');
    const a = await workdir(name, user.token, { slowSeconds: 3 });
    const b = await workdir(name, user.token, { slowSeconds: 3 });
    expect((await a.run(['apply', '-auto-approve', '-var', 'marker=base'])).code).toBe(0);
    const before = await state(name);

    // Started together, nothing awaited in between: like two laptops hitting apply at once.
    const runs = [a, b].map((wd, i) => wd.run(['apply', '-auto-approve', '-lock-timeout=0s', '-var', `marker=racer-${i}`]));
    const results = await Promise.all(runs);

    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners, results.map((r) => r.output).join('\n----\n')).toHaveLength(1);
    expect(losers[0].output).toContain('Error acquiring the state lock');
    const after = await state(name);
    expect(after.serial).toBe(before.serial + 1);
    expect(after.is_locked).toBe(false);
    expect(after.version_count).toBe(before.version_count + 1);
  });

  it('answers a LOCK conflict with the holder\'s lock info, and refuses writes and unlocks from others', async () => {
    const user = await app.factories.user({ role: 'member' });
    const name = uniqueName('raw');
    const path = `/api/v1/tfstate/${name}/default`;
    const holder = { ID: 'holder-1', Operation: 'OperationTypePlan', Who: 'bob@ci', Info: '', Version: '1.11.4', Created: '2026-11-23T10:00:00Z', Path: '' };
    expect((await app.req('LOCK', path, { token: user.token, body: holder })).status).toBe(200);
    // Terraform never re-locks with its own ID, but a retried LOCK must not fail.
    expect((await app.req('LOCK', path, { token: user.token, body: holder })).status).toBe(200);

    const conflict = await app.req('LOCK', path, { token: user.token, body: { ...holder, ID: 'intruder' } });
    expect(conflict.status).toBe(423);
    expect(conflict.body).toEqual(holder);

    const body = JSON.stringify({ version: 4, serial: 1, lineage: 'l-1', outputs: {}, resources: [] });
    const headers = { 'content-type': 'application/json' };
    const noId = await app.req('POST', path, { token: user.token, rawBody: body, headers });
    expect(noId.status).toBe(423);
    expect(noId.body).toEqual(holder);
    const wrongId = await app.req('POST', `${path}?ID=intruder`, { token: user.token, rawBody: body, headers });
    expect(wrongId.status).toBe(423);
    expect((await app.req('POST', `${path}?ID=holder-1`, { token: user.token, rawBody: body, headers })).status).toBe(200);

    const wrongUnlock = await app.req('UNLOCK', path, { token: user.token, body: { ID: 'intruder' } });
    expect(wrongUnlock.status).toBe(409);
    expect(wrongUnlock.body).toEqual(holder);
    expect((await state(name)).is_locked).toBe(true);
    expect((await app.req('UNLOCK', path, { token: user.token, body: holder })).status).toBe(200);
    expect((await state(name)).is_locked).toBe(false);
    // Unlocking a free lock is not an error.
    expect((await app.req('UNLOCK', path, { token: user.token, body: holder })).status).toBe(200);
  });

  it('refuses a lock from a viewer and a malformed lock body', async () => {
    const viewer = await app.factories.user({ role: 'viewer' });
    const member = await app.factories.user({ role: 'member' });
    const path = `/api/v1/tfstate/${uniqueName('perm')}/default`;
    expect((await app.req('LOCK', path, { token: viewer.token, body: { ID: 'x' } })).status).toBe(403);
    const bad = await app.req('LOCK', path, { token: member.token, rawBody: 'not json' });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/lock body is not valid JSON/);
    expect((await app.req('LOCK', path, { token: member.token, body: { Who: 'me' } })).body.detail).toMatch(/has no "ID"/);
  });
});
