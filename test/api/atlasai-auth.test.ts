import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** AtlasAI's auth (atlasai-api.txt "Authentication") and its error envelope. */
describe('AtlasAI auth and envelope', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const login = () => app.req('POST', '/api/auth/token', { body: { email: app.admin.email, password: app.admin.password } });

  it('gives { token, refresh_token, user } for a password, and the token works as a Bearer JWT', async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ token: expect.any(String), refresh_token: expect.any(String), user: { email: app.admin.email, role: 'admin' } });
    const me = await app.req('GET', '/api/auth/me', { token: res.body.data.token });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ data: expect.objectContaining({ email: app.admin.email, role: 'admin' }) });
  });

  it('swaps a refresh token for a new pair once; the old pair then stops working', async () => {
    const first = (await login()).body.data;
    expect((await app.req('GET', '/api/auth/me', { token: first.refresh_token })).status).toBe(401);
    const second = await app.req('POST', '/api/auth/token', { body: { refresh_token: first.refresh_token } });
    expect(second.status).toBe(200);
    expect((await app.req('GET', '/api/auth/me', { token: second.body.data.token })).status).toBe(200);
    expect((await app.req('GET', '/api/auth/me', { token: first.token })).status).toBe(401);
    const again = await app.req('POST', '/api/auth/token', { body: { refresh_token: first.refresh_token } });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ error: expect.stringMatching(/already used|ended/), code: 'UNAUTHORIZED', trace_id: expect.any(String) });
    // An access token is not a refresh token.
    expect((await app.req('POST', '/api/auth/token', { body: { refresh_token: second.body.data.token } })).status).toBe(401);
  });

  it('answers a wrong password, a missing token and a malformed body in the AtlasAI envelope', async () => {
    const wrong = await app.req('POST', '/api/auth/token', { body: { email: app.admin.email, password: 'not-the-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid email or password', code: 'UNAUTHORIZED', trace_id: expect.any(String) });
    expect(wrong.headers.get('x-request-id')).toBe(wrong.body.trace_id);

    const anonymous = await app.req('GET', '/api/auth/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');

    const malformed = await app.req('POST', '/api/auth/token', { body: { email: app.admin.email } });
    expect(malformed.status).toBe(422);
    expect(malformed.body).toMatchObject({ code: 'VALIDATION_ERROR', error: expect.stringMatching(/password|refresh_token/) });

    const notJson = await app.req('POST', '/api/auth/token', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(422);
    expect(notJson.body.code).toBe('VALIDATION_ERROR');
    expect(notJson.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('accepts x-tenant-id naming the token\'s own tenant by id or slug, and refuses another tenant\'s', async () => {
    const other = await app.factories.tenant();
    const user = await app.factories.user({ role: 'viewer' });
    const own = await app.req('GET', '/api/auth/me', { token: user.token, headers: { 'x-tenant-id': user.tenantId } });
    expect(own.status).toBe(200);
    expect((await app.req('GET', '/api/auth/me', { token: user.token, headers: { 'x-tenant-id': 'default' } })).status).toBe(200);
    for (const named of [other.id, other.slug]) {
      const res = await app.req('GET', '/api/auth/me', { token: user.token, headers: { 'x-tenant-id': named } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: expect.stringContaining('is not the tenant of this credential'), code: 'FORBIDDEN', trace_id: expect.any(String) });
    }
    // The other tenant's own admin is fine with its own id.
    expect((await app.req('GET', '/api/auth/me', { token: other.adminToken, headers: { 'x-tenant-id': other.id } })).status).toBe(200);
  });
});
