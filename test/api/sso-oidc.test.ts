import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../harness/browser.js';
import { startOidcIdp, type OidcIdp } from '../harness/oidc-idp.js';
import { dumpSchema, leakedMarkers } from '../harness/pg-dump.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * OIDC sign-in end to end against a real OpenID provider (oidc-provider) on loopback: the
 * browser goes start → IdP login and consent pages → our callback, and gets an Atlantas session
 * in the provider's tenant. openid-client checks the id_token (signature, nonce, audience) and
 * PKCE; the state is ours, kept in the database and good once.
 */
describe('SSO with OpenID Connect', () => {
  let app: TestApp;
  let idp: OidcIdp;
  let tenant: { id: string; adminToken: string };
  let provider: any;
  const clientSecret = `oidc-secret-${randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    app = await startTestApp();
    idp = await startOidcIdp({
      alice: { email: 'Alice@Corp.example', name: 'Alice' },
      bob: { email: 'bob@corp.example', groups: ['everyone', 'infra-admins'] },
      dana: { email: 'dana@corp.example', groups: ['sre'] },
      carol: { email: 'carol@elsewhere.example' },
      eve: { email: 'eve@corp.example', email_verified: false },
      admin: { email: 'admin@example.com' },
    });
    tenant = await app.factories.tenant();
    const res = await app.req('POST', '/api/v1/sso-providers', {
      token: tenant.adminToken,
      body: {
        name: 'Corporate IdP', provider_type: 'oidc', issuer_url: idp.issuer, client_id: 'atlantas', client_secret: clientSecret,
        default_role: 'viewer', group_role_mapping: { 'infra-admins': 'admin', sre: 'member' }, allowed_domains: ['corp.example'],
      },
    });
    expect(res.status, res.text).toBe(201);
    provider = res.body;
    idp.register({ clientId: 'atlantas', clientSecret, redirectUri: provider.redirect_uri });
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  /** Signs in at the IdP as `login` and returns the callback URL the IdP sent the browser to (not yet visited). */
  const signInAtIdp = (login: string, browser = new Browser()) =>
    browser.walk(provider.login_url, provider.redirect_uri, (f) => (f.prompt === 'login' ? { ...f, login, password: 'any' } : f));
  const callback = (url: string) => app.req('GET', url.slice(app.url.length));
  const me = (token: string) => app.req('GET', '/api/v1/auth/me', { token });

  it('creates the user just in time in the provider\'s tenant at the default role, and signs them in with a normal session', async () => {
    const res = await callback(await signInAtIdp('alice'));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: expect.any(Number) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const who = await me(res.body.access_token);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ email: 'alice@corp.example', name: 'Alice', role: 'viewer', tenant_id: tenant.id, is_active: true });
    // the session is a login session like any: logout ends it
    expect((await app.req('POST', '/api/v1/auth/logout', { token: res.body.access_token })).status).toBe(204);
    expect((await me(res.body.access_token)).status).toBe(401);

    // a second sign-in is the same user, not a new one
    const again = await callback(await signInAtIdp('alice'));
    expect((await me(again.body.access_token)).body.id).toBe(who.body.id);
    const users = await app.sql('SELECT email FROM users WHERE lower(email) = :e', { e: 'alice@corp.example' });
    expect(users).toHaveLength(1);
    const audit = await app.req('GET', '/api/v1/audit?action=user.sso_create', { token: tenant.adminToken });
    expect(audit.body[0]).toMatchObject({ action: 'user.sso_create', detail: expect.objectContaining({ email: 'alice@corp.example', role: 'viewer', provider: 'Corporate IdP' }) });
  });

  it('maps the IdP\'s groups claim to a role: the highest mapped role wins', async () => {
    const bob = await callback(await signInAtIdp('bob'));
    expect(bob.status, bob.text).toBe(200);
    expect((await me(bob.body.access_token)).body).toMatchObject({ email: 'bob@corp.example', role: 'admin', tenant_id: tenant.id });
    const dana = await callback(await signInAtIdp('dana'));
    expect((await me(dana.body.access_token)).body).toMatchObject({ email: 'dana@corp.example', role: 'member' });
    // an admin by group can act as one in the tenant
    expect((await app.req('GET', '/api/v1/sso-providers', { token: bob.body.access_token })).status).toBe(200);
  });

  it('refuses an address outside allowed_domains, an unverified one, and one belonging to another tenant', async () => {
    const carol = await callback(await signInAtIdp('carol'));
    expect(carol.status).toBe(403);
    expect(carol.body).toMatchObject({ code: 'sso.domain_not_allowed', detail: expect.stringContaining('corp.example') });
    const eve = await callback(await signInAtIdp('eve'));
    expect(eve.status).toBe(401);
    expect(eve.body.code).toBe('sso.email_unverified');
    expect(await app.sql('SELECT id FROM users WHERE email IN (:emails)', { emails: ['carol@elsewhere.example', 'eve@corp.example'] })).toEqual([]);

    // admin@example.com is the default tenant's admin: this tenant's IdP cannot sign in as them
    await app.req('PATCH', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken, body: { allowed_domains: [] } });
    const intruder = await callback(await signInAtIdp('admin'));
    expect(intruder.status).toBe(403);
    expect(intruder.body.code).toBe('sso.user_conflict');
    await app.req('PATCH', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken, body: { allowed_domains: ['corp.example'] } });
  });

  it('refuses a callback with a wrong state, and a replayed callback or code', async () => {
    const url = new URL(await signInAtIdp('alice'));
    const forged = new URL(url);
    forged.searchParams.set('state', 'not-the-state-we-issued');
    const wrong = await callback(forged.href);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'sso.invalid_state', detail: expect.stringContaining('start the login again') });
    const noState = new URL(url);
    noState.searchParams.delete('state');
    expect((await callback(noState.href)).body.code).toBe('sso.invalid_state');

    const first = await callback(url.href);
    expect(first.status, first.text).toBe(200);
    const replay = await callback(url.href);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('sso.invalid_state');

    // the used code under the state of a fresh login: the IdP refuses it, and so do we
    const fresh = new URL(await signInAtIdp('alice'));
    fresh.searchParams.set('code', url.searchParams.get('code')!);
    const swapped = await callback(fresh.href);
    expect(swapped.status).toBe(401);
    expect(swapped.body.code).toBe('sso.invalid_response');
    expect(idp.grantErrors.length).toBeGreaterThan(0);
  });

  it('reports the discovery document from POST /{id}/test', async () => {
    const res = await app.req('POST', `/api/v1/sso-providers/${provider.id}/test`, { token: tenant.adminToken });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      ok: true, provider_type: 'oidc', checked_url: `${idp.issuer}/.well-known/openid-configuration`, problems: [],
      found: expect.objectContaining({ issuer: idp.issuer, authorization_endpoint: expect.stringContaining(idp.issuer), code_challenge_methods_supported: ['S256'] }),
    });
  });

  it('never returns the client secret, and stores it only encrypted', async () => {
    const bodies = [
      provider,
      (await app.req('GET', '/api/v1/sso-providers', { token: tenant.adminToken })).body,
      (await app.req('GET', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken })).body,
      (await app.req('PATCH', `/api/v1/sso-providers/${provider.id}`, { token: tenant.adminToken, body: { name: 'Corporate IdP' } })).body,
      (await app.req('GET', '/api/v1/audit', { token: tenant.adminToken })).body,
    ];
    for (const body of bodies) expect(JSON.stringify(body)).not.toContain(clientSecret);
    expect(provider).toMatchObject({ has_client_secret: true, client_id: 'atlantas' });
    expect(provider).not.toHaveProperty('client_secret');
    expect(leakedMarkers(await dumpSchema(app.reuse.schema!), [clientSecret])).toEqual([]);
    expect(app.logs.text()).not.toContain(clientSecret);
  });
});
