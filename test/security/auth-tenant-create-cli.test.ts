import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../harness/start-app.js';
import { cleanEnv, spawnAtlantas } from '../harness/spawn-server.js';
import { createTestSchema, testDatabaseUrl } from '../harness/test-db.js';

/** `atlantas tenant create` as an operator runs it: the password never goes through argv. */
describe('atlantas tenant create', () => {
  let schema: string;
  let drop: () => Promise<void>;
  let dir: string;
  const key = randomBytes(32).toString('base64');
  const env = () => cleanEnv({ DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_ENCRYPTION_KEY: key, LOG_LEVEL: 'warn' });
  beforeAll(async () => {
    ({ schema, drop } = await createTestSchema('cli'));
    dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-cli-'));
    // A server ran here first (migrated, first admin made), as on any real install.
    await (await startTestApp({ reuse: { schema, encryptionKey: key } })).close({ keepData: true });
  });
  afterAll(async () => {
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --admin-password, saying how to pass the password instead, and creates nothing', async () => {
    const run = await spawnAtlantas(['tenant', 'create', 'argv', '--admin-email', 'root@argv.io', '--admin-password', 'a-long-admin-pass'], { env: env(), waitForListen: false });
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--admin-password is not accepted');
    expect(run.stderr()).toContain('stdin');
    expect(run.stderr()).toContain('--admin-password-file');
    expect(run.stderr()).not.toContain('a-long-admin-pass');
    const again = await spawnAtlantas(['tenant', 'create', 'argv', '--admin-email', 'root@argv.io', '--admin-password=a-long-admin-pass'], { env: env(), waitForListen: false });
    expect(await again.exited).toBe(2);
  });

  it('reads the password from stdin, or from --admin-password-file, and the admin can log in with it', async () => {
    const piped = await spawnAtlantas(['tenant', 'create', 'piped', '--admin-email', 'root@piped.io'], { env: env(), waitForListen: false, stdin: 'piped-admin-password\n' });
    expect(await piped.exited, piped.stderr()).toBe(0);
    expect(piped.stdout()).toMatch(/created tenant piped .* with admin root@piped.io/);

    const file = path.join(dir, 'password');
    await writeFile(file, 'file-admin-password\n', { mode: 0o600 });
    const fromFile = await spawnAtlantas(['tenant', 'create', 'filed', '--admin-email', 'root@filed.io', '--admin-password-file', file], { env: env(), waitForListen: false });
    expect(await fromFile.exited, fromFile.stderr()).toBe(0);
    const missing = await spawnAtlantas(['tenant', 'create', 'nofile', '--admin-email', 'x@nofile.io', '--admin-password-file', path.join(dir, 'absent')], { env: env(), waitForListen: false });
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toContain('no such file');
    const empty = await spawnAtlantas(['tenant', 'create', 'empty', '--admin-email', 'x@empty.io'], { env: env(), waitForListen: false, stdin: '' });
    expect(await empty.exited).toBe(2);
    expect(empty.stderr()).toContain('admin_password: must be at least 12 characters');

    const app = await startTestApp({ reuse: { schema, encryptionKey: key } });
    try {
      for (const [email, password] of [['root@piped.io', 'piped-admin-password'], ['root@filed.io', 'file-admin-password']]) {
        const login = await app.req('POST', '/api/v1/auth/login', { body: { email, password } });
        expect(login.status, `${email}: ${login.text}`).toBe(200);
      }
      expect((await app.sql('SELECT slug FROM tenants ORDER BY slug')).map((t) => t.slug)).toEqual(['default', 'filed', 'piped']); // no argv, nofile or empty
    } finally {
      await app.close({ keepData: true });
    }
  });
});
