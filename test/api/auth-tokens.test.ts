import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/** API token scopes (read, write, admin) and the server's maximum token lifetime. */
describe('API token scopes', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app?.close());

  const createToken = (token: string, body: Record<string, unknown>) => app.req('POST', '/api/v1/users/tokens', { token, body: { name: 'scoped', ...body } });

  it('defaults to the user\'s role and refuses a scope above it', async () => {
    const member = await app.factories.user({ role: 'member' });
    const plain = await createToken(member.token, {});
    expect(plain.status).toBe(201);
    expect(plain.body.scopes).toEqual(['write']);
    const admin = await createToken(member.token, { scopes: ['read', 'admin'] });
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ code: 'token_scope_exceeds_role', detail: expect.stringContaining('scope admin needs a higher role than member') });
    const bad = await createToken(member.token, { scopes: ['root'] });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('must be one of read, write, admin');
    // a read-scoped token cannot mint a write-scoped one
    const read = await createToken(member.token, { scopes: ['read'] });
    expect((await createToken(read.body.raw_token, { scopes: ['write'] })).status).toBe(403);
  });

  it('a read token reads and cannot write, even for an admin', async () => {
    const read = await createToken(app.admin.token, { scopes: ['read'] });
    expect(read.body.scopes).toEqual(['read']);
    const raw = read.body.raw_token;
    expect((await app.req('GET', '/api/v1/projects', { token: raw })).status).toBe(200);
    const write = await app.req('POST', '/api/v1/projects', { token: raw, body: { name: 'from-read-token' } });
    expect(write.status).toBe(403);
    expect((await app.req('GET', '/api/v1/audit', { token: raw })).status).toBe(403);
    // the admin's full token does both
    expect((await app.req('POST', '/api/v1/projects', { token: app.admin.token, body: { name: 'from-admin' } })).status).toBe(201);
  });

  it('caps a token at its user\'s role at each use: a demoted admin\'s admin token acts as a viewer', async () => {
    const user = await app.factories.user({ role: 'admin' });
    const adminToken = (await createToken(user.token, { scopes: ['admin'] })).body.raw_token;
    expect((await app.req('GET', '/api/v1/audit', { token: adminToken })).status).toBe(200);
    expect((await app.req('PATCH', `/api/v1/users/${user.id}/role`, { token: app.admin.token, body: { role: 'viewer' } })).status).toBe(200);
    expect((await app.req('GET', '/api/v1/audit', { token: adminToken })).status).toBe(403);
    expect((await app.req('POST', '/api/v1/projects', { token: adminToken, body: { name: 'demoted' } })).status).toBe(403);
    expect((await app.req('GET', '/api/v1/projects', { token: adminToken })).status).toBe(200);
  });
});

describe('ATLANTAS_TOKEN_MAX_TTL', () => {
  it('refuses a longer lifetime and gives a token asked without one the maximum', async () => {
    const app = await startTestApp({ env: { ATLANTAS_TOKEN_MAX_TTL: '30d' } });
    onTestFinished(() => app.close());
    const long = await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'long', expires_in_days: 90 } });
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'token_ttl_too_long', detail: expect.stringContaining('at most 30 days') });
    const within = await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'ok', expires_in_days: 7 } });
    expect(within.status).toBe(201);
    const forever = await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'no-expiry' } });
    expect(forever.status).toBe(201);
    const expiresIn = new Date(forever.body.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(29.9 * 86_400_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 86_400_000);
  });

  it('leaves a token without expiry unlimited when no maximum is set', async () => {
    const app = await startTestApp();
    onTestFinished(() => app.close());
    const forever = await app.req('POST', '/api/v1/users/tokens', { token: app.admin.token, body: { name: 'no-expiry' } });
    expect(forever.body.expires_at).toBeNull();
  });
});
