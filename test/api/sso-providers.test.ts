import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { keyIdOf } from '../../src/core/secrets/encryption.js';
import { startFakeGithubOAuth } from '../harness/fake-github-oauth.js';
import { rotateKeyCli } from '../harness/spawn-server.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';
import { withClient } from '../harness/test-db.js';

/** Managing a tenant's SSO providers: admins only, per tenant, validated, secrets sealed, URLs guarded. */
describe('/api/v1/sso-providers', () => {
  const oidc = (over: Record<string, unknown> = {}) => ({
    name: `IdP ${randomBytes(3).toString('hex')}`, provider_type: 'oidc', issuer_url: 'https://idp.example.com', client_id: 'atlantas', client_secret: 'shh', ...over,
  });
  const start = async (app: TestApp) => {
    onTestFinished(() => app.close());
    return app;
  };

  it('is for tenant admins; another tenant\'s provider is not found; a disabled or deleted provider signs nobody in', async () => {
    const app = await start(await startTestApp());
    const member = await app.factories.user({ role: 'member' });
    expect((await app.req('GET', '/api/v1/sso-providers', { token: member.token })).status).toBe(403);
    expect((await app.req('POST', '/api/v1/sso-providers', { token: member.token, body: oidc() })).status).toBe(403);

    const created = await app.req('POST', '/api/v1/sso-providers', { token: app.admin.token, body: oidc({ name: 'Okta' }) });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Okta', provider_type: 'oidc', enabled: true, default_role: 'viewer', group_role_mapping: {}, allowed_domains: [], groups_claim: 'groups',
      has_client_secret: true, login_url: `${app.url}/api/v1/auth/sso/${created.body.id}/start`, redirect_uri: `${app.url}/api/v1/auth/sso/${created.body.id}/callback`,
    });
    const id = created.body.id;
    expect((await app.req('POST', '/api/v1/sso-providers', { token: app.admin.token, body: oidc({ name: 'Okta' }) })).status).toBe(409);

    const other = await app.factories.tenant();
    expect((await app.req('GET', '/api/v1/sso-providers', { token: other.adminToken })).body).toEqual([]);
    for (const [method, path] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/test']] as const) {
      const res = await app.req(method, `/api/v1/sso-providers/${id}${path}`, { token: other.adminToken, ...(method === 'PATCH' ? { body: { name: 'mine' } } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }

    const off = await app.req('PATCH', `/api/v1/sso-providers/${id}`, { token: app.admin.token, body: { enabled: false } });
    expect(off.body.enabled).toBe(false);
    const refused = await app.req('GET', `/api/v1/auth/sso/${id}/start`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('sso.disabled');
    expect((await app.req('DELETE', `/api/v1/sso-providers/${id}`, { token: app.admin.token })).status).toBe(204);
    expect((await app.req('GET', `/api/v1/auth/sso/${id}/start`)).status).toBe(404);
    const audit = await app.req('GET', '/api/v1/audit?target_type=sso_provider', { token: app.admin.token });
    expect(audit.body.map((e: any) => e.action)).toEqual(['sso_provider.delete', 'sso_provider.update', 'sso_provider.create']);
  });

  it('says which field to fix, for every type', async () => {
    const app = await start(await startTestApp());
    const post = (body: unknown) => app.req('POST', '/api/v1/sso-providers', { token: app.admin.token, body });
    const noIssuer = await post({ name: 'x', provider_type: 'oidc', client_id: 'a', client_secret: 'b' });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.body.errors).toEqual([expect.objectContaining({ path: 'issuer_url' })]);
    const badType = await post({ name: 'x', provider_type: 'ldap' });
    expect(badType.body.detail).toContain('provider_type: must be one of oidc, google, github, saml');
    const badCert = await post({ name: 'x', provider_type: 'saml', entry_point: 'https://idp.example.com/sso', idp_certificate: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----' });
    expect(badCert.status).toBe(400);
    expect(badCert.body.detail).toContain('idp_certificate: not a readable X.509 certificate');
    const badRole = await post(oidc({ group_role_mapping: { ops: 'root' } }));
    expect(badRole.body.errors[0].path).toBe('group_role_mapping.ops');
    const badDomain = await post(oidc({ allowed_domains: ['not a domain'] }));
    expect(badDomain.body.errors[0].path).toBe('allowed_domains.0');

    const created = await post(oidc());
    const misfit = await app.req('PATCH', `/api/v1/sso-providers/${created.body.id}`, { token: app.admin.token, body: { entry_point: 'https://idp.example.com/sso' } });
    expect(misfit.status).toBe(400);
    expect(misfit.body.detail).toContain('this change does not fit a oidc provider');

    const google = await post({ name: 'Google', provider_type: 'google', client_id: 'g', client_secret: 's', allowed_domains: ['Acme.example'] });
    expect(google.body).toMatchObject({ issuer_url: 'https://accounts.google.com', allowed_domains: ['acme.example'] });
  });

  it('refuses loopback and private IdP URLs when ATLANTAS_ALLOW_PRIVATE_WEBHOOKS is off, and plain http issuers', async () => {
    const app = await start(await startTestApp({ env: { ATLANTAS_ALLOW_PRIVATE_WEBHOOKS: 'false' } }));
    const post = (body: unknown) => app.req('POST', '/api/v1/sso-providers', { token: app.admin.token, body });
    const loopback = await post(oidc({ issuer_url: 'http://127.0.0.1:9/' }));
    expect(loopback.status).toBe(400);
    expect(loopback.body).toMatchObject({ code: 'outbound_url_private', detail: expect.stringContaining('issuer_url: 127.0.0.1 resolves to 127.0.0.1') });
    const metadata = await post({ name: 'x', provider_type: 'github', client_id: 'a', client_secret: 'b', github_api_url: 'http://169.254.169.254/latest' });
    expect(metadata.body).toMatchObject({ code: 'outbound_url_private', detail: expect.stringContaining('github_api_url') });
    const http = await post(oidc({ issuer_url: 'http://93.184.216.34/' }));
    expect(http.status).toBe(400);
    expect(http.body.detail).toBe('issuer_url: must be an https URL (the client secret and tokens travel to it)');
    expect(await app.sql('SELECT id FROM sso_providers')).toEqual([]);
  });

  it('re-seals client secrets with atlantas rotate-key; sign-in works with only the new key', async () => {
    const github = await startFakeGithubOAuth();
    onTestFinished(() => github.close());
    const oldKey = randomBytes(32).toString('base64');
    let app = await startTestApp({ reuse: { encryptionKey: oldKey } });
    const schema = app.reuse.schema!;
    onTestFinished(async () => { await withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)); });
    const created = await app.req('POST', '/api/v1/sso-providers', {
      token: app.admin.token,
      body: { name: 'GitHub', provider_type: 'github', client_id: github.app.clientId, client_secret: github.app.clientSecret, github_url: github.url, github_api_url: github.apiUrl },
    });
    expect(created.status, created.text).toBe(201);
    await app.close({ keepData: true });

    const key = randomBytes(32).toString('base64');
    const rotated = await rotateKeyCli(schema, oldKey, key);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain('sso provider secrets: 1 re-encrypted');
    const { rows } = await withClient((c) => c.query('SELECT secret_key_id FROM sso_providers'), { schema });
    expect(rows).toEqual([{ secret_key_id: keyIdOf(Buffer.from(key, 'base64')) }]);

    app = await startTestApp({ reuse: { schema, encryptionKey: key } });
    onTestFinished(() => app.close({ keepData: true }));
    github.signInAs({ login: 'rotated', emails: [{ email: 'rotated@example.com', primary: true, verified: true }] });
    const startRes = await fetch(created.body.login_url.replace(/^http:\/\/127\.0\.0\.1:\d+/, app.url), { redirect: 'manual' });
    const back = await fetch(startRes.headers.get('location')!, { redirect: 'manual' });
    const cb = back.headers.get('location')!;
    const res = await app.req('GET', cb.slice(cb.indexOf('/api/v1/')));
    expect(res.status, res.text).toBe(200);
    expect(github.refusals).toEqual([]); // the fake saw the right client secret, opened with the new key
  });
});
