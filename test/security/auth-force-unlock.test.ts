import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActors } from '../../src/core/auth/system-actors.js';
import { NotAllowedError } from '../../src/core/errors.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** Force-unlock: an admin and a person, through the state backend and the management API alike. */
describe('force-unlock', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const doc = (serial: number) => JSON.stringify({ version: 4, terraform_version: '1.11.4', serial, lineage: 'lin', outputs: {}, resources: [] });

  /** A written state of a member, locked by that member as a crashed laptop would leave it. */
  async function stuckState() {
    const member = await app.factories.user({ role: 'member' });
    const name = `stuck-${randomBytes(4).toString('hex')}`;
    expect((await app.req('POST', `/api/v1/tfstate/${name}/default`, { token: member.token, rawBody: doc(1) })).status).toBe(200);
    const holder = { ID: `lock-${name}`, Who: 'dave@crashed-laptop', Operation: 'OperationTypeApply' };
    expect((await app.req('LOCK', `/api/v1/tfstate/${name}/default`, { token: member.token, body: holder })).status).toBe(200);
    const id = (await app.sql<{ id: string }>('SELECT id FROM states WHERE name = :name', { name }))[0].id;
    return { member, name, id };
  }
  const isLocked = async (id: string) => (await app.sql<{ lock_id: string | null }>('SELECT lock_id FROM states WHERE id = :id', { id }))[0].lock_id !== null;
  /** terraform force-unlock: UNLOCK with an empty body */
  const backendForce = (name: string, token: string) => app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token });
  const apiForce = (id: string, token: string) => app.req('POST', `/api/v1/states/${id}/unlock`, { token });

  it('refuses a member on both surfaces with the same reason', async () => {
    const { member, name, id } = await stuckState();
    const viaBackend = await backendForce(name, member.token);
    const viaApi = await apiForce(id, member.token);
    for (const res of [viaBackend, viaApi]) {
      expect(res.status).toBe(403);
      expect(res.body.detail).toContain('force-unlock needs the admin role');
    }
    expect(await isLocked(id)).toBe(true);
    // the holder itself still unlocks with its lock ID
    expect((await app.req('UNLOCK', `/api/v1/tfstate/${name}/default`, { token: member.token, body: { ID: `lock-${name}` } })).status).toBe(200);
    expect(await isLocked(id)).toBe(false);
  });

  it('refuses an admin\'s token that is not admin-scoped, on both surfaces', async () => {
    const { name, id } = await stuckState();
    const write = (await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'ci', scopes: ['write'] } })).body.raw_token;
    expect((await backendForce(name, write)).status).toBe(403);
    expect((await apiForce(id, write)).status).toBe(403);
    expect(await isLocked(id)).toBe(true);
  });

  it('refuses automation even with the admin role', async () => {
    const { id } = await stuckState();
    const tenantId = await app.factories.defaultTenantId();
    const err = await app.core.state.forceUnlock(systemActors.bootstrap(tenantId), id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAllowedError);
    expect((err as Error).message).toContain('not for automation or a run credential');
    expect(await isLocked(id)).toBe(true);
  });

  it('lets an admin force-unlock through either surface, audited', async () => {
    const first = await stuckState();
    expect((await backendForce(first.name, app.admin.token)).status).toBe(200);
    expect(await isLocked(first.id)).toBe(false);
    const second = await stuckState();
    const res = await apiForce(second.id, app.admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ is_locked: false });
    const audit = await app.req('GET', '/api/v1/audit?action=state.force_unlock', { token: app.admin.token });
    const targets = audit.body.map((e: any) => [e.target.id, e.via]);
    expect(targets).toEqual(expect.arrayContaining([[first.id, 'tfstate'], [second.id, 'api']]));
  });
});
