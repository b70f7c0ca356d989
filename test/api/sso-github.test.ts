import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGithubOAuth, type FakeGithubOAuth } from '../harness/fake-github-oauth.js';
import { startTestApp, type TestApp } from '../harness/start-app.js';

/**
 * "Sign in with GitHub" through GitHub's OAuth web flow (a loopback fake speaking its wire
 * format, GitHub Enterprise style bases): the primary verified address of /user/emails is the
 * identity, the user's organizations are the groups.
 */
describe('SSO with GitHub', () => {
  let app: TestApp;
  let github: FakeGithubOAuth;
  let tenant: { id: string; adminToken: string };
  let provider: any;

  beforeAll(async () => {
    app = await startTestApp();
    github = await startFakeGithubOAuth();
    tenant = await app.factories.tenant();
    const res = await app.req('POST', '/api/v1/sso-providers', {
      token: tenant.adminToken,
      body: {
        name: 'GitHub', provider_type: 'github', client_id: github.app.clientId, client_secret: github.app.clientSecret,
        github_url: github.url, github_api_url: github.apiUrl, group_role_mapping: { 'acme-infra': 'member' },
      },
    });
    expect(res.status, res.text).toBe(201);
    provider = res.body;
  });
  afterAll(async () => {
    await app?.close();
    await github?.close();
  });

  /** start → GitHub's authorize → the callback URL GitHub redirects to (returned, not visited). */
  const authorize = async () => {
    const start = await fetch(provider.login_url, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const atGithub = new URL(start.headers.get('location')!);
    expect(atGithub.origin + atGithub.pathname).toBe(`${github.url}/login/oauth/authorize`);
    expect(atGithub.searchParams.get('code_challenge_method')).toBe('S256');
    const back = await fetch(atGithub, { redirect: 'manual' });
    return back.headers.get('location')!;
  };
  const callback = (url: string) => app.req('GET', url.slice(app.url.length));

  it('signs in with the primary verified email, creating the user with the role their organization maps to', async () => {
    github.signInAs({
      login: 'octocat', name: 'The Octocat', orgs: ['acme-infra'],
      emails: [{ email: 'octo@users.noreply.example', primary: false, verified: true }, { email: 'Octocat@Acme.example', primary: true, verified: true }],
    });
    const res = await callback(await authorize());
    expect(res.status, res.text).toBe(200);
    const me = await app.req('GET', '/api/v1/auth/me', { token: res.body.access_token });
    expect(me.body).toMatchObject({ email: 'octocat@acme.example', name: 'The Octocat', role: 'member', tenant_id: tenant.id });
    expect(github.refusals).toEqual([]);
  });

  it('refuses an account without a verified address, and a callback whose state we did not issue', async () => {
    github.signInAs({ login: 'ghost', emails: [{ email: 'ghost@acme.example', primary: true, verified: false }] });
    const unverified = await callback(await authorize());
    expect(unverified.status).toBe(401);
    expect(unverified.body).toMatchObject({ code: 'sso.email_unverified', detail: 'your GitHub account has no verified email address' });

    github.signInAs({ login: 'octocat', emails: [{ email: 'octocat@acme.example', primary: true, verified: true }] });
    const forged = new URL(await authorize());
    forged.searchParams.set('state', 'guessed');
    expect((await callback(forged.href)).body.code).toBe('sso.invalid_state');
  });

  it('reports the API root from POST /{id}/test', async () => {
    const res = await app.req('POST', `/api/v1/sso-providers/${provider.id}/test`, { token: tenant.adminToken });
    expect(res.body).toMatchObject({ ok: true, provider_type: 'github', checked_url: `${github.apiUrl}/`, found: { api_status: 200, current_user_url: expect.stringContaining('/api/v3/user') } });
  });
});
