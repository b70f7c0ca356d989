/**
 * OpenID Connect login with openid-client: discovery from the issuer, authorization code with
 * PKCE (S256), state and nonce, and the id_token checked by the library (signature against the
 * issuer's JWKS, iss, aud, exp, nonce). Every request to the issuer goes through the outbound
 * guard, because the issuer URL is the tenant's choice.
 */
import * as oidc from 'openid-client';
import { AuthenticationError, InputError, UnavailableError } from '../errors.js';
import { assertOutboundUrl, outboundFetch, type OutboundPolicy } from '../outbound/outbound-guard.js';
import { groupsFrom, looksLikeEmail, type SsoIdentity } from './sso-identity.js';

export const GOOGLE_ISSUER = 'https://accounts.google.com';
const DEFAULT_SCOPES = ['openid', 'email', 'profile'];
const CACHE_MS = 5 * 60_000;

export interface OidcSettings {
  /** the cache key: changes when the provider does */
  key: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  groupsClaim: string;
}

/** The start of a login: where to send the browser, and what to keep for the callback. */
export interface OidcStart {
  url: string;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/** Discovery documents, kept a few minutes per provider version so a login does not fetch it twice. */
export class OidcLogin {
  private readonly cache = new Map<string, { config: oidc.Configuration; at: number }>();

  constructor(private readonly deps: { policy: OutboundPolicy; now: () => number }) {}

  async start(s: OidcSettings, redirectUri: string): Promise<OidcStart> {
    const config = await this.configuration(s);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: (s.scopes ?? DEFAULT_SCOPES).join(' '), state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    });
    return { url: url.href, state, codeVerifier, nonce };
  }

  /** The callback: code → tokens (id_token validated), then the userinfo claims when the issuer has the endpoint. */
  async finish(s: OidcSettings, callback: URL, saved: { state: string; codeVerifier: string; nonce: string; redirectUri: string }): Promise<SsoIdentity> {
    const config = await this.configuration(s);
    let claims: Record<string, unknown>;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config, callback,
        { pkceCodeVerifier: saved.codeVerifier, expectedState: saved.state, expectedNonce: saved.nonce, idTokenExpected: true },
        { redirect_uri: saved.redirectUri },
      );
      const idClaims = tokens.claims()!;
      claims = { ...idClaims };
      if (config.serverMetadata().userinfo_endpoint) {
        const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
        claims = { ...info, ...idClaims, [s.groupsClaim]: idClaims[s.groupsClaim] ?? info[s.groupsClaim] };
      }
    } catch (err) {
      throw refusal(err);
    }
    if (!looksLikeEmail(claims.email)) throw new AuthenticationError('the identity provider did not tell us an email address: request the "email" scope', { code: 'sso.no_email' });
    return {
      email: claims.email.toLowerCase(), emailVerified: claims.email_verified !== false && claims.email_verified !== 'false',
      name: typeof claims.name === 'string' ? claims.name : '', groups: groupsFrom(claims[s.groupsClaim]),
    };
  }

  /** POST /{id}/test: discovery, and what it says. */
  async discover(s: OidcSettings): Promise<oidc.ServerMetadata> {
    this.cache.delete(s.key);
    return (await this.configuration(s)).serverMetadata();
  }

  private async configuration(s: OidcSettings): Promise<oidc.Configuration> {
    const hit = this.cache.get(s.key);
    if (hit && this.deps.now() - hit.at < CACHE_MS) return hit.config;
    const issuer = await assertIssuer(s.issuerUrl, this.deps.policy);
    const guarded: oidc.CustomFetch = (url, options) => outboundFetch(url, options as RequestInit, this.deps.policy, 'issuer_url');
    let config: oidc.Configuration;
    try {
      config = await oidc.discovery(issuer, s.clientId, { client_secret: s.clientSecret }, undefined, {
        [oidc.customFetch]: guarded, execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      });
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new UnavailableError(`issuer_url: OpenID discovery at ${issuer.href} failed: ${reason(err)}`, { code: 'sso.discovery_failed', cause: err });
    }
    this.cache.set(s.key, { config, at: this.deps.now() });
    return config;
  }
}

/** The issuer, when the server may call it: https (http only where private addresses are allowed, e.g. tests) and not private. */
export async function assertIssuer(issuerUrl: string, policy: OutboundPolicy): Promise<URL> {
  const issuer = await assertOutboundUrl(issuerUrl, policy, 'issuer_url');
  if (issuer.protocol === 'http:' && !policy.allowPrivate) {
    throw new InputError('issuer_url: must be an https URL (the client secret and tokens travel to it)', { code: 'outbound_url_invalid' });
  }
  return issuer;
}

function refusal(err: unknown): Error {
  if (err instanceof InputError || err instanceof AuthenticationError) return err;
  return new AuthenticationError(`the identity provider's answer was refused: ${reason(err)}`, { code: 'sso.invalid_response', cause: err });
}

function reason(err: unknown): string {
  const e = err as { message?: string; error?: string; error_description?: string; cause?: { message?: string } };
  const oauth = e.error ? `${e.error}${e.error_description ? `: ${e.error_description}` : ''}` : '';
  return oauth || e.message || String(err);
}
