/**
 * "Sign in with GitHub": GitHub's OAuth web flow (state + PKCE), then the user's primary verified
 * address from /user/emails and their organizations (/user/orgs) as groups. GitHub is not an
 * OpenID provider, so this is the plain OAuth exchange. Both bases are overridable for GitHub
 * Enterprise (and tests) and, being the tenant's choice, go through the outbound guard.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AuthenticationError, DomainError, UnavailableError } from '../errors.js';
import { assertOutboundUrl, outboundFetch, type OutboundPolicy } from '../outbound/outbound-guard.js';
import type { SsoIdentity } from './sso-identity.js';

export const GITHUB_URL = 'https://github.com';
export const GITHUB_API_URL = 'https://api.github.com';

export interface GithubSettings {
  clientId: string;
  clientSecret: string;
  githubUrl: string;
  apiUrl: string;
}

const b64url = (b: Buffer) => b.toString('base64url');
const trim = (u: string) => u.replace(/\/+$/, '');

export class GithubLogin {
  constructor(private readonly deps: { policy: OutboundPolicy }) {}

  async start(s: GithubSettings, redirectUri: string): Promise<{ url: string; state: string; codeVerifier: string }> {
    const base = await assertOutboundUrl(s.githubUrl, this.deps.policy, 'github_url');
    const state = b64url(randomBytes(32));
    const codeVerifier = b64url(randomBytes(32));
    const url = new URL(`${trim(base.href)}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: s.clientId, redirect_uri: redirectUri, scope: 'read:user user:email read:org', state, allow_signup: 'false',
      code_challenge: b64url(createHash('sha256').update(codeVerifier).digest()), code_challenge_method: 'S256',
    }).toString();
    return { url: url.href, state, codeVerifier };
  }

  async finish(s: GithubSettings, code: string, saved: { codeVerifier: string; redirectUri: string }): Promise<SsoIdentity> {
    const res = await this.call(`${trim(s.githubUrl)}/login/oauth/access_token`, 'github_url', {
      method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: s.clientId, client_secret: s.clientSecret, code, redirect_uri: saved.redirectUri, code_verifier: saved.codeVerifier }).toString(),
    });
    const token = (await res.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
    if (!token.access_token) {
      throw new AuthenticationError(`GitHub refused the code: ${token.error ?? `HTTP ${res.status}`}${token.error_description ? ` (${token.error_description})` : ''}`, { code: 'sso.invalid_response' });
    }
    const get = async <T>(path: string): Promise<T> => {
      const r = await this.call(`${trim(s.apiUrl)}${path}`, 'github_api_url', {
        headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${token.access_token}`, 'x-github-api-version': '2022-11-28' },
      });
      if (!r.ok) throw new AuthenticationError(`GitHub answered ${r.status} to GET ${path}`, { code: 'sso.invalid_response' });
      return (await r.json()) as T;
    };
    const user = await get<{ login: string; name?: string | null }>('/user');
    const emails = await get<{ email: string; primary: boolean; verified: boolean }[]>('/user/emails');
    const orgs = await get<{ login: string }[]>('/user/orgs').catch(() => []);
    const primary = emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.verified);
    if (!primary) throw new AuthenticationError('your GitHub account has no verified email address', { code: 'sso.email_unverified' });
    return { email: primary.email.toLowerCase(), emailVerified: true, name: user.name ?? user.login, groups: orgs.map((o) => o.login) };
  }

  /** POST /{id}/test: the API root answers. */
  async probe(s: GithubSettings): Promise<{ status: number; found: Record<string, unknown> }> {
    await assertOutboundUrl(s.githubUrl, this.deps.policy, 'github_url');
    const res = await this.call(`${trim(s.apiUrl)}/`, 'github_api_url', { headers: { accept: 'application/vnd.github+json' } });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: res.status, found: { api_status: res.status, current_user_url: body.current_user_url ?? null, authorize_url: `${trim(s.githubUrl)}/login/oauth/authorize` } };
  }

  private async call(url: string, what: string, init: RequestInit): Promise<Response> {
    try {
      return await outboundFetch(url, init, this.deps.policy, what);
    } catch (err) {
      if (err instanceof DomainError) throw err; // the guard's InputError
      throw new UnavailableError(`${what}: GitHub at ${url} did not answer: ${(err as Error).message}`, { code: 'sso.unreachable', cause: err });
    }
  }
}
