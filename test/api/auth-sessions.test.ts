import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** Login sessions are rows: logout ends one, a password or role change ends all of a user's. */
describe('sessions', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const PASSWORD = 'a-long-test-password';
  const session = async (email: string, password = PASSWORD) => {
    const res = await app.req('POST', '/api/v1/auth/login', { body: { email, password } });
    expect(res.status, res.text).toBe(200);
    return res.body.access_token as string;
  };
  const me = (token: string) => app.req('GET', '/api/v1/auth/me', { token });

  it('logout ends the current session only, before the JWT expires', async () => {
    const user = await app.factories.user();
    const [laptop, phone] = [await session(user.email), await session(user.email)];
    expect((await app.req('POST', '/api/v1/auth/logout', { token: laptop })).status).toBe(204);
    const after = await me(laptop);
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 'session_revoked', detail: expect.stringContaining('log in again') });
    expect((await me(phone)).status).toBe(200);
    // an API token is not a session: the answer says how to revoke one instead
    const withToken = await app.req('POST', '/api/v1/auth/logout', { token: user.token });
    expect(withToken.status).toBe(400);
    expect(withToken.body.detail).toContain('DELETE /api/v1/users/tokens/{id}');
    const audit = await app.req('GET', '/api/v1/audit?action=session.logout', { token: app.admin.token });
    expect(audit.body[0]).toMatchObject({ action: 'session.logout', actor: { kind: 'user', name: user.email } });
  });

  it('changing the password needs the current one and ends every session of the user', async () => {
    const user = await app.factories.user();
    const [a, b] = [await session(user.email), await session(user.email)];
    const wrong = await app.req('POST', '/api/v1/auth/password', { token: a, body: { current_password: 'not-my-password', new_password: 'a-brand-new-password' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('the current password is wrong');
    const weak = await app.req('POST', '/api/v1/auth/password', { token: a, body: { current_password: PASSWORD, new_password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body.detail).toContain('new_password: must be at least 12 characters');
    expect((await me(a)).status).toBe(200);

    const changed = await app.req('POST', '/api/v1/auth/password', { token: a, body: { current_password: PASSWORD, new_password: 'a-brand-new-password' } });
    expect(changed.status, changed.text).toBe(204);
    for (const token of [a, b]) expect((await me(token)).body.code).toBe('session_revoked');
    expect((await app.req('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })).status).toBe(401);
    expect((await me(await session(user.email, 'a-brand-new-password'))).status).toBe(200);
  });

  it('changing a user\'s role ends their sessions; their tokens keep working within the new role', async () => {
    const user = await app.factories.user({ role: 'member' });
    const before = await session(user.email);
    const res = await app.req('PATCH', `/api/v1/users/${user.id}/role`, { token: app.admin.token, body: { role: 'viewer' } });
    expect(res.status, res.text).toBe(200);
    expect((await me(before)).body.code).toBe('session_revoked');
    const fresh = await session(user.email);
    expect((await me(fresh)).body.role).toBe('viewer');
    expect((await me(user.token)).status).toBe(200);
  });

  it('refuses a well-signed JWT that names no session', async () => {
    const user = await app.factories.user();
    const secret = app.internals.encryptor.derive('jwt');
    const forged = jwt.sign({ sub: user.id, tid: user.tenantId }, secret, { algorithm: 'HS256', expiresIn: 600 });
    const res = await me(forged);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('invalid_token');
  });
});
