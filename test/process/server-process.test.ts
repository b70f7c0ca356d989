import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from '../harness/http.js';
import { cleanEnv, spawnAtlantas } from '../harness/spawn-server.js';
import { createTestSchema, testDatabaseUrl, withClient } from '../harness/test-db.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atlantas-proc-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the server as a process', () => {
  it('starts with no configuration on the embedded database, prints a generated admin password once, and keeps data across a restart', async () => {
    const cwd = await tempDir();
    const env = cleanEnv({ ATLANTAS_PORT: '0' }); // port 0 only so parallel test files never collide
    const first = await spawnAtlantas(['server'], { env, cwd });
    expect((await request(first.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const password = /password: (\S+)/.exec(first.stderr())?.[1];
    expect(password).toBeTruthy();
    expect(first.stdout()).not.toContain(password!); // printed to the terminal once, never into the log stream
    const login = await request(first.url, 'POST', '/api/v1/auth/login', { body: { email: 'admin@atlantas.local', password } });
    expect(login.status).toBe(200);
    await request(first.url, 'POST', '/api/v1/projects', { token: login.body.access_token, body: { name: 'survivor' } });
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await spawnAtlantas(['server'], { env, cwd });
    expect(second.stderr()).not.toMatch(/password:/);
    const again = await request(second.url, 'POST', '/api/v1/auth/login', { body: { email: 'admin@atlantas.local', password } });
    expect(again.status).toBe(200);
    const projects = await request(second.url, 'GET', '/api/v1/projects', { token: again.body.access_token });
    expect(projects.body.map((p: any) => p.name)).toEqual(['survivor']);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('on SIGTERM stops accepting, finishes the request in flight, and exits 0', async () => {
    const cwd = await tempDir();
    const server = await spawnAtlantas(['server'], { env: cleanEnv({ ATLANTAS_PORT: '0', ATLANTAS_ADMIN_EMAIL: 'a@b.co', ATLANTAS_ADMIN_PASSWORD: 'a-long-admin-pass' }), cwd });
    const { port } = new URL(server.url);
    // Send half a login request, signal, then finish it: the server must still answer it.
    const body = JSON.stringify({ email: 'a@b.co', password: 'a-long-admin-pass' });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.proc.kill('SIGTERM');
        // wait until the server logged that it is shutting down, then finish the body
        const poll = setInterval(() => {
          if (server.stdout().includes('shutting down')) {
            clearInterval(poll);
            req.end(body.slice(10));
          }
        }, 20);
      }, 100);
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).access_token).toBeTruthy();
    expect(await server.exited).toBe(0);
    expect(server.stdout()).toContain('shutdown complete');
    await expect(request(server.url, 'GET', '/healthz')).rejects.toThrow(); // no longer accepting
  });

  it('two servers migrating the same empty database at once both come up, and migrations run once', async () => {
    const { schema, drop } = await createTestSchema('mig');
    cleanups.push(drop);
    const env = cleanEnv({
      ATLANTAS_PORT: '0', DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema,
      ATLANTAS_ENCRYPTION_KEY: randomBytes(32).toString('base64'), ATLANTAS_ADMIN_EMAIL: 'a@b.co', ATLANTAS_ADMIN_PASSWORD: 'a-long-admin-pass',
    });
    const [a, b] = await Promise.all([spawnAtlantas(['server'], { env }), spawnAtlantas(['server'], { env })]);
    for (const s of [a, b]) expect((await request(s.url, 'GET', '/ready')).status).toBe(200);
    const counts = await withClient(async (c) => ({
      migrations: (await c.query('SELECT name, count(*)::int AS n FROM schema_migrations GROUP BY name')).rows,
      tenants: (await c.query('SELECT count(*)::int AS n FROM tenants')).rows[0].n,
      users: (await c.query('SELECT count(*)::int AS n FROM users')).rows[0].n,
    }), { schema });
    expect(counts.migrations.length).toBeGreaterThan(3);
    expect(counts.migrations.every((m: { n: number }) => m.n === 1)).toBe(true);
    expect(counts.tenants).toBe(1);
    expect(counts.users).toBe(1);
    // both serve the same data
    const login = await request(a.url, 'POST', '/api/v1/auth/login', { body: { email: 'a@b.co', password: 'a-long-admin-pass' } });
    expect((await request(b.url, 'GET', '/api/v1/auth/me', { token: login.body.access_token })).status).toBe(200);
    expect(await Promise.all([a.stop(), b.stop()])).toEqual([0, 0]);
  });

  it('refuses to start on a bad setting, naming the variable and what it expects', async () => {
    const bad = await spawnAtlantas(['server'], { env: cleanEnv({ ATLANTAS_PORT: 'http', ATLANTAS_PARALLELISM: '0' }), waitForListen: false });
    expect(await bad.exited).toBe(78);
    expect(bad.stderr()).toMatch(/ATLANTAS_PORT: .*expected number/i);
    expect(bad.stderr()).toMatch(/ATLANTAS_PARALLELISM: /);
    expect(bad.stderr()).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it('migrates with `atlantas migrate` and creates a tenant with `atlantas tenant create`', async () => {
    const { schema, drop } = await createTestSchema('cli');
    cleanups.push(drop);
    const env = cleanEnv({ DATABASE_URL: testDatabaseUrl(), ATLANTAS_DB_SCHEMA: schema, ATLANTAS_ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'warn' });
    const migrate = await spawnAtlantas(['migrate'], { env, waitForListen: false });
    expect(await migrate.exited).toBe(0);
    expect(migrate.stdout()).toContain('migrations are up to date');

    const create = await spawnAtlantas(['tenant', 'create', 'acme', '--admin-email', 'root@acme.io'], { env, waitForListen: false, stdin: 'a-long-admin-pass\n' });
    expect(await create.exited).toBe(0);
    expect(create.stdout()).toMatch(/created tenant acme .* with admin root@acme.io/);
    const dup = await spawnAtlantas(['tenant', 'create', 'acme', '--admin-email', 'other@acme.io'], { env, waitForListen: false, stdin: 'a-long-admin-pass\n' });
    expect(await dup.exited).toBe(1);
    expect(dup.stderr()).toContain('a tenant with slug "acme" already exists');
    const badPw = await spawnAtlantas(['tenant', 'create', 'x', '--admin-email', 'x@x.io'], { env, waitForListen: false, stdin: 'short\n' });
    expect(await badPw.exited).toBe(2);
    expect(badPw.stderr()).toContain('admin_password: must be at least 12 characters');

    const help = await spawnAtlantas(['--help'], { env, waitForListen: false });
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toContain('atlantas server');
  });
});
