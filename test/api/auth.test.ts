import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

describe('auth over HTTP', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  it('logs in with email and password and returns the profile at /auth/me', async () => {
    const login = await app.req('POST', '/api/v1/auth/login', { body: { email: 'ADMIN@example.com', password: app.admin.password } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) });
    const me = await app.req('GET', '/api/v1/auth/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'admin@example.com', role: 'admin', is_active: true, tenant_id: expect.any(String) });
    expect(me.body).not.toHaveProperty('password_hash');
  });

  it('refuses a wrong password and an unknown email with the same 401', async () => {
    const wrong = await app.req('POST', '/api/v1/auth/login', { body: { email: app.admin.email, password: 'nope-nope-nope' } });
    const unknown = await app.req('POST', '/api/v1/auth/login', { body: { email: 'ghost@example.com', password: 'nope-nope-nope' } });
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ detail: 'invalid email or password', code: 'invalid_credentials', request_id: expect.any(String) });
    }
  });

  it('creates an API token shown once, uses it, lists it without the secret, and revocation is immediate', async () => {
    const created = await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'CI/CD Token', expires_in_days: 90 } });
    expect(created.status).toBe(201);
    expect(created.body.raw_token).toMatch(/^atl_/);
    expect(new Date(created.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    const raw = created.body.raw_token as string;

    expect((await app.req('GET', '/api/v1/auth/me', { token: raw })).status).toBe(200);
    const list = await app.req('GET', '/api/v1/users/tokens', { token: raw });
    expect(list.body.map((t: any) => t.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain(raw);

    // Only the SHA-256 is stored.
    const [row] = await app.sql('SELECT token_hash FROM api_tokens WHERE id = :id', { id: created.body.id });
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(raw.slice(4));

    expect((await app.req('DELETE', `/api/v1/users/tokens/${created.body.id}`, { token: app.admin.token })).status).toBe(204);
    const after = await app.req('GET', '/api/v1/auth/me', { token: raw });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/revoked/);
  });

  it('does not let one user revoke another user\'s token', async () => {
    const a = await app.factories.user({ role: 'member' });
    const b = await app.factories.user({ role: 'member' });
    const tokens = await app.req('GET', '/api/v1/users/tokens', { token: a.token });
    const res = await app.req('DELETE', `/api/v1/users/tokens/${tokens.body[0].id}`, { token: b.token });
    expect(res.status).toBe(404);
    expect((await app.req('GET', '/api/v1/auth/me', { token: a.token })).status).toBe(200);
  });

  it('deactivating a user stops their sessions and tokens at once', async () => {
    const user = await app.factories.user({ role: 'member' });
    expect((await app.req('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(200);
    const res = await app.req('DELETE', `/api/v1/users/${user.id}`, { token: app.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.is_active).toBe(false);
    expect((await app.req('GET', '/api/v1/auth/me', { token: user.token })).status).toBe(401);
    const audit = await app.req('GET', '/api/v1/audit?action=user.deactivate', { token: app.admin.token });
    expect(audit.body[0]).toMatchObject({ action: 'user.deactivate', via: 'api', target: { type: 'user', id: user.id } });
  });

  it('answers 401 with a clear body for missing, malformed and forged credentials', async () => {
    const missing = await app.req('GET', '/api/v1/projects');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(missing.body).toMatchObject({ code: 'unauthenticated', detail: expect.stringMatching(/Authorization: Bearer/) });
    const forged = await app.req('GET', '/api/v1/projects', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abc' });
    expect(forged.status).toBe(401);
    const fakeToken = await app.req('GET', '/api/v1/projects', { token: 'atl_' + 'x'.repeat(43) });
    expect(fakeToken.status).toBe(401);
    expect(fakeToken.body.code).toBe('invalid_token');
  });

  it('rejects an expired API token', async () => {
    const user = await app.factories.user();
    const created = await app.req('POST', '/api/v1/users/tokens', { token: user.token, body: { name: 'short', expires_in_days: 1 } });
    await app.sql("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = :id", { id: created.body.id });
    const res = await app.req('GET', '/api/v1/auth/me', { token: created.body.raw_token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'token_expired' });
  });
});

describe('rate limits', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { ATLANTAS_RATE_LIMIT: '5', ATLANTAS_LOGIN_RATE_LIMIT: '3' } });
  });
  afterAll(() => app?.close());

  it('answers 429 with Retry-After once a token spends its budget, without touching other tokens', async () => {
    const a = await app.factories.user();
    const b = await app.factories.user();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await app.req('GET', '/api/v1/auth/me', { token: a.token })).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await app.req('GET', '/api/v1/auth/me', { token: a.token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ code: 'rate_limited', detail: expect.stringMatching(/5 per minute/) });
    expect((await app.req('GET', '/api/v1/auth/me', { token: b.token })).status).toBe(200);
  });

  it('limits login attempts per client address, whatever the email', async () => {
    // The harness's own admin login at start spent one of this address's 3 attempts.
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push((await app.req('POST', '/api/v1/auth/login', { body: { email: `victim-${i}@example.com`, password: 'guess-guess-' + i } })).status);
    expect(tries).toEqual([401, 401, 429]);
  });
});
