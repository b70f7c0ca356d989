import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Actor } from '../../../src/core/actor.js';
import { ConflictError, LockedError } from '../../../src/core/errors.js';
import { startTestApp, type TestApp } from '../../harness/start-app.js';

const doc = (serial: number, lineage: string, value: string) =>
  Buffer.from(JSON.stringify({ version: 4, serial, lineage, outputs: { v: { value, type: 'string' } }, resources: [] }));
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** StateService on the real PostgreSQL: concurrency, encryption binding, permissions. */
describe('StateService', () => {
  let app: TestApp;
  let member: Actor;
  beforeAll(async () => {
    app = await startTestApp();
    member = (await app.factories.user({ role: 'member' })).actor;
  });
  afterAll(() => app?.close());

  it('serialises concurrent writes of the same serial: exactly one version is written', async () => {
    const name = uniqueName('race');
    await app.core.state.push(member, name, 'default', doc(1, 'L', 'base'));
    const attempts = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => app.core.state.push(member, name, 'default', doc(2, 'L', `writer-${i}`))),
    );
    const written = attempts.filter((a) => a.status === 'fulfilled');
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(written).toHaveLength(1);
    expect(refused).toHaveLength(4);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'state_serial_conflict' });
    const current = await app.core.state.current(member, name, 'default');
    expect(current).toMatchObject({ serial: 2, lineage: 'L', isLocked: false, lock: null });
    expect(await app.sql('SELECT version FROM state_versions v JOIN states s ON s.id = v.state_id WHERE s.name = :name ORDER BY version', { name })).toEqual([
      { version: 1 }, { version: 2 },
    ]);
  });

  it('gives a brand-new state\'s lock to exactly one of many concurrent lockers', async () => {
    const name = uniqueName('new-lock');
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => app.core.state.lock(member, name, 'default', { ID: `locker-${i}`, Who: `w${i}` })),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const losers = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    for (const l of losers) expect(l.reason).toBeInstanceOf(LockedError);
    const current = await app.core.state.current(member, name, 'default');
    expect(losers[0].reason.holder).toEqual(current!.lock);
    expect(await app.sql('SELECT count(*)::int AS n FROM states WHERE name = :name', { name })).toEqual([{ n: 1 }]);
  });

  it('binds each ciphertext to its version: a blob copied onto another version does not decrypt', async () => {
    const name = uniqueName('aad');
    await app.core.state.push(member, name, 'default', doc(1, 'L', 'one'));
    await app.core.state.push(member, name, 'default', doc(2, 'L', 'two'));
    const state = (await app.core.state.current(member, name, 'default'))!;
    await app.sql(
      `UPDATE state_versions SET data = (SELECT data FROM state_versions WHERE state_id = :id AND version = 1) WHERE state_id = :id AND version = 2 RETURNING 1`,
      { id: state.id },
    );
    await expect(app.core.state.readCurrent(member, name, 'default')).rejects.toThrow(/failed authentication/);
    const [row] = await app.sql('SELECT key_id, size, md5 FROM state_versions WHERE state_id = :id AND version = 1', { id: state.id });
    expect(row).toMatchObject({ key_id: app.internals.encryptor.currentKeyId, size: doc(1, 'L', 'one').length });
  });

  it('reads back the exact bytes and the parsed document', async () => {
    const name = uniqueName('bytes');
    const body = Buffer.from(`{\n  "version": 4,\n  "serial": 3,\n  "lineage": "L",\n  "outputs": {}\n}\n`);
    expect(await app.core.state.readCurrent(member, name, 'default')).toBeNull();
    expect(await app.core.state.current(member, name, 'default')).toBeNull();
    const result = await app.core.state.push(member, name, 'default', body);
    expect(result).toMatchObject({ written: true, version: { version: 1, serial: 3, size: body.length, forced: false } });
    expect((await app.core.state.readCurrent(member, name, 'default'))!.equals(body)).toBe(true);
    expect(await app.core.state.readCurrentDocument(member, name, 'default')).toEqual(JSON.parse(body.toString()));
  });

  it('checks permissions: viewers read, members write, only admins force', async () => {
    const viewer = (await app.factories.user({ role: 'viewer' })).actor;
    const admin = (await app.factories.user({ role: 'admin' })).actor;
    const name = uniqueName('perm');
    await expect(app.core.state.push(viewer, name, 'default', doc(1, 'L', 'x'))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(app.core.state.lock(viewer, name, 'default', { ID: 'v' })).rejects.toMatchObject({ code: 'forbidden' });
    await app.core.state.push(member, name, 'default', doc(5, 'L', 'x'));
    expect(await app.core.state.readCurrentDocument(viewer, name, 'default')).toMatchObject({ serial: 5 });
    await expect(app.core.state.push(member, name, 'default', doc(1, 'L', 'y'), { force: true })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(app.core.state.push(member, name, 'default', doc(1, 'L', 'y'))).rejects.toBeInstanceOf(ConflictError);
    expect((await app.core.state.push(admin, name, 'default', doc(1, 'L', 'y'), { force: true })).version).toMatchObject({ version: 2, forced: true });
  });

  describe('the lock path of the HTTP backend', () => {
    const auditOf = (stateId: string) => app.sql('SELECT action, actor_name FROM audit_log WHERE target_id = :stateId ORDER BY created_at, action', { stateId });
    const runActor = (name: string): Actor => ({
      kind: 'system', tenantId: member.tenantId, role: 'member', name: 'run 00000000-0000-4000-8000-000000000001', via: 'tfstate', isPlatformAdmin: false, automation: true,
      scope: `state:${name}/default`, runId: '00000000-0000-4000-8000-000000000001', grants: { permissions: ['state:read', 'state:lock'], note: 'a plan' },
    });

    it('audits a person\'s lock and unlock; a run credential\'s own lock and unlock leave no audit row, and a never-written state goes with its lock', async () => {
      const name = uniqueName('audited');
      await app.core.state.push(member, name, 'default', doc(1, 'L', 'base'));
      const { id } = (await app.core.state.current(member, name, 'default'))!;
      await app.core.state.lock(member, name, 'default', { ID: 'by-hand', Who: 'me@laptop' });
      await app.core.state.unlock(member, name, 'default', 'by-hand');
      const run = runActor(name);
      await app.core.state.lock(run, name, 'default', { ID: 'by-run', Who: 'run' });
      await expect(app.core.state.lock(member, name, 'default', { ID: 'other' })).rejects.toMatchObject({ code: 'state_locked', holder: { ID: 'by-run' } });
      await app.core.state.lock(run, name, 'default', { ID: 'by-run', Who: 'run' }); // a retried LOCK is success
      await expect(app.core.state.unlock(run, name, 'default', 'wrong-id')).rejects.toMatchObject({ code: 'lock_id_mismatch' });
      await app.core.state.unlock(run, name, 'default', 'by-run');
      expect(await app.core.state.current(member, name, 'default')).toMatchObject({ serial: 1, isLocked: false, lock: null });
      expect(await auditOf(id)).toEqual([
        { action: 'state.push', actor_name: member.name }, { action: 'state.lock', actor_name: member.name }, { action: 'state.unlock', actor_name: member.name },
      ]);

      const fresh = uniqueName('speculative');
      await app.core.state.lock(runActor(fresh), fresh, 'default', { ID: 'plan' });
      expect(await app.core.state.current(member, fresh, 'default')).toMatchObject({ serial: null, isLocked: true, lock: { ID: 'plan' } });
      await app.core.state.unlock(runActor(fresh), fresh, 'default', 'plan');
      expect(await app.sql('SELECT count(*)::int AS n FROM states WHERE name = :fresh', { fresh })).toEqual([{ n: 0 }]);
    });

    it('links a state its first lock creates to the registered project of that name', async () => {
      const name = uniqueName('linked');
      const project = await app.core.projects.create(member, { name, repository_url: '', terraform_path: '.', workspace: 'default', branch: 'main', state_backend: 'platform', auto_apply: false });
      await app.core.state.lock(runActor(name), name, 'default', { ID: 'first' });
      expect(await app.sql('SELECT project_id FROM states WHERE name = :name', { name })).toEqual([{ project_id: project.id }]);
      await app.core.state.unlock(runActor(name), name, 'default', 'first');
    });
  });
});

describe('StateService on the embedded database (one connection)', () => {
  it('pushes, locks, lists and deletes without waiting on itself', async () => {
    const app = await startTestApp({ embedded: true });
    onTestFinished(() => app.close());
    const admin = (await app.factories.user({ role: 'admin' })).actor;
    await app.core.state.lock(admin, 'embedded', 'default', { ID: 'e1' });
    await app.core.state.push(admin, 'embedded', 'default', doc(1, 'L', 'x'), { lockId: 'e1' });
    await expect(app.core.state.push(admin, 'embedded', 'default', doc(2, 'L', 'x'))).rejects.toBeInstanceOf(LockedError);
    await app.core.state.unlock(admin, 'embedded', 'default', 'e1');
    const [state] = await app.core.state.list(admin);
    expect(state).toMatchObject({ name: 'embedded', serial: 1, isLocked: false, latestVersion: 1 });
    await app.core.state.delete(admin, { id: state.id });
    expect(await app.core.state.list(admin)).toEqual([]);
  });

});
