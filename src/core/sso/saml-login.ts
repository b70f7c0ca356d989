/**
 * SAML 2.0 service provider with @node-saml/node-saml: AuthnRequest over HTTP-Redirect, the
 * response POSTed to our ACS. What we require of a response: the assertion signed by the
 * configured IdP certificate, our entity id as audience, NotBefore/NotOnOrAfter around now, and
 * InResponseTo naming an AuthnRequest we made that was not answered yet (kept in
 * sso_login_states, so an assertion is accepted once, on any replica).
 */
import { X509Certificate } from 'node:crypto';
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { AuthenticationError, DomainError, UnavailableError } from '../errors.js';
import { outboundFetch, type OutboundPolicy } from '../outbound/outbound-guard.js';
import { groupsFrom, looksLikeEmail, type SsoIdentity } from './sso-identity.js';
import type { SsoLoginStateRepository } from './sso-login-state.repository.js';

export interface SamlSettings {
  providerId: string;
  entryPoint: string;
  idpEntityId?: string;
  idpCertificate: string;
  spPrivateKey?: string;
  spCertificate?: string;
  emailAttribute?: string;
  groupsClaim: string;
  metadataUrl?: string;
}

/** Where this SP lives: its entity id (the audience) and assertion consumer service URL. */
export interface SpEndpoints {
  entityId: string;
  acsUrl: string;
}

const REQUEST_TTL_MS = 10 * 60_000;
const CLOCK_SKEW_MS = 60_000;
const EMAIL_ATTRIBUTES = ['email', 'mail', 'urn:oid:0.9.2342.19200300.100.1.3', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'];

/** node-saml's request-id cache over sso_login_states; remembers which ids this request used up. */
class RequestIds implements CacheProvider {
  readonly consumed = new Set<string>();
  constructor(private readonly providerId: string, private readonly states: SsoLoginStateRepository, private readonly now: () => Date) {}

  async saveAsync(key: string, value: string) {
    await this.states.save(key, { providerId: this.providerId, codeVerifier: null, nonce: value, redirectUri: null, expiresAt: new Date(this.now().getTime() + REQUEST_TTL_MS) });
    return { value, createdAt: this.now().getTime() };
  }

  async getAsync(key: string) {
    return (await this.states.peek(this.providerId, key, this.now())) ? this.now().toISOString() : null;
  }

  async removeAsync(key: string | null) {
    if (!key) return null;
    const row = await this.states.consume(this.providerId, key, this.now());
    if (row) this.consumed.add(key);
    return row ? key : null;
  }
}

export class SamlLogin {
  constructor(private readonly deps: { policy: OutboundPolicy; states: SsoLoginStateRepository; now: () => Date }) {}

  private sp(s: SamlSettings, sp: SpEndpoints, ids = new RequestIds(s.providerId, this.deps.states, this.deps.now)): SAML {
    return new SAML({
      callbackUrl: sp.acsUrl, issuer: sp.entityId, audience: sp.entityId, entryPoint: s.entryPoint, idpIssuer: s.idpEntityId,
      idpCert: s.idpCertificate, privateKey: s.spPrivateKey, publicCert: s.spCertificate, signatureAlgorithm: 'sha256',
      wantAssertionsSigned: true, wantAuthnResponseSigned: false, acceptedClockSkewMs: CLOCK_SKEW_MS,
      validateInResponseTo: ValidateInResponseTo.always, requestIdExpirationPeriodMs: REQUEST_TTL_MS, cacheProvider: ids,
      identifierFormat: null, disableRequestedAuthnContext: true,
    });
  }

  /** The IdP URL carrying our AuthnRequest; its id is kept for the response's InResponseTo. */
  async start(s: SamlSettings, sp: SpEndpoints): Promise<string> {
    return this.sp(s, sp).getAuthorizeUrlAsync('', undefined, {});
  }

  async finish(s: SamlSettings, sp: SpEndpoints, samlResponse: string): Promise<SsoIdentity> {
    const ids = new RequestIds(s.providerId, this.deps.states, this.deps.now);
    let profile: Profile | null;
    try {
      ({ profile } = await this.sp(s, sp, ids).validatePostResponseAsync({ SAMLResponse: samlResponse }));
    } catch (err) {
      throw new AuthenticationError(`the SAML response was refused: ${(err as Error).message}`, { code: 'sso.invalid_response', cause: err });
    }
    // node-saml removed the request id on success; only the request that removed it may use it.
    if (!profile || !profile.inResponseTo || !ids.consumed.has(String(profile.inResponseTo))) {
      throw new AuthenticationError('the SAML response was refused: it answers no login in progress (already used, or expired)', { code: 'sso.invalid_state' });
    }
    return identityOf(profile, s);
  }

  metadata(s: SamlSettings, sp: SpEndpoints): string {
    return this.sp(s, sp).generateServiceProviderMetadata(null, s.spCertificate ?? null);
  }

  /** POST /{id}/test: the configured certificate, and the IdP's metadata when a metadata_url is set. */
  async probe(s: SamlSettings): Promise<{ url: string | null; found: Record<string, unknown>; problems: string[] }> {
    const problems: string[] = [];
    const found: Record<string, unknown> = { entry_point: s.entryPoint, idp_entity_id: s.idpEntityId ?? null };
    const cert = certificateFacts(s.idpCertificate);
    found.idp_certificate = cert;
    if (!cert) problems.push('idp_certificate: not a readable X.509 certificate');
    else if (cert.expired) problems.push(`idp_certificate: expired on ${cert.valid_to}`);
    if (!s.metadataUrl) return { url: null, found, problems };
    let xml: string;
    try {
      const res = await outboundFetch(s.metadataUrl, { headers: { accept: 'application/samlmetadata+xml, application/xml' } }, this.deps.policy, 'metadata_url');
      if (!res.ok) return { url: s.metadataUrl, found, problems: [...problems, `metadata_url: answered HTTP ${res.status}`] };
      xml = await res.text();
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new UnavailableError(`metadata_url: ${s.metadataUrl} did not answer: ${(err as Error).message}`, { code: 'sso.unreachable', cause: err });
    }
    const entityId = /<(?:\w+:)?EntityDescriptor\b[^>]*\bentityID="([^"]+)"/.exec(xml)?.[1] ?? null;
    const ssoUrls = [...xml.matchAll(/<(?:\w+:)?SingleSignOnService\b[^>]*\bLocation="([^"]+)"/g)].map((m) => m[1]);
    const certs = [...xml.matchAll(/<(?:\w+:)?X509Certificate>\s*([A-Za-z0-9+/=\s]+?)\s*<\/(?:\w+:)?X509Certificate>/g)].map((m) => m[1].replace(/\s+/g, ''));
    const configured = cert ? new X509Certificate(s.idpCertificate).raw.toString('base64') : null;
    Object.assign(found, { metadata_entity_id: entityId, metadata_sso_urls: ssoUrls, metadata_certificates: certs.length, certificate_in_metadata: !!configured && certs.includes(configured) });
    if (!entityId) problems.push('metadata_url: no EntityDescriptor entityID found');
    if (s.idpEntityId && entityId && entityId !== s.idpEntityId) problems.push(`idp_entity_id: the metadata says ${entityId}`);
    if (ssoUrls.length && !ssoUrls.includes(s.entryPoint)) problems.push(`entry_point: not among the metadata's SingleSignOnService locations (${ssoUrls.join(', ')})`);
    if (configured && certs.length && !certs.includes(configured)) problems.push('idp_certificate: not among the metadata\'s signing certificates');
    return { url: s.metadataUrl, found, problems };
  }
}

function identityOf(profile: Profile, s: SamlSettings): SsoIdentity {
  const attrs = profile as Record<string, unknown>;
  const candidates = [...(s.emailAttribute ? [attrs[s.emailAttribute]] : []), ...EMAIL_ATTRIBUTES.map((a) => attrs[a]), profile.nameID];
  const email = candidates.map((c) => (Array.isArray(c) ? c[0] : c)).find(looksLikeEmail);
  if (!email) throw new AuthenticationError('the SAML assertion carries no email address (an email attribute or an email-format NameID)', { code: 'sso.no_email' });
  const name = [attrs.displayName, attrs.name, attrs.cn].find((v): v is string => typeof v === 'string') ?? '';
  return { email: email.toLowerCase(), emailVerified: true, name, groups: groupsFrom(attrs[s.groupsClaim]) };
}

function certificateFacts(pem: string): { subject: string; issuer: string; valid_to: string; fingerprint256: string; expired: boolean } | null {
  try {
    const c = new X509Certificate(pem);
    return { subject: c.subject, issuer: c.issuer, valid_to: new Date(c.validTo).toISOString(), fingerprint256: c.fingerprint256, expired: new Date(c.validTo) < new Date() };
  } catch {
    return null;
  }
}
